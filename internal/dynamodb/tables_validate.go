package dynamodb

import (
	"fmt"
	"strings"
)

// Coral constraint checks of the table operations' members, recorded in the
// order DynamoDB lists them.

// keyAttributeName checks a KeySchemaAttributeName member (1..255 characters).
func (v *violations) keyAttributeName(name *string, member string) {
	switch {
	case name == nil:
		v.addNull(member)
	case len(*name) < 1:
		v.add(*name, member, "Member must have length greater than or equal to 1")
	case len(*name) > 255:
		v.add(*name, member, "Member must have length less than or equal to 255")
	}
}

// enumAlways checks that value is one of allowed; unlike enum, an empty value
// is a violation too (for required members that were sent as "").
func (v *violations) enumAlways(value, member string, allowed ...string) {
	for _, a := range allowed {
		if value == a {
			return
		}
	}
	v.add(value, member, "Member must satisfy enum value set: ["+strings.Join(allowed, ", ")+"]")
}

// provisionedThroughput checks a table's ProvisionedThroughput member.
func (v *violations) provisionedThroughput(pt *ProvisionedThroughput) {
	v.provisionedThroughputAt(pt, "provisionedThroughput")
}

// provisionedThroughputAt checks a ProvisionedThroughput member at a path:
// both units are required and at least 1 (DynamoDB lists the write units
// first).
func (v *violations) provisionedThroughputAt(pt *ProvisionedThroughput, member string) {
	if pt == nil {
		return
	}
	for _, u := range []struct {
		value  *int64
		member string
	}{
		{pt.WriteCapacityUnits, member + ".writeCapacityUnits"},
		{pt.ReadCapacityUnits, member + ".readCapacityUnits"},
	} {
		switch {
		case u.value == nil:
			v.addNull(u.member)
		case *u.value < 1:
			v.add(*u.value, u.member, "Member must have value greater than or equal to 1")
		}
	}
}

// keySchema checks a table's KeySchema.
func (v *violations) keySchema(ks []KeySchemaElement) {
	v.keySchemaAt(ks, "keySchema", 2)
}

// keySchemaAt checks a KeySchema member at a path: required, 1..maxLen
// elements, each with an attribute name and a key type of HASH or RANGE.
func (v *violations) keySchemaAt(ks []KeySchemaElement, member string, maxLen int) {
	switch {
	case ks == nil:
		v.addNull(member)
		return
	case len(ks) < 1:
		v.add(keySchemaString(ks), member, "Member must have length greater than or equal to 1")
	case len(ks) > maxLen:
		v.add(keySchemaString(ks), member, fmt.Sprintf("Member must have length less than or equal to %d", maxLen))
	}
	for i, k := range ks {
		p := fmt.Sprintf("%s.%d.member.", member, i+1)
		v.keyAttributeName(k.AttributeName, p+"attributeName")
		if k.KeyType == nil {
			v.addNull(p + "keyType")
		} else {
			v.enumAlways(*k.KeyType, p+"keyType", keyTypeHash, keyTypeRange)
		}
	}
}

// keySchemaString renders a key schema list in a violation, in the style of
// the Java model's toString: [{AttributeName: a,KeyType: HASH}, ...].
func keySchemaString(ks []KeySchemaElement) string {
	parts := make([]string, len(ks))
	for i, k := range ks {
		var fields []string
		if k.AttributeName != nil {
			fields = append(fields, "AttributeName: "+*k.AttributeName)
		}
		if k.KeyType != nil {
			fields = append(fields, "KeyType: "+*k.KeyType)
		}
		parts[i] = "{" + strings.Join(fields, ",") + "}"
	}
	return "[" + strings.Join(parts, ", ") + "]"
}
