package dynamodb

import (
	"fmt"
	"strconv"
	"strings"
)

// Request limits of the transactional operations.
const (
	// maxTransactItems is how many actions (or reads) one transaction may hold.
	maxTransactItems = 100
	// maxTransactPayload is the limit on the aggregate size of a
	// transaction's items (4 MB).
	maxTransactPayload = 4 << 20
	// maxClientRequestToken is the ClientRequestToken length limit.
	maxClientRequestToken = 36
)

// Texts of the transactional operations' own validation errors.
const (
	msgDuplicateTransactItem = "Transaction request cannot include multiple operations on one item"
	msgNoTransactAction      = "Invalid Request: TransactWriteRequest should contain Delete or Put or Update request"
	msgManyTransactActions   = "TransactItems can only contain one of Check, Put, Update or Delete"
)

// transactItems checks the length of a TransactItems list (1..100). Coral
// renders a list of structures as Java does: each element as its class name
// and an identity hash code; class is the element's shape.
func (v *violations) transactItems(n int, isNil bool, class string) {
	switch {
	case isNil:
		v.addNull("transactItems")
	case n < 1:
		v.add("[]", "transactItems", "Member must have length greater than or equal to 1")
	case n > maxTransactItems:
		v.add(javaObjectList(class, n), "transactItems", "Member must have length less than or equal to "+strconv.Itoa(maxTransactItems))
	}
}

// javaObjectList renders n objects of a model class the way Java's
// List.toString does. The hash codes are arbitrary in Java; these are
// deterministic.
func javaObjectList(class string, n int) string {
	parts := make([]string, n)
	for i := range parts {
		parts[i] = fmt.Sprintf("%s%s@%x", javaModelPackage, class, uint32(0x1b6d3586+i*0x9e3779b1))
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

// clientRequestToken checks the ClientRequestToken length (1..36).
func (v *violations) clientRequestToken(token *string) {
	if token == nil {
		return
	}
	if len(*token) < 1 {
		v.add(*token, "clientRequestToken", "Member must have length greater than or equal to 1")
	}
	if len(*token) > maxClientRequestToken {
		v.add(*token, "clientRequestToken", "Member must have length less than or equal to "+strconv.Itoa(maxClientRequestToken))
	}
}

// transactMember is the Coral path of an action's members, e.g.
// "transactItems.3.member.put.".
func transactMember(i int, action string) string {
	return "transactItems." + strconv.Itoa(i+1) + ".member." + action + "."
}

// payloadTooLarge is DynamoDB's answer to a transaction whose items add up
// to more than 4 MB (the text repeats itself on the real service).
func payloadTooLarge(size int) error {
	return Validation("Transaction payload size cannot exceed 4MB. Payload Size: : Transaction payload size cannot exceed 4MB. Payload Size: %d", size)
}
