package ddbclient

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// testSecret is the secret key of the signer tests (AWS's documentation example).
const testSecret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"

const (
	targetPut = "DynamoDB_20120810.PutItem"
	targetGet = "DynamoDB_20120810.GetItem"
)

// testTargets are the X-Amz-Target values the bench tools send.
var testTargets = []string{
	targetPut,
	targetGet,
	"DynamoDB_20120810.Query",
	"DynamoDB_20120810.UpdateItem",
	"DynamoDB_20120810.DeleteItem",
	"DynamoDB_20120810.Scan",
	"DynamoDB_20120810.BatchWriteItem",
	"DynamoDB_20120810.BatchGetItem",
}

// sdkAuthorization signs the request the raw clients send (POST, the same
// headers, no Content-Length header) with aws-sdk-go-v2's signer, with the
// example credentials in eu-west-3, and returns its Authorization header.
func sdkAuthorization(t *testing.T, endpoint, target, token string, body []byte, at time.Time) string {
	t.Helper()
	creds := aws.Credentials{AccessKeyID: "AKIDEXAMPLE", SecretAccessKey: testSecret, SessionToken: token}
	req, err := http.NewRequest(http.MethodPost, endpoint, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", JSONContentType)
	req.Header.Set("X-Amz-Target", target)
	hash := string(payloadHash(nil, body))
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, hash, Service, "eu-west-3", at); err != nil {
		t.Fatal(err)
	}
	return req.Header.Get("Authorization")
}

func TestSigV4MatchesSDK(t *testing.T) {
	at := time.Date(2026, 3, 14, 15, 9, 26, 535_000_000, time.UTC)
	bodies := [][]byte{
		nil,
		[]byte(`{"TableName":"ebbtide-load","Key":{"pk":{"S":"p000000001"},"sk":{"S":"s0000002"}}}`),
		[]byte(strings.Repeat("x", 5000)),
	}
	endpoints := []string{
		"http://127.0.0.1:8200",
		"http://localhost:80/",
		"https://dynamodb.eu-west-3.amazonaws.com",
		"https://dynamodb.eu-west-3.amazonaws.com:443/",
		"http://[::1]:8000/some path/x",
	}
	for _, ep := range endpoints {
		for _, token := range []string{"", "FQoGZXIvYXdzEBYaDtoken/+="} {
			u, err := url.Parse(ep)
			if err != nil {
				t.Fatal(err)
			}
			s := NewSigner(u, "AKIDEXAMPLE", testSecret, token, "eu-west-3", Service)
			st := s.NewState()
			for _, body := range bodies {
				for _, target := range testTargets {
					got := st.Authorization(AmzDate(at), target, body)
					want := sdkAuthorization(t, ep, target, token, body, at)
					if got != want {
						t.Fatalf("%s token=%q %s body %d B:\n got %s\nwant %s", ep, token, target, len(body), got, want)
					}
				}
			}
		}
	}
}

// The signing key is cached per day: a state that signed yesterday must
// derive today's key.
func TestSigV4NewDay(t *testing.T) {
	u, _ := url.Parse("http://127.0.0.1:8200")
	st := NewSigner(u, "AKIDEXAMPLE", testSecret, "", "eu-west-3", Service).NewState()
	body := []byte(`{}`)
	for _, at := range []time.Time{
		time.Date(2026, 3, 14, 23, 59, 59, 0, time.UTC),
		time.Date(2026, 3, 15, 0, 0, 1, 0, time.UTC),
		time.Date(2026, 3, 15, 0, 0, 2, 0, time.FixedZone("x", 3600)), // still the 14th in UTC
	} {
		got := st.Authorization(AmzDate(at), targetGet, body)
		want := sdkAuthorization(t, "http://127.0.0.1:8200", targetGet, "", body, at)
		if got != want {
			t.Fatalf("%s:\n got %s\nwant %s", at, got, want)
		}
	}
}

func TestHostHeader(t *testing.T) {
	for in, want := range map[string]string{
		"http://127.0.0.1:8200":          "127.0.0.1:8200",
		"http://example.com:80":          "example.com",
		"https://example.com:443/":       "example.com",
		"http://example.com:443":         "example.com:443",
		"https://[::1]:443":              "[::1]",
		"https://dynamodb.aws.com:8443/": "dynamodb.aws.com:8443",
	} {
		u, _ := url.Parse(in)
		if got := hostHeader(u); got != want {
			t.Errorf("hostHeader(%s) = %q, want %q", in, got, want)
		}
	}
}

func BenchmarkSigV4(b *testing.B) {
	u, _ := url.Parse("http://127.0.0.1:8200")
	st := NewSigner(u, "AKIDEXAMPLE", "secret", "", "us-east-1", Service).NewState()
	body := []byte(`{"TableName":"ebbtide-load","Item":{"pk":{"S":"p000000001"},"sk":{"S":"s0000002"},"d":{"S":"` + strings.Repeat("a", 220) + `"},"n":{"N":"0"}}}`)
	date := AmzDate(time.Now())
	b.ReportAllocs()
	for b.Loop() {
		st.Authorization(date, targetPut, body)
	}
}

func BenchmarkSDKSigV4(b *testing.B) {
	body := []byte(`{"TableName":"ebbtide-load","Item":{"pk":{"S":"p000000001"},"sk":{"S":"s0000002"},"d":{"S":"` + strings.Repeat("a", 220) + `"},"n":{"N":"0"}}}`)
	signer := v4.NewSigner()
	creds := aws.Credentials{AccessKeyID: "AKIDEXAMPLE", SecretAccessKey: "secret"}
	now := time.Now()
	b.ReportAllocs()
	for b.Loop() {
		req, _ := http.NewRequest(http.MethodPost, "http://127.0.0.1:8200", nil)
		req.Header.Set("Content-Type", JSONContentType)
		req.Header.Set("X-Amz-Target", targetPut)
		hash := string(payloadHash(nil, body))
		_ = signer.SignHTTP(context.Background(), creds, req, hash, Service, "us-east-1", now)
	}
}
