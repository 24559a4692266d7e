package dynamodb

import (
	"slices"

	"github.com/ebbtide/ebbtide/internal/engine"
)

// The table a restore creates, as DynamoDB builds it from a record of the
// source table (the backup's; for a point-in-time restore, the source's
// current settings): its key schema; the attribute definitions the
// kept keys use; its billing mode and the throughput recorded (table and
// GSIs); its secondary indexes; its encryption. The overrides replace
// these. Tags, TTL, streams, deletion protection and the table class are
// not carried over (the table is STANDARD).
//
// Index overrides select indexes: absent restores every index, [] none,
// and each entry must match an index of the source of the same kind by key
// schema and projection (it may rename it). On a PROVISIONED table an
// index listed in GlobalSecondaryIndexOverride needs its throughput there;
// indexes restored without an override keep their recorded throughput,
// which a table switching from PAY_PER_REQUEST does not have. On a
// PAY_PER_REQUEST table GSIs have no throughput.

// msgIndexMismatch is the error for an index override that matches no
// index of the source table.
const msgIndexMismatch = "Invalid Request: Index %s does not match a secondary index that existed in the source table and cannot be created during the restore operation"

// restoreSpec computes the specification of the table a restore creates
// from a record of the source table (a backup's record, or the source's
// current record for a point-in-time restore) and the request's overrides.
func restoreSpec(req *restoreRequest, src *engine.Table) (engine.TableSpec, error) {
	o := &req.o
	mode := src.BillingMode
	if mode == "" {
		mode = billingProvisioned
	}
	if o.billingMode != "" {
		mode = o.billingMode
	} else if mode == billingPayPerRequest && o.throughput != nil {
		return engine.TableSpec{}, Validation(msgRestoreThroughputNotProvisioned)
	}
	spec := engine.TableSpec{Name: req.target, KeySchema: cloneKeySchema(src.KeySchema), BillingMode: mode}
	if mode == billingProvisioned {
		spec.ReadCapacityUnits, spec.WriteCapacityUnits = src.ReadCapacityUnits, src.WriteCapacityUnits
		if pt := o.throughput; pt != nil {
			spec.ReadCapacityUnits, spec.WriteCapacityUnits = *pt.ReadCapacityUnits, *pt.WriteCapacityUnits
		}
	}
	r := indexRestore{src: src, mode: mode, modeOverride: o.billingMode, names: map[string]bool{}}
	lsis, err := r.locals(o.lsis)
	if err != nil {
		return engine.TableSpec{}, err
	}
	gsis, err := r.globals(o.gsis)
	if err != nil {
		return engine.TableSpec{}, err
	}
	spec.Indexes = append(lsis, gsis...)
	spec.AttributeDefinitions = restoreDefinitions(src, &spec)
	switch {
	case o.sse != nil:
		spec.SSE = req.sse
	case src.SSE != nil:
		sse := *src.SSE
		spec.SSE = &sse
	}
	return spec, nil
}

// indexRestore selects and builds the secondary indexes of a restore.
type indexRestore struct {
	src          *engine.Table
	mode         string          // the restored table's billing mode
	modeOverride string          // BillingModeOverride, or ""
	names        map[string]bool // index names taken so far
}

// locals returns the local secondary indexes to restore.
func (r *indexRestore) locals(override []LocalSecondaryIndex) ([]engine.IndexSpec, error) {
	var out []engine.IndexSpec
	if override == nil {
		for _, ix := range r.src.Indexes {
			if ix.Local {
				s, err := r.named(ix.IndexSpec, ix.Name)
				if err != nil {
					return nil, err
				}
				out = append(out, s)
			}
		}
		return out, nil
	}
	for _, o := range override {
		m, ok := r.match(true, *o.IndexName, o.KeySchema, o.Projection)
		if !ok {
			return nil, Validation(msgIndexMismatch, *o.IndexName)
		}
		s, err := r.named(m, *o.IndexName)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

// globals returns the global secondary indexes to restore, with their
// throughput.
func (r *indexRestore) globals(override []GlobalSecondaryIndex) ([]engine.IndexSpec, error) {
	var out []engine.IndexSpec
	if override == nil {
		for _, ix := range r.src.Indexes {
			if ix.Local {
				continue
			}
			s, err := r.global(ix.IndexSpec, ix.Name, nil, false)
			if err != nil {
				return nil, err
			}
			out = append(out, s)
		}
		return out, nil
	}
	for _, o := range override {
		m, ok := r.match(false, *o.IndexName, o.KeySchema, o.Projection)
		if !ok {
			return nil, Validation(msgIndexMismatch, *o.IndexName)
		}
		s, err := r.global(m, *o.IndexName, o.ProvisionedThroughput, true)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

// named returns a copy of a source index under the name it is restored as.
func (r *indexRestore) named(src engine.IndexSpec, name string) (engine.IndexSpec, error) {
	if r.names[name] {
		return engine.IndexSpec{}, invalidParam("Duplicate index name: %s", name)
	}
	r.names[name] = true
	s := src
	s.Name = name
	s.KeySchema = cloneKeySchema(src.KeySchema)
	s.Projection.NonKeyAttributes = slices.Clone(src.Projection.NonKeyAttributes)
	return s, nil
}

// global returns a source GSI restored as name with the throughput the
// billing mode and the override (pt, for an index listed in the override)
// give it.
func (r *indexRestore) global(src engine.IndexSpec, name string, pt *ProvisionedThroughput, listed bool) (engine.IndexSpec, error) {
	s, err := r.named(src, name)
	if err != nil {
		return engine.IndexSpec{}, err
	}
	if r.mode == billingPayPerRequest {
		switch {
		case pt != nil && r.modeOverride == billingPayPerRequest:
			return engine.IndexSpec{}, Validation(msgRestoreThroughputOnDemand+" for index %s", name)
		case pt != nil:
			return engine.IndexSpec{}, Validation(msgRestoreThroughputNotProvisioned+" for index %s", name)
		}
		s.ReadCapacityUnits, s.WriteCapacityUnits = 0, 0
		return s, nil
	}
	switch {
	case pt != nil:
		if err := capacityBounds(pt); err != nil {
			return engine.IndexSpec{}, err
		}
		s.ReadCapacityUnits, s.WriteCapacityUnits = *pt.ReadCapacityUnits, *pt.WriteCapacityUnits
	case listed || s.ReadCapacityUnits < 1 || s.WriteCapacityUnits < 1:
		return engine.IndexSpec{}, Validation("Invalid Request: Must specify provisioned throughput for index %s", name)
	}
	return s, nil
}

// match finds the source index of the kind asked for (local or global)
// with the key schema and projection of an override entry, preferring one
// of the same name.
func (r *indexRestore) match(local bool, name string, ks []KeySchemaElement, p *Projection) (engine.IndexSpec, bool) {
	var found *engine.IndexSpec
	for i := range r.src.Indexes {
		ix := &r.src.Indexes[i]
		if ix.Local != local || !sameKeySchema(ix.KeySchema, ks) || !sameProjection(ix.Projection, p) {
			continue
		}
		if ix.Name == name {
			return ix.IndexSpec, true
		}
		if found == nil {
			found = &ix.IndexSpec
		}
	}
	if found == nil {
		return engine.IndexSpec{}, false
	}
	return *found, true
}

// sameKeySchema reports whether a wire key schema (Coral-validated) names
// the attributes of an index's key schema in their roles.
func sameKeySchema(k engine.KeySchema, ks []KeySchemaElement) bool {
	want := []KeySchemaElement{{AttributeName: &k.Hash.Name, KeyType: ptr(keyTypeHash)}}
	if k.Range != nil {
		want = append(want, KeySchemaElement{AttributeName: &k.Range.Name, KeyType: ptr(keyTypeRange)})
	}
	return slices.EqualFunc(want, ks, func(x, y KeySchemaElement) bool {
		return *x.AttributeName == *y.AttributeName && *x.KeyType == *y.KeyType
	})
}

// sameProjection reports whether a wire projection is an index's: the same
// type and, for INCLUDE, the same attributes in any order.
func sameProjection(p engine.Projection, w *Projection) bool {
	if w.ProjectionType == nil || *w.ProjectionType != p.Type {
		return false
	}
	if p.Type != projectionInclude {
		return len(w.NonKeyAttributes) == 0
	}
	return slices.Equal(slices.Sorted(slices.Values(p.NonKeyAttributes)), slices.Sorted(slices.Values(w.NonKeyAttributes)))
}

// restoreDefinitions lists the attribute definitions of the restored table:
// those of the source that its key schemas (the table's and the kept
// indexes') use, in the source's order.
func restoreDefinitions(src *engine.Table, spec *engine.TableSpec) []engine.AttributeDefinition {
	used := map[string]engine.KeyAttr{}
	var order []string
	add := func(ks engine.KeySchema) {
		for _, k := range []*engine.KeyAttr{&ks.Hash, ks.Range} {
			if k == nil {
				continue
			}
			if _, ok := used[k.Name]; !ok {
				used[k.Name] = *k
				order = append(order, k.Name)
			}
		}
	}
	add(spec.KeySchema)
	for _, ix := range spec.Indexes {
		add(ix.KeySchema)
	}
	var out []engine.AttributeDefinition
	for _, d := range src.AttributeDefinitions {
		if _, ok := used[d.Name]; ok {
			out = append(out, d)
			delete(used, d.Name)
		}
	}
	for _, n := range order { // keys the source record did not declare
		if k, ok := used[n]; ok {
			out = append(out, engine.AttributeDefinition(k))
		}
	}
	return out
}

// cloneKeySchema returns a copy of a key schema that shares nothing with it.
func cloneKeySchema(ks engine.KeySchema) engine.KeySchema {
	if ks.Range != nil {
		r := *ks.Range
		ks.Range = &r
	}
	return ks
}
