package dynamodb

import (
	"fmt"
	"regexp"
	"strings"
)

// violations collects Coral-style constraint violations and renders them the
// way DynamoDB does:
//
//	1 validation error detected: Value 'x' at 'tableName' failed to satisfy constraint: Member must have length greater than or equal to 3
//	2 validation errors detected: A; B
type violations struct{ list []string }

// maxViolations is how many violations DynamoDB lists in one message; it
// stops checking after the tenth.
const maxViolations = 10

// add records one violation. value is rendered with %v ("null" for nil).
func (v *violations) add(value any, member, constraint string) {
	if len(v.list) >= maxViolations {
		return
	}
	var s string
	switch x := value.(type) {
	case nil:
		s = "null"
	case *string:
		if x == nil {
			s = "null"
		} else {
			s = *x
		}
	default:
		s = fmt.Sprint(x)
	}
	v.list = append(v.list, fmt.Sprintf("Value '%s' at '%s' failed to satisfy constraint: %s", s, member, constraint))
}

// addNull records a missing required member.
func (v *violations) addNull(member string) {
	if len(v.list) >= maxViolations {
		return
	}
	v.list = append(v.list, fmt.Sprintf("Value null at '%s' failed to satisfy constraint: Member must not be null", member))
}

var tableNamePattern = regexp.MustCompile(`^[a-zA-Z0-9_.-]+$`)

// tableName checks a TableName member (3..255, [a-zA-Z0-9_.-]+). Members
// that also accept a table ARN go through API.tableArg, which calls this for
// names.
func (v *violations) tableName(name *string, member string) {
	if name == nil {
		v.addNull(member)
		return
	}
	n := *name
	// DynamoDB lists the pattern before the length constraints.
	if !tableNamePattern.MatchString(n) {
		v.add(n, member, "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+")
	}
	if len(n) < 3 {
		v.add(n, member, "Member must have length greater than or equal to 3")
	}
	if len(n) > 255 {
		v.add(n, member, "Member must have length less than or equal to 255")
	}
}

// enum checks that a non-empty value is one of allowed.
func (v *violations) enum(value, member string, allowed ...string) {
	if value == "" {
		return
	}
	for _, a := range allowed {
		if value == a {
			return
		}
	}
	v.add(value, member, "Member must satisfy enum value set: ["+strings.Join(allowed, ", ")+"]")
}

// err returns the ValidationException for the collected violations, or nil.
func (v *violations) err() error {
	switch len(v.list) {
	case 0:
		return nil
	case 1:
		return Validation("1 validation error detected: %s", v.list[0])
	default:
		return Validation("%d validation errors detected: %s", len(v.list), strings.Join(v.list, "; "))
	}
}
