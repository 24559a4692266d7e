package dynamodb

import (
	"github.com/ebbtide/ebbtide/internal/attr"
	"github.com/ebbtide/ebbtide/internal/engine"
	"github.com/ebbtide/ebbtide/internal/expr"
)

// pageBytes is how much item data one Query or Scan page reads at most
// (1 MB): the page ends after the item that reaches it.
const pageBytes = 1 << 20

// pager builds one Query or Scan page from the items the engine visits: it
// counts every item read (ScannedCount) and its size, filters, projects, and
// stops at Limit items read or at the page size, remembering where.
type pager struct {
	table  *engine.Table
	limit  int // items to read at most; 0 for no limit
	filter *expr.Condition
	proj   *expr.Projection
	count  bool // Select=COUNT: count matches without returning them
	read   int  // bytes of item data read
	out    readOutput
}

// visit is the engine.VisitFunc of a page.
func (p *pager) visit(item attr.Item) (bool, error) {
	p.out.ScannedCount++
	p.read += attr.ItemSize(item)
	match := true
	if p.filter != nil {
		ok, err := p.filter.Eval(item)
		if err != nil {
			return false, exprError(err)
		}
		match = ok
	}
	if match {
		p.out.Count++
		if !p.count {
			p.out.Items = append(p.out.Items, project(p.proj, item))
		}
	}
	if (p.limit > 0 && p.out.ScannedCount >= p.limit) || p.read >= pageBytes {
		p.out.LastEvaluatedKey = itemKey(p.table, item)
		return false, nil
	}
	return true, nil
}

// result completes the page: Items is [] rather than absent when nothing
// matched, and the capacity is that of all data read, filtered or not,
// rounded up once over the page.
func (p *pager) result(mode string, consistent bool) *readOutput {
	if !p.count && p.out.Items == nil {
		p.out.Items = []attr.Item{}
	}
	p.out.ConsumedCapacity = capacity(mode, p.table.Name, readUnits(p.read, consistent))
	return &p.out
}
