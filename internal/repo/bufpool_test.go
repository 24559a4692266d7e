package repo

import "testing"

// The pool hands back what it was given, empty, and keeps at most its
// budget of each capacity.
func TestBufPool(t *testing.T) {
	var p bufPool
	const size = 4 << 20
	b := p.get(size)
	if cap(b) != size || len(b) != 0 {
		t.Fatalf("get: len %d cap %d", len(b), cap(b))
	}
	b = append(b, "data"...)
	p.put(b)
	if c := p.get(size); len(c) != 0 || &c[:1][0] != &b[0] {
		t.Fatal("get did not reuse the buffer put back, emptied")
	}
	for range 10 {
		p.put(make([]byte, 0, size))
	}
	if n := len(p.free[size]); n != poolBudget/size {
		t.Fatalf("pool keeps %d buffers of %d bytes, budget %d", n, size, poolBudget)
	}
	p.put(make([]byte, 0, 2*poolBudget)) // one buffer over the budget is kept
	if n := len(p.free[2*poolBudget]); n != 1 {
		t.Fatalf("pool keeps %d buffers larger than its budget, want 1", n)
	}
	p.put(nil)
}
