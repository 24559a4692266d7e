package dynamodb

import (
	"fmt"
	"net/http"
)

// Error is an AWS error as the awsJson1_0 protocol returns it.
type Error struct {
	Status  int    // HTTP status
	Type    string // full __type, e.g. com.amazonaws.dynamodb.v20120810#ResourceNotFoundException
	Message string
	// Item is returned with ConditionalCheckFailedException when
	// ReturnValuesOnConditionCheckFailure=ALL_OLD.
	Item any
	// CancellationReasons is set on TransactionCanceledException.
	CancellationReasons any
}

func (e *Error) Error() string { return e.Type + ": " + e.Message }

const (
	nsDynamo     = "com.amazonaws.dynamodb.v20120810#"
	nsValidate   = "com.amazon.coral.validate#"
	nsService    = "com.amazon.coral.service#"
	nsAvailabity = "com.amazon.coral.availability#"
)

func newErr(status int, typ, format string, args ...any) *Error {
	msg := format
	if len(args) > 0 {
		msg = fmt.Sprintf(format, args...)
	}
	return &Error{Status: status, Type: typ, Message: msg}
}

// Validation returns a ValidationException.
func Validation(format string, args ...any) *Error {
	return newErr(http.StatusBadRequest, nsValidate+"ValidationException", format, args...)
}

// Dynamo returns a modeled DynamoDB client error (HTTP 400) such as
// "ResourceNotFoundException" or "ConditionalCheckFailedException".
func Dynamo(name, format string, args ...any) *Error {
	return newErr(http.StatusBadRequest, nsDynamo+name, format, args...)
}

// Service returns a Coral service error (UnknownOperationException, SerializationException, ...).
func Service(name, format string, args ...any) *Error {
	return newErr(http.StatusBadRequest, nsService+name, format, args...)
}

// Internal returns an InternalServerError (HTTP 500).
func Internal(format string, args ...any) *Error {
	return newErr(http.StatusInternalServerError, nsDynamo+"InternalServerError", format, args...)
}
