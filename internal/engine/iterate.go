package engine

import (
	"bytes"
	"context"

	"github.com/ebbtide/ebbtide/internal/kv"
)

// ctxCheckEvery is how many items an iteration visits between checks of
// its context.
const ctxCheckEvery = 256

// visitRange decodes and visits the items in [lower, upper), ascending or
// (reverse) descending, until visit returns false or an error. The
// iterator is a consistent point-in-time view of committed data.
func visitRange(ctx context.Context, r kv.Reader, lower, upper []byte, reverse bool, visit VisitFunc) (err error) {
	if upper != nil && bytes.Compare(lower, upper) >= 0 {
		return nil
	}
	it, err := r.NewIter(lower, upper)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := it.Close(); err == nil {
			err = cerr
		}
	}()
	var ok bool
	if reverse {
		ok = it.Last()
	} else {
		ok = it.First()
	}
	for n := 0; ok; n++ {
		if n%ctxCheckEvery == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		v, err := it.Value()
		if err != nil {
			return err
		}
		item, err := decodeItem(it.Key(), v)
		if err != nil {
			return err
		}
		more, err := visit(item)
		if err != nil || !more {
			return err
		}
		if reverse {
			ok = it.Prev()
		} else {
			ok = it.Next()
		}
	}
	return nil
}

// maxKey and minKey return the larger and smaller of two keys.
func maxKey(a, b []byte) []byte {
	if bytes.Compare(a, b) >= 0 {
		return a
	}
	return b
}

func minKey(a, b []byte) []byte {
	if bytes.Compare(a, b) <= 0 {
		return a
	}
	return b
}
