package dynamodb

import (
	"fmt"
	"strings"
)

// Validation of secondary index declarations, shared by CreateTable and
// UpdateTable's Create action: Coral constraints first, then DynamoDB's
// own rules with its texts (dynalite's tests, run against DynamoDB, and a
// 2026 catalogue of messages observed on the real service).

// Secondary index limits.
const (
	maxLocalIndexes     = 5   // local secondary indexes per table
	maxGlobalIndexes    = 20  // global secondary indexes per table
	maxNonKeyAttributes = 20  // NonKeyAttributes of one index (Coral)
	maxProjectedTotal   = 100 // NonKeyAttributes summed over a table's indexes
	maxGlobalKeyLength  = 8   // a GSI KeySchema: up to 4 HASH and 4 RANGE attributes
)

// Projection types.
const (
	projectionAll      = "ALL"
	projectionKeysOnly = "KEYS_ONLY"
	projectionInclude  = "INCLUDE"
)

// invalidParam returns the ValidationException DynamoDB words as "One or
// more parameter values were invalid: ...".
func invalidParam(format string, args ...any) *Error {
	return Validation("One or more parameter values were invalid: "+format, args...)
}

// localSecondaryIndexes records the Coral violations of CreateTable's
// LocalSecondaryIndexes, member by member in DynamoDB's order.
func (v *violations) localSecondaryIndexes(list []LocalSecondaryIndex) {
	for i, ix := range list {
		p := fmt.Sprintf("localSecondaryIndexes.%d.member.", i+1)
		v.tableName(ix.IndexName, p+"indexName") // same pattern and length rules
		v.keySchemaAt(ix.KeySchema, p+"keySchema", 2)
		v.projection(ix.Projection, p+"projection")
	}
}

// globalSecondaryIndexes records the Coral violations of CreateTable's
// GlobalSecondaryIndexes.
func (v *violations) globalSecondaryIndexes(list []GlobalSecondaryIndex) {
	for i, ix := range list {
		p := fmt.Sprintf("globalSecondaryIndexes.%d.member.", i+1)
		v.tableName(ix.IndexName, p+"indexName")
		v.provisionedThroughputAt(ix.ProvisionedThroughput, p+"provisionedThroughput")
		v.keySchemaAt(ix.KeySchema, p+"keySchema", maxGlobalKeyLength)
		v.projection(ix.Projection, p+"projection")
	}
}

// projection records the Coral violations of a required Projection member.
func (v *violations) projection(p *Projection, member string) {
	if p == nil {
		v.addNull(member)
		return
	}
	if p.ProjectionType != nil {
		v.enumAlways(*p.ProjectionType, member+".projectionType", projectionAll, projectionInclude, projectionKeysOnly)
	}
	if nka := p.NonKeyAttributes; nka != nil {
		s := "[" + strings.Join(nka, ", ") + "]"
		switch {
		case len(nka) < 1:
			v.add(s, member+".nonKeyAttributes", "Member must have length greater than or equal to 1")
		case len(nka) > maxNonKeyAttributes:
			v.add(s, member+".nonKeyAttributes", fmt.Sprintf("Member must have length less than or equal to %d", maxNonKeyAttributes))
		}
	}
}

// checkProjection applies DynamoDB's projection rules: a type is required,
// NonKeyAttributes go with INCLUDE only (and INCLUDE needs them), each at
// most once.
func checkProjection(p *Projection) error {
	if p.ProjectionType == nil {
		return invalidParam("Unknown ProjectionType: null")
	}
	typ := *p.ProjectionType
	switch {
	case p.NonKeyAttributes != nil && typ != projectionInclude:
		return invalidParam("ProjectionType is %s, but NonKeyAttributes is specified", typ)
	case p.NonKeyAttributes == nil && typ == projectionInclude:
		return invalidParam("ProjectionType is INCLUDE, but NonKeyAttributes is not specified")
	}
	seen := make(map[string]bool, len(p.NonKeyAttributes))
	for _, n := range p.NonKeyAttributes {
		if seen[n] {
			return invalidParam("Duplicate element in NonKeyAttributes: %s", n)
		}
		seen[n] = true
	}
	return nil
}

// checkKeyOrder applies the key schema rules every key schema shares
// (the table's too): distinct names, HASH first, RANGE second.
func checkKeyOrder(ks []KeySchemaElement) error {
	if len(ks) == 2 && *ks[0].AttributeName == *ks[1].AttributeName {
		return Validation("Both the Hash Key and the Range Key element in the KeySchema have the same name")
	}
	if *ks[0].KeyType != keyTypeHash {
		return Validation("Invalid KeySchema: The first KeySchemaElement is not a HASH key type")
	}
	if len(ks) == 2 && *ks[1].KeyType != keyTypeRange {
		return Validation("Invalid KeySchema: The second KeySchemaElement is not a RANGE key type")
	}
	return nil
}

// checkUndefinedKeys reports index key attributes missing from the
// attribute definitions (defined reports whether a name is defined; names
// lists the definitions for the message).
func checkUndefinedKeys(ks []KeySchemaElement, defined func(string) bool, names []string) error {
	keys := keyNames(ks)
	for _, k := range keys {
		if !defined(k) {
			return invalidParam("Some index key attributes are not defined in AttributeDefinitions. Keys: [%s], AttributeDefinitions: [%s]",
				strings.Join(keys, ", "), strings.Join(names, ", "))
		}
	}
	return nil
}

// keyNames lists the attribute names of a key schema.
func keyNames(ks []KeySchemaElement) []string {
	out := make([]string, len(ks))
	for i, k := range ks {
		out[i] = *k.AttributeName
	}
	return out
}

// checkGlobalThroughput applies CreateTable's billing rules to one global
// secondary index: PROVISIONED tables give every GSI a throughput,
// on-demand tables give none.
func checkGlobalThroughput(name, mode string, pt *ProvisionedThroughput) error {
	switch {
	case mode == billingPayPerRequest && pt != nil:
		return invalidParam("ProvisionedThroughput should not be specified for index: %s when BillingMode is PAY_PER_REQUEST", name)
	case mode != billingPayPerRequest && pt == nil:
		return invalidParam("ProvisionedThroughput is not specified for index: %s", name)
	case pt != nil:
		return capacityBounds(pt)
	}
	return nil
}

// projectedTotal counts the NonKeyAttributes of projections, which DynamoDB
// caps at 100 per table (an attribute projected into two indexes counts
// twice).
func projectedTotal(ps ...*Projection) int {
	n := 0
	for _, p := range ps {
		n += len(p.NonKeyAttributes)
	}
	return n
}

// msgProjectedTotal is the error for more than 100 projected attributes.
const msgProjectedTotal = "Number of projected attributes in all indexes exceeds limit of 100"
