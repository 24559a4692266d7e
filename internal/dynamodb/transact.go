package dynamodb

import (
	"context"

	"github.com/ebbtide/ebbtide/internal/attr"
	"github.com/ebbtide/ebbtide/internal/engine"
)

// registerTransactOps adds TransactWriteItems and TransactGetItems.
func (a *API) registerTransactOps() {
	a.ops["TransactWriteItems"] = a.transactWriteItems
	a.ops["TransactGetItems"] = a.transactGetItems
}

// transactTables looks up the tables a transaction names (by name or ARN,
// as resolved by tableRef), in request order, so that the first missing one
// is reported. Like every data-plane operation, a table being created or
// deleted is not found.
func (a *API) transactTables(ctx context.Context, refs []string) (map[string]*engine.Table, error) {
	tables := make(map[string]*engine.Table, 2)
	for _, ref := range refs {
		if _, ok := tables[ref]; ok {
			continue
		}
		t, err := a.itemTable(ctx, ref)
		if err != nil {
			return nil, err
		}
		tables[ref] = t
	}
	return tables, nil
}

// itemSet detects a transaction naming one item twice. A table named once
// by name and once by ARN is one table.
type itemSet map[string]struct{}

// add records an item and fails if it was already there.
func (s itemSet) add(t *engine.Table, key attr.Item) error {
	k := t.Name + "\x00" + keyString(key)
	if _, dup := s[k]; dup {
		return Validation(msgDuplicateTransactItem)
	}
	s[k] = struct{}{}
	return nil
}
