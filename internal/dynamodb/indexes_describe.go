package dynamodb

import (
	"cmp"
	"context"
	"errors"
	"slices"

	"github.com/ebbtide/ebbtide/internal/engine"
)

// describeIndexes adds a table's secondary indexes to its description, in
// the order they were created, as DynamoDB lists them; their counts are 0
// until fullDescription fills them in.
func describeIndexes(d *TableDescription, t *engine.Table) {
	for _, ix := range t.Indexes {
		if ix.Local {
			d.LocalSecondaryIndexes = append(d.LocalSecondaryIndexes, LocalSecondaryIndexDescription{
				IndexName:  ix.Name,
				KeySchema:  keySchemaElements(ix.KeySchema),
				Projection: projectionDescription(ix.Projection),
				IndexArn:   ix.ARN,
			})
			continue
		}
		g := GlobalSecondaryIndexDescription{
			IndexName:   ix.Name,
			KeySchema:   keySchemaElements(ix.KeySchema),
			Projection:  projectionDescription(ix.Projection),
			IndexStatus: ix.Status,
			// DynamoDB keeps no throughput history for on-demand indexes
			// and reports 0/0 for them.
			ProvisionedThroughput: &ProvisionedThroughputDescription{
				ReadCapacityUnits:  ix.ReadCapacityUnits,
				WriteCapacityUnits: ix.WriteCapacityUnits,
			},
			IndexArn: ix.ARN,
		}
		if ix.Backfilling {
			g.Backfilling = ptr(true)
		}
		d.GlobalSecondaryIndexes = append(d.GlobalSecondaryIndexes, g)
	}
}

// projectionDescription renders an index's projection; DynamoDB returns
// NonKeyAttributes sorted by name.
func projectionDescription(p engine.Projection) Projection {
	out := Projection{ProjectionType: ptr(p.Type)}
	if p.Type == projectionInclude {
		out.NonKeyAttributes = slices.Sorted(slices.Values(p.NonKeyAttributes))
	}
	return out
}

// attributeDefinitions lists the attributes a table's key schemas use (its
// own and its indexes'), sorted by name as DynamoDB reports them. An
// attribute only a deleted index used is no longer listed, as in DynamoDB.
func attributeDefinitions(t *engine.Table) []AttributeDefinition {
	var out []AttributeDefinition
	for name, kind := range keyTypes(t) {
		out = append(out, AttributeDefinition{AttributeName: ptr(name), AttributeType: ptr(kind.String())})
	}
	slices.SortFunc(out, func(x, y AttributeDefinition) int { return cmp.Compare(*x.AttributeName, *y.AttributeName) })
	return out
}

// fullDescription is tableDescription with the live entry counts and sizes
// of the table's indexes. An index (or table) deleted meanwhile counts 0.
func (a *API) fullDescription(ctx context.Context, t *engine.Table, stats engine.TableStats) (TableDescription, error) {
	d := tableDescription(t, stats, a.now())
	indexStats := func(name string) (engine.TableStats, error) {
		s, err := a.eng.IndexStats(ctx, t, name)
		if errors.Is(err, engine.ErrIndexNotFound) || tableUnavailable(err) {
			return engine.TableStats{}, nil
		}
		return s, err
	}
	for i := range d.LocalSecondaryIndexes {
		s, err := indexStats(d.LocalSecondaryIndexes[i].IndexName)
		if err != nil {
			return TableDescription{}, err
		}
		d.LocalSecondaryIndexes[i].ItemCount, d.LocalSecondaryIndexes[i].IndexSizeBytes = s.ItemCount, s.SizeBytes
	}
	for i := range d.GlobalSecondaryIndexes {
		s, err := indexStats(d.GlobalSecondaryIndexes[i].IndexName)
		if err != nil {
			return TableDescription{}, err
		}
		d.GlobalSecondaryIndexes[i].ItemCount, d.GlobalSecondaryIndexes[i].IndexSizeBytes = s.ItemCount, s.SizeBytes
	}
	return d, nil
}
