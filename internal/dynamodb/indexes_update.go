package dynamodb

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/ebbtide/ebbtide/internal/attr"
	"github.com/ebbtide/ebbtide/internal/engine"
)

// UpdateTable's GlobalSecondaryIndexUpdates: Create adds a global secondary
// index (built in the background from the items already there: CREATING
// with Backfilling true, then ACTIVE), Delete removes one (the response
// says DELETING; it is gone at once), Update changes one's provisioned
// throughput. As in DynamoDB, one Create or Delete per call and per table
// at a time; local secondary indexes cannot be added, changed or removed.

// Messages of the index update rules.
const (
	msgOneOnlineIndex = "Subscriber limit exceeded: Only 1 online index can be created or deleted simultaneously per table"
	msgGlobalLimit    = "Subscriber limit exceeded: Number of global secondary indexes exceeds per-table limit of 20"
	msgIndexExists    = "Attempting to create an index which already exists"
)

// indexUpdateName returns the index an update entry names ("" when it
// has no action or no name).
func indexUpdateName(u GlobalSecondaryIndexUpdate) string {
	var name *string
	switch {
	case u.Create != nil:
		name = u.Create.IndexName
	case u.Update != nil:
		name = u.Update.IndexName
	case u.Delete != nil:
		name = u.Delete.IndexName
	}
	if name == nil {
		return ""
	}
	return *name
}

// indexUpdates records the Coral violations of GlobalSecondaryIndexUpdates.
func (v *violations) indexUpdates(list []GlobalSecondaryIndexUpdate) {
	for i, u := range list {
		p := fmt.Sprintf("globalSecondaryIndexUpdates.%d.member.", i+1)
		if a := u.Update; a != nil {
			v.tableName(a.IndexName, p+"update.indexName")
			v.provisionedThroughputAt(a.ProvisionedThroughput, p+"update.provisionedThroughput")
		}
		if a := u.Create; a != nil {
			v.tableName(a.IndexName, p+"create.indexName")
			v.provisionedThroughputAt(a.ProvisionedThroughput, p+"create.provisionedThroughput")
			v.keySchemaAt(a.KeySchema, p+"create.keySchema", maxGlobalKeyLength)
			v.projection(a.Projection, p+"create.projection")
		}
		if a := u.Delete; a != nil {
			v.tableName(a.IndexName, p+"delete.indexName")
		}
	}
}

// attributeDefinitions records the Coral violations of AttributeDefinitions.
func (v *violations) attributeDefinitions(defs []AttributeDefinition) {
	for i, d := range defs {
		p := fmt.Sprintf("attributeDefinitions.%d.member.", i+1)
		v.keyAttributeName(d.AttributeName, p+"attributeName")
		if d.AttributeType == nil {
			v.addNull(p + "attributeType")
		} else {
			v.enumAlways(*d.AttributeType, p+"attributeType", "B", "N", "S")
		}
	}
}

// checkIndexUpdateList applies the rules of GlobalSecondaryIndexUpdates that
// need no table: exactly one action per entry, one entry per index, no
// index created or deleted along with a throughput or stream change, and a
// well-formed Create.
func (in *UpdateTableInput) checkIndexUpdateList() error {
	seen := map[string]bool{}
	onlineChange := false
	for _, u := range in.GlobalSecondaryIndexUpdates {
		n := 0
		for _, set := range []bool{u.Create != nil, u.Update != nil, u.Delete != nil} {
			if set {
				n++
			}
		}
		switch {
		case n == 0:
			return invalidParam("One of GlobalSecondaryIndexUpdate.Update, GlobalSecondaryIndexUpdate.Create, GlobalSecondaryIndexUpdate.Delete must not be null")
		case n > 1:
			return invalidParam("Only one global secondary index action is allowed per GlobalSecondaryIndexUpdate object")
		}
		name := indexUpdateName(u)
		if seen[name] {
			return invalidParam("Only one global secondary index update per index is allowed simultaneously. Index: %s", name)
		}
		seen[name] = true
		onlineChange = onlineChange || u.Update == nil
	}
	switch {
	case onlineChange && in.ProvisionedThroughput != nil:
		return invalidParam("You cannot create or delete index while updating table IOPS")
	case onlineChange && in.StreamSpecification != nil:
		return invalidParam("You cannot create or delete index while changing stream status")
	}
	for _, u := range in.GlobalSecondaryIndexUpdates {
		c := u.Create
		if c == nil {
			continue
		}
		if in.AttributeDefinitions == nil {
			return invalidParam("AttributeDefinitions is not specified for index: %s", *c.IndexName)
		}
		if err := checkKeyOrder(c.KeySchema); err != nil {
			return err
		}
		if err := checkProjection(c.Projection); err != nil {
			return err
		}
	}
	return nil
}

// indexPlan is what an UpdateTable request does to a table's global
// secondary indexes, checked against the table.
type indexPlan struct {
	create *engine.IndexSpec // the index to add
	delete string            // the index to remove
	// switching says the request changes the billing mode.
	switching bool
	// oldUnits holds the throughput each Update action replaced (see
	// echoUpdatedIndexes).
	oldUnits map[string][2]int64
}

// planIndexUpdates applies the rules of GlobalSecondaryIndexUpdates that
// depend on the table t (before the request changes it) and returns the
// plan of the request's index changes.
func (in *UpdateTableInput) planIndexUpdates(t *engine.Table) (*indexPlan, error) {
	mode := t.BillingMode
	if in.BillingMode != "" {
		mode = in.BillingMode
	}
	p := &indexPlan{switching: mode != t.BillingMode}
	online := 0
	for _, u := range in.GlobalSecondaryIndexUpdates {
		if u.Update == nil {
			online++
		}
	}
	busy := slices.ContainsFunc(t.Indexes, func(ix engine.Index) bool {
		return ix.Status == engine.IndexCreating || ix.Status == engine.IndexDeleting
	})
	if online > 1 || (online == 1 && busy) {
		return nil, Dynamo("LimitExceededException", msgOneOnlineIndex)
	}
	for _, u := range in.GlobalSecondaryIndexUpdates {
		var err error
		switch {
		case u.Update != nil:
			err = checkIndexThroughputUpdate(t, u.Update, mode)
		case u.Delete != nil:
			_, err = globalIndex(t, *u.Delete.IndexName, "delete")
			p.delete = *u.Delete.IndexName
		case u.Create != nil:
			var spec engine.IndexSpec
			spec, err = in.newIndexSpec(t, u.Create, mode)
			p.create = &spec
		}
		if err != nil {
			return nil, err
		}
	}
	if p.switching && mode == billingProvisioned {
		if err := in.requireIndexThroughput(t); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// globalIndex returns the global secondary index of t with that name, or
// the error DynamoDB gives an update or delete (verb) of a missing index or
// of a local one.
func globalIndex(t *engine.Table, name, verb string) (*engine.Index, error) {
	i := slices.IndexFunc(t.Indexes, func(ix engine.Index) bool { return ix.Name == name })
	switch {
	case i < 0:
		return nil, Dynamo("ResourceNotFoundException", "Requested resource not found: Index %s for table %s", name, t.Name)
	case t.Indexes[i].Local:
		return nil, Validation("Cannot %s an index that is not a GlobalSecondaryIndex: %s", verb, name)
	}
	return &t.Indexes[i], nil
}

// checkIndexThroughputUpdate checks an Update action: the index exists and
// is global, the table is provisioned, and the throughput is complete and
// changes.
func checkIndexThroughputUpdate(t *engine.Table, a *UpdateGlobalSecondaryIndexAction, mode string) error {
	ix, err := globalIndex(t, *a.IndexName, "update")
	if err != nil {
		return err
	}
	pt := a.ProvisionedThroughput
	switch {
	case mode == billingPayPerRequest:
		return invalidParam("The only Updates for index: %s when TableThroughputMode is PAY_PER_REQUEST can be to OnDemandThroughput, WarmThroughput", ix.Name)
	case pt == nil:
		return invalidParam("Both ReadCapacityUnits and WriteCapacityUnits must be specified for index: %s", ix.Name)
	}
	if err := capacityBounds(pt); err != nil {
		return err
	}
	read, write := *pt.ReadCapacityUnits, *pt.WriteCapacityUnits
	if t.BillingMode == billingProvisioned && read == ix.ReadCapacityUnits && write == ix.WriteCapacityUnits {
		return Validation("The provisioned throughput for the index %s will not change. The requested value equals the current value. "+
			"Current ReadCapacityUnits provisioned for index %s: %d. Requested ReadCapacityUnits: %d. "+
			"Current WriteCapacityUnits provisioned for index %s: %d. Requested WriteCapacityUnits: %d. "+
			"Refer to the Amazon DynamoDB Developer Guide for current limits and how to request higher limits.",
			ix.Name, ix.Name, ix.ReadCapacityUnits, read, ix.Name, ix.WriteCapacityUnits, write)
	}
	return nil
}

// requireIndexThroughput checks that a switch to PROVISIONED gives every
// global secondary index a throughput (DynamoDB assigns none itself).
func (in *UpdateTableInput) requireIndexThroughput(t *engine.Table) error {
	var missing []string
	for _, ix := range t.Indexes {
		if ix.Local || ix.Status == engine.IndexDeleting {
			continue
		}
		if !slices.ContainsFunc(in.GlobalSecondaryIndexUpdates, func(u GlobalSecondaryIndexUpdate) bool {
			return u.Update != nil && *u.Update.IndexName == ix.Name
		}) {
			missing = append(missing, ix.Name)
		}
	}
	if missing != nil {
		return invalidParam("ProvisionedThroughput must be specified for index: %s", strings.Join(missing, ","))
	}
	return nil
}

// newIndexSpec checks a Create action against the table and returns the
// index to add: a new name, key attributes defined (by the request or by
// the table), throughput as the billing mode wants, and the limits.
func (in *UpdateTableInput) newIndexSpec(t *engine.Table, c *CreateGlobalSecondaryIndexAction, mode string) (engine.IndexSpec, error) {
	name := *c.IndexName
	if slices.ContainsFunc(t.Indexes, func(ix engine.Index) bool { return ix.Name == name }) {
		return engine.IndexSpec{}, Validation(msgIndexExists)
	}
	types := keyTypes(t)
	var defNames []string
	for _, d := range in.AttributeDefinitions {
		types[*d.AttributeName] = attr.KindFromName(*d.AttributeType)
		defNames = append(defNames, *d.AttributeName)
	}
	defined := func(n string) bool { _, ok := types[n]; return ok }
	if err := checkUndefinedKeys(c.KeySchema, defined, defNames); err != nil {
		return engine.IndexSpec{}, err
	}
	pt := c.ProvisionedThroughput
	switch {
	case mode == billingPayPerRequest && pt != nil:
		return engine.IndexSpec{}, invalidParam("Neither ReadCapacityUnits nor WriteCapacityUnits can be specified for index: %s when BillingMode is PAY_PER_REQUEST", name)
	case mode != billingPayPerRequest && pt == nil:
		return engine.IndexSpec{}, invalidParam("Both ReadCapacityUnits and WriteCapacityUnits must be specified for index: %s", name)
	case pt != nil:
		if err := capacityBounds(pt); err != nil {
			return engine.IndexSpec{}, err
		}
	}
	global, projected := 0, len(c.Projection.NonKeyAttributes)
	for _, ix := range t.Indexes {
		if !ix.Local {
			global++
		}
		projected += len(ix.Projection.NonKeyAttributes)
	}
	if global >= maxGlobalIndexes {
		return engine.IndexSpec{}, Dynamo("LimitExceededException", msgGlobalLimit)
	}
	if projected > maxProjectedTotal {
		return engine.IndexSpec{}, invalidParam(msgProjectedTotal)
	}
	return indexSpec(false, name, c.KeySchema, c.Projection, pt, func(n string) attr.Kind { return types[n] }), nil
}

// keyTypes returns the types of the key attributes of a table and of its
// indexes.
func keyTypes(t *engine.Table) map[string]attr.Kind {
	out := map[string]attr.Kind{}
	add := func(ks engine.KeySchema) {
		out[ks.Hash.Name] = ks.Hash.Type
		if ks.Range != nil {
			out[ks.Range.Name] = ks.Range.Type
		}
	}
	add(t.KeySchema)
	for _, ix := range t.Indexes {
		add(ix.KeySchema)
	}
	return out
}

// applyIndexThroughput sets the throughput of the global secondary indexes
// after the billing mode of t is settled: none on demand, the requested
// units for each Update otherwise. Without a billing switch it records in
// p the throughput each Update replaced.
func (in *UpdateTableInput) applyIndexThroughput(t *engine.Table, p *indexPlan) {
	old := map[string][2]int64{}
	for i := range t.Indexes {
		ix := &t.Indexes[i]
		if ix.Local {
			continue
		}
		if t.BillingMode == billingPayPerRequest {
			ix.ReadCapacityUnits, ix.WriteCapacityUnits = 0, 0
			continue
		}
		for _, u := range in.GlobalSecondaryIndexUpdates {
			if u.Update != nil && *u.Update.IndexName == ix.Name {
				old[ix.Name] = [2]int64{ix.ReadCapacityUnits, ix.WriteCapacityUnits}
				ix.ReadCapacityUnits, ix.WriteCapacityUnits = *u.Update.ProvisionedThroughput.ReadCapacityUnits, *u.Update.ProvisionedThroughput.WriteCapacityUnits
			}
		}
	}
	if !p.switching {
		p.oldUnits = old
	}
}

// applyIndexChange adds or removes the index of an UpdateTable request
// after its other changes are stored, and returns the table as the
// response describes it: UPDATING, with the new index CREATING (and
// Backfilling) or the removed one DELETING; indexes an Update changed show
// as echoUpdatedIndexes says.
func (a *API) applyIndexChange(ctx context.Context, t *engine.Table, p *indexPlan) (*engine.Table, error) {
	out, err := t, error(nil)
	switch {
	case p.create != nil:
		out, err = a.eng.AddIndex(ctx, t.Name, *p.create)
	case p.delete != "":
		out, err = a.eng.DeleteIndex(ctx, t.Name, p.delete)
	}
	switch {
	case tableUnavailable(err):
		return nil, tableNotFound(t.Name)
	case errors.Is(err, engine.ErrIndexExists):
		return nil, Validation(msgIndexExists)
	case errors.Is(err, engine.ErrIndexNotFound):
		return nil, Dynamo("ResourceNotFoundException", "Requested resource not found: Index %s for table %s", p.delete, t.Name)
	case err != nil:
		return nil, err
	}
	if out != t {
		out.Status = engine.StatusUpdating
	}
	echoUpdatedIndexes(out, p.oldUnits)
	return out, nil
}

// echoUpdatedIndexes marks the indexes an Update action changed as
// UPDATING in the response and, as DynamoDB's response does, shows their
// throughput from before the change (old, from applyIndexThroughput).
func echoUpdatedIndexes(t *engine.Table, old map[string][2]int64) {
	for i := range t.Indexes {
		if units, ok := old[t.Indexes[i].Name]; ok {
			t.Indexes[i].Status = engine.IndexUpdating
			t.Indexes[i].ReadCapacityUnits, t.Indexes[i].WriteCapacityUnits = units[0], units[1]
		}
	}
}
