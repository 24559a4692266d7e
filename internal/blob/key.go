package blob

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// ErrInvalidKey is returned (wrapped, with the reason) for a key that no
// store accepts; see CheckKey.
var ErrInvalidKey = errors.New("blob: invalid key")

// Key limits. MaxKeyLen is S3's limit; MaxElementLen is the usual file-name
// limit (NAME_MAX). Every store enforces both, so a repository that works on
// one store works on all.
const (
	MaxKeyLen     = 1024
	MaxElementLen = 255
)

// TempPrefix starts the names of in-progress writes on the filesystem
// store. Key elements may not start with it, so a temporary file is never
// mistaken for an object.
const TempPrefix = ".tmp-"

// CheckKey reports whether key is a valid object key: non-empty valid UTF-8
// of at most MaxKeyLen bytes, slash-separated elements that are non-empty
// (no leading, trailing or doubled slash), at most MaxElementLen bytes, not
// "." or "..", not starting with TempPrefix, and free of backslashes and
// control characters. The error wraps ErrInvalidKey.
func CheckKey(key string) error {
	if reason := keyProblem(key); reason != "" {
		return fmt.Errorf("%w %q: %s", ErrInvalidKey, key, reason)
	}
	return nil
}

func keyProblem(key string) string {
	switch {
	case key == "":
		return "empty"
	case len(key) > MaxKeyLen:
		return fmt.Sprintf("longer than %d bytes", MaxKeyLen)
	case !utf8.ValidString(key):
		return "not valid UTF-8"
	case strings.HasPrefix(key, "/"):
		return "absolute (leading slash)"
	case strings.Contains(key, `\`):
		return "contains a backslash"
	}
	for _, r := range key {
		if r < 0x20 || r == 0x7f {
			return "contains a control character"
		}
	}
	for elem := range strings.SplitSeq(key, "/") {
		switch {
		case elem == "":
			return "empty path element (trailing or doubled slash)"
		case elem == "." || elem == "..":
			return `contains a "." or ".." element`
		case len(elem) > MaxElementLen:
			return fmt.Sprintf("path element longer than %d bytes", MaxElementLen)
		case strings.HasPrefix(elem, TempPrefix):
			return fmt.Sprintf("path element starts with the reserved %q", TempPrefix)
		}
	}
	return ""
}

// prefixCanMatch reports whether some valid key starts with prefix; List
// returns nothing at once when none can.
func prefixCanMatch(prefix string) bool {
	if len(prefix) > MaxKeyLen || strings.Contains(prefix, `\`) {
		return false
	}
	for _, r := range prefix {
		if r < 0x20 || r == 0x7f {
			return false
		}
	}
	// The elements before the last slash are complete: they must be valid.
	if i := strings.LastIndexByte(prefix, '/'); i >= 0 && keyProblem(prefix[:i]) != "" {
		return false
	}
	return true
}
