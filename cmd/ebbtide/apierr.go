package main

import (
	"errors"
	"fmt"
	"net"

	"github.com/aws/smithy-go"
)

// apiError is a failed API call, worded concisely: "Op: Code: message"
// rather than the SDK's full chain. It unwraps to the SDK error, so
// errors.As still finds the smithy.APIError.
type apiError struct {
	op       string
	endpoint string
	err      error
}

// newAPIError wraps err from operation op against endpoint (nil stays nil).
func newAPIError(op, endpoint string, err error) error {
	if err == nil {
		return nil
	}
	return &apiError{op: op, endpoint: endpoint, err: err}
}

// Error returns "Op: Code: message", or names the unreachable server.
func (e *apiError) Error() string {
	var ae smithy.APIError
	if errors.As(e.err, &ae) {
		if msg := ae.ErrorMessage(); msg != "" {
			return fmt.Sprintf("%s: %s: %s", e.op, ae.ErrorCode(), msg)
		}
		return fmt.Sprintf("%s: %s", e.op, ae.ErrorCode())
	}
	var oe *net.OpError
	if errors.As(e.err, &oe) {
		return fmt.Sprintf("%s: cannot reach the server at %s (%v); is `ebbtide serve` running? (see --endpoint-url)",
			e.op, e.endpoint, oe.Err)
	}
	return fmt.Sprintf("%s: %v", e.op, e.err)
}

// Unwrap returns the SDK error.
func (e *apiError) Unwrap() error { return e.err }

// errorCode returns the AWS error code in err, or "".
func errorCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}
