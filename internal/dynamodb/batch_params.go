package dynamodb

import (
	"strings"
)

// requestItems checks the RequestItems map of a batch operation: present,
// not empty, and keyed by valid table names (reported once, as DynamoDB does
// for map key constraints).
func (v *violations) requestItems(names []string, isNil bool) {
	if isNil {
		v.addNull("requestItems")
		return
	}
	rendered := "{" + strings.Join(names, ", ") + "}"
	if len(names) == 0 {
		v.add(rendered, "requestItems", "Member must have length greater than or equal to 1")
	}
	for _, n := range names {
		if len(n) < 3 || len(n) > 255 || !tableNamePattern.MatchString(n) {
			v.add(rendered, "requestItems", "Map keys must satisfy constraint: [Member must have length less than or equal to 255, Member must have length greater than or equal to 3, Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+]")
			return
		}
	}
}
