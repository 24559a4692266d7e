package attr

// Error is a request validation failure that DynamoDB reports as a
// ValidationException. Message is DynamoDB's exact text.
type Error struct {
	Message string
}

// Error returns the ValidationException message.
func (e *Error) Error() string { return e.Message }

// SerializationError is a failure to read the JSON shape of an attribute
// value (a number where a string belongs, a list where a map belongs, bad
// base64, ...) that DynamoDB reports as a SerializationException. Message is
// DynamoDB's exact text.
type SerializationError struct {
	Message string
}

// Error returns the SerializationException message.
func (e *SerializationError) Error() string { return e.Message }

// DynamoDB validation messages shared by several files.
const (
	msgNumberEmpty     = "The parameter cannot be converted to a numeric value"
	msgNumberInvalid   = "The parameter cannot be converted to a numeric value: "
	msgNumberOverflow  = "Number overflow. Attempting to store a number with magnitude larger than supported range"
	msgNumberUnderflow = "Number underflow. Attempting to store a number with magnitude smaller than supported range"
	msgNumberPrecision = "Attempting to store more than 38 significant digits in a Number"
)

func validationErr(msg string) *Error { return &Error{Message: msg} }
