package dynamodb

import (
	"errors"
	"strings"

	"github.com/ebbtide/ebbtide/internal/attr"
)

// Cancellation reason codes.
const (
	reasonNone              = "None"
	reasonConditionalFailed = "ConditionalCheckFailed"
	reasonValidation        = "ValidationError"
)

// transactionCanceled turns the per-action errors of a canceled commit into
// the TransactionCanceledException, with one reason per action in request
// order:
//
//	Transaction cancelled, please refer cancellation reasons for specific reasons [None, ConditionalCheckFailed]
//
// A failed condition carries the stored item when the action asked for it
// (ReturnValuesOnConditionCheckFailure=ALL_OLD); an update that cannot apply
// to the stored item is a ValidationError with the expression's message.
// An error that fails the whole request (requestError) is returned instead.
func transactionCanceled(errs []error) error {
	reasons := make([]cancellationReason, len(errs))
	codes := make([]string, len(errs))
	for i, err := range errs {
		var req requestError
		if errors.As(err, &req) {
			return req.err
		}
		r, rerr := reasonFor(err)
		if rerr != nil {
			return rerr
		}
		reasons[i], codes[i] = r, r.Code
	}
	e := Dynamo("TransactionCanceledException", "Transaction cancelled, please refer cancellation reasons for specific reasons [%s]", strings.Join(codes, ", "))
	e.CancellationReasons = reasons
	return e
}

// reasonFor is the cancellation reason of one action's outcome; an error
// that is not an API error (a bug) is returned as is.
func reasonFor(err error) (cancellationReason, error) {
	if err == nil {
		return cancellationReason{Code: reasonNone}, nil
	}
	var e *Error
	if !errors.As(err, &e) {
		return cancellationReason{}, err
	}
	switch {
	case strings.HasSuffix(e.Type, "#ConditionalCheckFailedException"):
		r := cancellationReason{Code: reasonConditionalFailed, Message: e.Message}
		if old, ok := e.Item.(attr.Item); ok {
			r.Item = old
		}
		return r, nil
	case strings.HasSuffix(e.Type, "#ValidationException"):
		return cancellationReason{Code: reasonValidation, Message: e.Message}, nil
	}
	return cancellationReason{}, err
}
