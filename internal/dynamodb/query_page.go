package dynamodb

import (
	"github.com/ebbtide/ebbtide/internal/attr"
	"github.com/ebbtide/ebbtide/internal/expr"
)

// pageBytes is how much item data one Query or Scan page reads at most
// (1 MB): the page ends after the item that reaches it.
const pageBytes = 1 << 20

// pager builds one Query or Scan page from the items (or index entries) the
// engine visits: it counts every item read (ScannedCount) and its size,
// filters, projects, and stops at Limit items read or at the page size,
// remembering where.
type pager struct {
	source readSource
	limit  int // items to read at most; 0 for no limit
	filter *expr.Condition
	proj   *expr.Projection
	count  bool // Select=COUNT: count matches without returning them
	// fetch, when set, reads the whole item of an index entry from the
	// table (a local secondary index asked for what it does not project).
	// The filter is evaluated on the entry, before any fetch, as DynamoDB
	// does.
	fetch      func(entry attr.Item) (attr.Item, error)
	consistent bool
	read       int     // bytes of item data read
	fetched    float64 // read units of the items fetched from the table
	out        readOutput
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
	if match && !p.count {
		it := item
		if p.fetch != nil {
			full, err := p.fetch(item)
			if err != nil {
				return false, err
			}
			p.fetched += itemReadUnits(full, p.consistent)
			it = full // nil if the item was deleted since the page began
		}
		if it != nil {
			p.out.Items = append(p.out.Items, project(p.proj, it))
		} else {
			match = false
		}
	}
	if match {
		p.out.Count++
	}
	if (p.limit > 0 && p.out.ScannedCount >= p.limit) || p.read >= pageBytes {
		p.out.LastEvaluatedKey = p.source.lastKey(item)
		return false, nil
	}
	return true, nil
}

// result completes the page: Items is [] rather than absent when nothing
// matched, and the capacity is that of all data read, filtered or not,
// rounded up once over the page, plus the items fetched from the table.
func (p *pager) result(mode string) *readOutput {
	if !p.count && p.out.Items == nil {
		p.out.Items = []attr.Item{}
	}
	p.out.ConsumedCapacity = capacity(mode, p.source.table.Name, p.source.readUsage(p.read, p.consistent, p.fetched))
	return &p.out
}
