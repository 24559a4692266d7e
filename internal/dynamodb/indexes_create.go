package dynamodb

import (
	"slices"
	"strings"

	"github.com/ebbtide/ebbtide/internal/attr"
	"github.com/ebbtide/ebbtide/internal/engine"
)

// createIndexSpecs validates the secondary indexes of a CreateTable request
// whose table key schema is valid, in DynamoDB's order, and returns them as
// engine specs: empty lists and the LSI's need of a table sort key first,
// then undefined and unused attribute definitions (which mask every later
// rule), then each LSI and each GSI, then the per-table limits.
func createIndexSpecs(in *CreateTableInput, defs map[string]attr.Kind, defNames []string, mode string) ([]engine.IndexSpec, error) {
	lsis, gsis := in.LocalSecondaryIndexes, in.GlobalSecondaryIndexes
	if lsis != nil {
		if len(lsis) == 0 {
			return nil, invalidParam("List of LocalSecondaryIndexes is empty")
		}
		if len(in.KeySchema) != 2 {
			return nil, invalidParam("Table KeySchema does not have a range key, which is required when specifying a LocalSecondaryIndex")
		}
	}
	if gsis != nil && len(gsis) == 0 {
		return nil, invalidParam("List of GlobalSecondaryIndexes is empty")
	}
	defined := func(n string) bool { _, ok := defs[n]; return ok }
	schemas := make([][]KeySchemaElement, 0, len(lsis)+len(gsis))
	for _, ix := range lsis {
		schemas = append(schemas, ix.KeySchema)
	}
	for _, ix := range gsis {
		schemas = append(schemas, ix.KeySchema)
	}
	for _, ks := range schemas {
		if err := checkUndefinedKeys(ks, defined, defNames); err != nil {
			return nil, err
		}
	}
	if err := checkUnusedDefinitions(defNames, append([][]KeySchemaElement{in.KeySchema}, schemas...)); err != nil {
		return nil, err
	}

	kind := func(n string) attr.Kind { return defs[n] }
	names := map[string]bool{}
	specs := make([]engine.IndexSpec, 0, len(schemas))
	projections := make([]*Projection, 0, len(schemas))
	tableHash := *in.KeySchema[0].AttributeName
	for _, ix := range lsis {
		name := *ix.IndexName
		if err := checkLocalKeySchema(name, ix.KeySchema, tableHash); err != nil {
			return nil, err
		}
		if err := checkProjection(ix.Projection); err != nil {
			return nil, err
		}
		if names[name] {
			return nil, invalidParam("Duplicate index name: %s", name)
		}
		names[name] = true
		specs = append(specs, indexSpec(true, name, ix.KeySchema, ix.Projection, nil, kind))
		projections = append(projections, ix.Projection)
	}
	if len(lsis) > maxLocalIndexes {
		return nil, invalidParam("Number of LocalSecondaryIndexes exceeds per-table limit of %d", maxLocalIndexes)
	}
	for _, ix := range gsis {
		name := *ix.IndexName
		if err := checkKeyOrder(ix.KeySchema); err != nil {
			return nil, err
		}
		if err := checkProjection(ix.Projection); err != nil {
			return nil, err
		}
		if err := checkGlobalThroughput(name, mode, ix.ProvisionedThroughput); err != nil {
			return nil, err
		}
		if names[name] {
			return nil, invalidParam("Duplicate index name: %s", name)
		}
		names[name] = true
		specs = append(specs, indexSpec(false, name, ix.KeySchema, ix.Projection, ix.ProvisionedThroughput, kind))
		projections = append(projections, ix.Projection)
	}
	if len(gsis) > maxGlobalIndexes {
		return nil, invalidParam("GlobalSecondaryIndex count exceeds the per-table limit of %d", maxGlobalIndexes)
	}
	if projectedTotal(projections...) > maxProjectedTotal {
		return nil, invalidParam(msgProjectedTotal)
	}
	return specs, nil
}

// checkLocalKeySchema applies the key schema rules of a local secondary
// index: the common ones, then a sort key and the table's partition key.
func checkLocalKeySchema(name string, ks []KeySchemaElement, tableHash string) error {
	if err := checkKeyOrder(ks); err != nil {
		return err
	}
	if len(ks) != 2 {
		return invalidParam("Index KeySchema does not have a range key for index: %s", name)
	}
	if h := *ks[0].AttributeName; h != tableHash {
		return invalidParam("Index KeySchema does not have the same leading hash key as table KeySchema for index: %s. index hash key: %s, table hash key: %s",
			name, h, tableHash)
	}
	return nil
}

// checkUnusedDefinitions rejects attribute definitions no key schema (the
// table's or an index's) uses.
func checkUnusedDefinitions(defNames []string, schemas [][]KeySchemaElement) error {
	var used []string
	for _, ks := range schemas {
		for _, n := range keyNames(ks) {
			if !slices.Contains(used, n) {
				used = append(used, n)
			}
		}
	}
	if len(defNames) > len(used) {
		return invalidParam("Some AttributeDefinitions are not used. AttributeDefinitions: [%s], keys used: [%s]",
			strings.Join(defNames, ", "), strings.Join(used, ", "))
	}
	return nil
}

// indexSpec builds the engine's specification of a validated index; kind
// gives the declared type of a key attribute.
func indexSpec(local bool, name string, ks []KeySchemaElement, p *Projection, pt *ProvisionedThroughput, kind func(string) attr.Kind) engine.IndexSpec {
	s := engine.IndexSpec{
		Name:       name,
		Local:      local,
		Projection: engine.Projection{Type: *p.ProjectionType, NonKeyAttributes: slices.Clone(p.NonKeyAttributes)},
	}
	hash := *ks[0].AttributeName
	s.KeySchema.Hash = engine.KeyAttr{Name: hash, Type: kind(hash)}
	if len(ks) == 2 {
		rng := *ks[1].AttributeName
		s.KeySchema.Range = &engine.KeyAttr{Name: rng, Type: kind(rng)}
	}
	if pt != nil {
		s.ReadCapacityUnits, s.WriteCapacityUnits = *pt.ReadCapacityUnits, *pt.WriteCapacityUnits
	}
	return s
}
