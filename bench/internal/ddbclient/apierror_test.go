package ddbclient

import (
	"errors"
	"fmt"
	"testing"

	"github.com/aws/smithy-go"
)

func TestAPIError(t *testing.T) {
	var err error = fmt.Errorf("GetItem: %w", &APIError{Status: 400, Code: "ResourceNotFoundException", Message: "Requested resource not found"})
	if got, want := err.Error(), "GetItem: HTTP 400 ResourceNotFoundException: Requested resource not found"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "ResourceNotFoundException" || ae.ErrorMessage() != "Requested resource not found" {
		t.Fatalf("smithy.APIError %v", ae)
	}
	if ae.ErrorFault() != smithy.FaultClient {
		t.Errorf("400: fault %v", ae.ErrorFault())
	}
	if f := (&APIError{Status: 503}).ErrorFault(); f != smithy.FaultServer {
		t.Errorf("503: fault %v", f)
	}
}
