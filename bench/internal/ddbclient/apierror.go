package ddbclient

import (
	"fmt"

	"github.com/aws/smithy-go"
)

// APIError is a non-200 answer: the HTTP status and DynamoDB's error type
// (the part of "__type" after '#'). It implements smithy.APIError, so raw
// client and SDK errors can be grouped by the same codes.
type APIError struct {
	Status  int
	Code    string // e.g. ResourceNotFoundException
	Message string
}

func (e *APIError) Error() string {
	return fmt.Sprintf("HTTP %d %s: %s", e.Status, e.Code, e.Message)
}

// ErrorCode returns the DynamoDB error type, e.g. ResourceNotFoundException.
func (e *APIError) ErrorCode() string { return e.Code }

// ErrorMessage returns the error's message member.
func (e *APIError) ErrorMessage() string { return e.Message }

// ErrorFault says whether the server (5xx) or the client (4xx) is at fault.
func (e *APIError) ErrorFault() smithy.ErrorFault {
	if e.Status >= 500 {
		return smithy.FaultServer
	}
	return smithy.FaultClient
}

var _ smithy.APIError = (*APIError)(nil)
