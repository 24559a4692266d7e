// Package sdkclient builds the aws-sdk-go-v2 DynamoDB clients of the
// end-to-end tests (model, crash, backup): retries off and request bodies
// buffered, so every outcome the oracle sees is the server's.
package sdkclient

import (
	"net"
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
)

// New returns a client of the server at endpoint (us-east-1, static
// credentials) keeping up to conns idle connections, with a per-request
// timeout. Retries are off: a retried non-idempotent write (ADD) or
// conditional write would blur an oracle, and every error must be seen.
func New(endpoint string, conns int, timeout time.Duration) *dynamodb.Client {
	tr := &http.Transport{
		MaxIdleConns:        conns * 2,
		MaxIdleConnsPerHost: conns * 2,
		IdleConnTimeout:     30 * time.Second,
		DialContext:         (&net.Dialer{Timeout: 3 * time.Second}).DialContext,
	}
	return dynamodb.New(dynamodb.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(endpoint),
		Credentials:  credentials.NewStaticCredentialsProvider("test", "test", ""),
		HTTPClient:   &http.Client{Transport: BufferedBody{Next: tr}, Timeout: timeout},
		Retryer:      aws.NopRetryer{},
	})
}
