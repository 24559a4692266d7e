package repo

// reasonError is a cause that matches a sentinel (errors.Is) but prints only
// its own message, so wrapped messages read naturally.
type reasonError struct {
	sentinel error
	msg      string
}

func (e *reasonError) Error() string { return e.msg }
func (e *reasonError) Unwrap() error { return e.sentinel }

func corrupt(msg string) error { return &reasonError{ErrCorrupt, msg} }
