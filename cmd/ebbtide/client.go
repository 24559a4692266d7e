package main

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/feature/ec2/imds"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/spf13/pflag"
)

// Client defaults.
const (
	defaultEndpointURL = "http://localhost:8000"
	defaultRegion      = "us-east-1"
)

// clientFlags locate the server the client commands call, through its
// DynamoDB API.
type clientFlags struct {
	endpoint string
	region   string
}

// register defines --endpoint-url and --region on f.
func (c *clientFlags) register(f *pflag.FlagSet) {
	f.StringVar(&c.endpoint, "endpoint-url", defaultEndpointURL, "the server's URL (env EBBTIDE_ENDPOINT_URL)")
	f.StringVar(&c.region, "region", defaultRegion, "the server's region (env AWS_REGION, AWS_DEFAULT_REGION)")
}

// resolve fills the flags not given on the command line (f holds them) from
// the environment: EBBTIDE_ENDPOINT_URL, then AWS_REGION or
// AWS_DEFAULT_REGION.
func (c *clientFlags) resolve(f *pflag.FlagSet) error {
	if err := applyEnvFor(f, "endpoint-url"); err != nil {
		return err
	}
	if fl := f.Lookup("region"); fl != nil && !fl.Changed {
		for _, env := range []string{"AWS_REGION", "AWS_DEFAULT_REGION"} {
			if v := os.Getenv(env); v != "" {
				c.region = v
				break
			}
		}
	}
	u, err := url.Parse(c.endpoint)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("--endpoint-url %q: expected http://host:port or https://host:port", c.endpoint)
	}
	return nil
}

// newClient builds a DynamoDB client for the server. Credentials come from
// the AWS SDK's default chain (environment, shared config and credentials
// files, SSO, container roles; not the EC2 instance metadata service);
// when none is configured it signs with the static pair "local"/"local",
// which a server in its default open mode accepts.
func (c *clientFlags) newClient(ctx context.Context) (*dynamodb.Client, error) {
	cfg, err := config.LoadDefaultConfig(ctx,
		config.WithRegion(c.region),
		config.WithEC2IMDSClientEnableState(imds.ClientDisabled))
	if err != nil {
		return nil, fmt.Errorf("loading the AWS configuration: %w", err)
	}
	if !hasCredentials(ctx, cfg.Credentials) {
		cfg.Credentials = credentials.NewStaticCredentialsProvider("local", "local", "")
	}
	return dynamodb.NewFromConfig(cfg, func(o *dynamodb.Options) {
		o.BaseEndpoint = aws.String(c.endpoint)
	}), nil
}

// hasCredentials reports whether p yields credentials.
func hasCredentials(ctx context.Context, p aws.CredentialsProvider) bool {
	if p == nil {
		return false
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	creds, err := p.Retrieve(ctx)
	return err == nil && creds.HasKeys()
}
