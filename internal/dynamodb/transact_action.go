package dynamodb

import (
	"github.com/ebbtide/ebbtide/internal/attr"
	"github.com/ebbtide/ebbtide/internal/engine"
	"github.com/ebbtide/ebbtide/internal/expr"
)

// Action kinds of TransactWriteItems, with the member names Coral uses in
// its paths.
const (
	kindConditionCheck = "conditionCheck"
	kindPut            = "put"
	kindDelete         = "delete"
	kindUpdate         = "update"
)

// txAction is one TransactWriteItems action on its way from the request to
// an engine mutation.
type txAction struct {
	kind       string // kindPut, ...
	path       string // Coral member path prefix, e.g. "transactItems.2.member.put."
	common     *transactCommon
	key        attr.Item // the Key member (nil for Put)
	item       attr.Item // Put's Item
	updateExpr *string   // Update's UpdateExpression
	tableRef   string    // the table name to look up (from a name or an ARN)

	// Compiled by compile.
	cond   *expr.Condition
	upd    *expr.Update
	values map[string]attr.Value // the decoded ExpressionAttributeValues

	// Bound by bindTable.
	table   *engine.Table
	itemKey attr.Item // the primary key of the item written or checked
}

// actions returns the actions set in a TransactWriteItem, in the order Coral
// reports their members (the shape's members in alphabetical order).
func (w *TransactWriteItem) actions(i int) []*txAction {
	var out []*txAction
	if c := w.ConditionCheck; c != nil {
		out = append(out, &txAction{kind: kindConditionCheck, path: transactMember(i, kindConditionCheck), common: &c.transactCommon, key: c.Key})
	}
	if d := w.Delete; d != nil {
		out = append(out, &txAction{kind: kindDelete, path: transactMember(i, kindDelete), common: &d.transactCommon, key: d.Key})
	}
	if p := w.Put; p != nil {
		out = append(out, &txAction{kind: kindPut, path: transactMember(i, kindPut), common: &p.transactCommon, item: p.Item})
	}
	if u := w.Update; u != nil {
		out = append(out, &txAction{kind: kindUpdate, path: transactMember(i, kindUpdate), common: &u.transactCommon, key: u.Key, updateExpr: u.UpdateExpression})
	}
	return out
}

// constraints records the action's Coral violations, in the order of its
// shape's members, and returns the table to look up and an error to report
// once no violation is found (see API.tableRef).
func (x *txAction) constraints(a *API, v *violations) error {
	if x.kind == kindPut {
		if x.item == nil {
			v.addNull(x.path + "item")
		}
	} else if x.key == nil {
		v.addNull(x.path + "key")
	}
	if x.kind == kindUpdate && x.updateExpr == nil {
		v.addNull(x.path + "updateExpression")
	}
	name, later := a.tableRef(v, x.path+"tableName", x.common.TableName)
	x.tableRef = name
	if x.kind == kindConditionCheck && x.common.ConditionExpression == nil {
		v.addNull(x.path + "conditionExpression")
	}
	v.enum(x.common.ReturnValuesOnConditionCheckFailure, x.path+"returnValuesOnConditionCheckFailure", "ALL_OLD", "NONE")
	return later
}

// compile applies the expression rules to the action and compiles its
// expressions: the mixing rules, ExpressionAttributeNames/Values, the
// UpdateExpression, the ConditionExpression, then unused names or values.
// A Put's item size is checked here too, before any table is looked up.
func (x *txAction) compile() error {
	c := x.common
	var exprs []member
	if x.kind == kindUpdate {
		exprs = append(exprs, member{"UpdateExpression", true})
	}
	exprs = append(exprs, member{"ConditionExpression", c.ConditionExpression != nil})
	if err := checkExpressionParams(exprs, nil, c.ExpressionAttributeNames, c.ExpressionAttributeValues); err != nil {
		return err
	}
	ectx, err := newExprContext(c.ExpressionAttributeNames, c.ExpressionAttributeValues)
	if err != nil {
		return err
	}
	if x.updateExpr != nil {
		if x.upd, err = compileUpdate(ectx, x.updateExpr, nil); err != nil {
			return err
		}
	}
	if x.cond, err = compileCondition(ectx, c.ConditionExpression, nil, ""); err != nil {
		return err
	}
	if err := ectx.CheckUnused(); err != nil {
		return exprError(err)
	}
	x.values = ectx.Values
	if x.kind == kindPut && attr.ItemSize(x.item) > maxItemBytes {
		return Validation("Item size has exceeded the maximum allowed size")
	}
	return nil
}

// payload is the action's share of the transaction's payload: the item it
// puts, or the key it names, plus its expression attribute values.
func (x *txAction) payload() int {
	n := attr.ItemSize(x.item) + attr.ItemSize(x.key)
	for _, v := range x.values {
		n += attr.Size(v)
	}
	return n
}

// bindTable checks the action's key against its table's schema (the key
// attributes of a Put's item, and that its index key attributes are not
// empty; for an Update also that it does not touch a key attribute) and
// records the table and the item's primary key.
func (x *txAction) bindTable(t *engine.Table) error {
	x.table = t
	if x.kind == kindPut {
		if err := checkItemPrimaryKey(t, x.item); err != nil {
			return err
		}
		if err := indexKeyError(t, x.item, indexKeyEmpty, false); err != nil {
			return err
		}
		x.itemKey = itemKey(t, x.item)
		return nil
	}
	if err := checkKey(t, x.key); err != nil {
		return err
	}
	x.itemKey = x.key
	if x.kind == kindUpdate {
		return checkKeyNotUpdated(t, x.upd)
	}
	return nil
}

// mutation is the engine mutation that carries out the action under the
// item's lock: the condition first, then the write. A ConditionCheck writes
// nothing (it returns the stored item itself). An index key attribute of
// the wrong type in the item written is a ValidationError cancellation
// reason, as in DynamoDB (outside a transaction it fails the request); a
// Put's item is checked before its condition, an Update's result after.
func (x *txAction) mutation() engine.Mutation {
	returnOld := x.common.ReturnValuesOnConditionCheckFailure == "ALL_OLD"
	return engine.Mutation{Table: x.table.Name, Key: x.itemKey, Fn: func(old attr.Item) (attr.Item, error) {
		if x.kind == kindPut { // the item alone decides, before the condition
			if err := indexKeyError(x.table, x.item, indexKeyType, false); err != nil {
				return nil, err
			}
		}
		if err := checkCondition(x.cond, old, returnOld); err != nil {
			return nil, err
		}
		switch x.kind {
		case kindPut:
			return x.item, nil
		case kindDelete:
			return nil, nil
		case kindUpdate:
			return applyTransactUpdate(x.table, x.upd, old, x.key)
		}
		return old, nil
	}}
}

// applyTransactUpdate applies an Update action's expression to the stored
// item of table t, or to its key when the item does not exist. A failure of
// the expression against the item, or an index key attribute left with the
// wrong type, is a ValidationError cancellation reason; an item grown past
// the size limit, or an index key attribute left empty, fails the whole
// request.
func applyTransactUpdate(t *engine.Table, upd *expr.Update, old, key attr.Item) (attr.Item, error) {
	base := old
	if base == nil {
		base = key
	}
	item, _, err := upd.Apply(base)
	if err != nil {
		return nil, exprError(err)
	}
	if attr.ItemSize(item) > maxItemBytes {
		return nil, requestError{Validation("Item size to update has exceeded the maximum allowed size")}
	}
	if err := indexKeyError(t, item, indexKeyEmpty, true); err != nil {
		return nil, requestError{err.(*Error)}
	}
	if err := indexKeyError(t, item, indexKeyType, false); err != nil {
		return nil, err
	}
	return item, nil
}

// requestError marks an error found while applying an action that fails the
// whole request instead of becoming a cancellation reason.
type requestError struct{ err *Error }

// Error returns the wrapped error's text.
func (e requestError) Error() string { return e.err.Error() }
