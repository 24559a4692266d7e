package main

import (
	"bytes"
	"strconv"
	"strings"

	"github.com/ebbtide/ebbtide/bench/internal/ddbclient"
)

// Response checks of the raw client. A body is never decoded: the raw client
// looks only for the few top-level members it needs ("Item", "Count",
// "Responses", "Unprocessed…", "__type"). The search is textual, which is
// exact for this tool's own data: attribute names are pk, sk, d, n, u and
// values are digits and letters, so those member names can only occur as
// members of the response object itself.

// parseAPIError builds the error of a non-200 response from its body
// ({"__type":"ns#Code","message":"…"}), falling back to the
// X-Amzn-ErrorType header and then to the bare status. The error implements
// smithy.APIError, so the report groups raw-client and SDK errors by the
// same codes.
func parseAPIError(status int, headerType string, body []byte) *ddbclient.APIError {
	e := &ddbclient.APIError{Status: status}
	if t, ok := stringMember(body, "__type"); ok {
		e.Code = t
	} else if t, ok := stringMember(body, "code"); ok {
		e.Code = t
	} else {
		e.Code = headerType
	}
	if i := strings.IndexByte(e.Code, '#'); i >= 0 {
		e.Code = e.Code[i+1:]
	}
	if i := strings.IndexByte(e.Code, ':'); i >= 0 { // "Code:http://…" form of the header
		e.Code = e.Code[:i]
	}
	if e.Code == "" {
		e.Code = "HTTP" + strconv.Itoa(status)
	}
	if m, ok := stringMember(body, "message"); ok {
		e.Message = m
	} else if m, ok := stringMember(body, "Message"); ok {
		e.Message = m
	}
	return e
}

// memberValue returns the offset in body of the value of member name (the
// first byte after `"name"`, whitespace and ':'), or -1.
func memberValue(body []byte, name string) int {
	for off := 0; ; {
		i := bytes.Index(body[off:], []byte(name))
		if i < 0 {
			return -1
		}
		i += off
		end := i + len(name)
		off = end
		if i == 0 || body[i-1] != '"' || end >= len(body) || body[end] != '"' {
			continue
		}
		j := skipSpace(body, end+1)
		if j < len(body) && body[j] == ':' {
			return skipSpace(body, j+1)
		}
	}
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// hasMember reports whether body has member name.
func hasMember(body []byte, name string) bool { return memberValue(body, name) >= 0 }

// stringMember returns the value of a string member (escapes kept as sent).
func stringMember(body []byte, name string) (string, bool) {
	i := memberValue(body, name)
	if i < 0 || i >= len(body) || body[i] != '"' {
		return "", false
	}
	for j := i + 1; j < len(body); j++ {
		switch body[j] {
		case '\\':
			j++
		case '"':
			return string(body[i+1 : j]), true
		}
	}
	return "", false
}

// intMember returns the value of an integer member.
func intMember(body []byte, name string) (int, bool) {
	i := memberValue(body, name)
	if i < 0 {
		return 0, false
	}
	j := i
	for j < len(body) && body[j] >= '0' && body[j] <= '9' {
		j++
	}
	n, err := strconv.Atoi(string(body[i:j]))
	return n, err == nil
}

// emptyObjectMember reports whether member name is absent or {} (how
// UnprocessedItems / UnprocessedKeys say "nothing left").
func emptyObjectMember(body []byte, name string) bool {
	i := memberValue(body, name)
	if i < 0 {
		return true
	}
	if i >= len(body) || body[i] != '{' {
		return false
	}
	j := skipSpace(body, i+1)
	return j < len(body) && body[j] == '}'
}

// countItems counts the items of the first array member name, by counting
// top-level objects in the array (for BatchGetItem's Responses.<table>).
func countItems(body []byte, name string) int {
	i := memberValue(body, name)
	if i < 0 {
		return 0
	}
	for i < len(body) && body[i] != '[' {
		i++
	}
	n, depth, inStr := 0, 0, false
	for i++; i < len(body); i++ {
		c := body[i]
		if inStr {
			switch c {
			case '\\':
				i++
			case '"':
				inStr = false
			}
			continue
		}
		switch c {
		case '"':
			inStr = true
		case '{', '[':
			if depth == 0 && c == '{' {
				n++
			}
			depth++
		case '}':
			depth--
		case ']':
			if depth == 0 {
				return n
			}
			depth--
		}
	}
	return n
}

// isJSONObject reports whether body looks like one JSON object: the first
// and last non-space bytes are { and }. Every 200 answer must be one.
func isJSONObject(body []byte) bool {
	body = bytes.TrimSpace(body)
	return len(body) >= 2 && body[0] == '{' && body[len(body)-1] == '}'
}
