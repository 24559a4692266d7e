package server

import (
	"net/http"
	"strings"

	"github.com/ebbtide/ebbtide/internal/dynamodb"
)

// authenticate is the single place where request authentication plugs in.
// In open mode (the default, like DynamoDB Local) any credentials are
// accepted, but a request must still carry a SigV4 Authorization header, as
// every AWS SDK and the CLI send one.
func authenticate(r *http.Request) *dynamodb.Error {
	auth := strings.TrimSpace(r.Header.Get("Authorization"))
	if auth == "" && r.URL.Query().Get("X-Amz-Algorithm") == "" {
		return dynamodb.Service("MissingAuthenticationTokenException", "Request is missing Authentication Token")
	}
	if auth != "" && !strings.HasPrefix(auth, "AWS4-") {
		return dynamodb.Service("IncompleteSignatureException", "Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. Authorization=%s", auth)
	}
	return nil
}
