package repo

import "sync"

// bufPool recycles writers' buffers by capacity. Every writer frames into
// three 1 MiB buffers and cuts chunks into up to Workers+2 more (MaxSize,
// 8 MiB by default, or the fixed chunk size); PITR makes a writer every
// second per table, and allocating and zeroing those per writer cost more
// CPU than compressing the segment. A sync.Pool would not do: it is
// emptied by garbage collections, several of which run between two
// segments under a write load. So the pool keeps up to poolBudget bytes
// of buffers of each capacity, for as long as the process runs.
type bufPool struct {
	mu   sync.Mutex
	free map[int][][]byte // capacity → buffers
}

const poolBudget = 16 << 20

var buffers bufPool

// get returns an empty buffer of capacity size.
func (p *bufPool) get(size int) []byte {
	p.mu.Lock()
	if l := p.free[size]; len(l) > 0 {
		b := l[len(l)-1]
		p.free[size] = l[:len(l)-1]
		p.mu.Unlock()
		return b
	}
	p.mu.Unlock()
	return make([]byte, 0, size)
}

// put gives b back (nil is ignored); b must not be used afterwards.
func (p *bufPool) put(b []byte) {
	c := cap(b)
	if c == 0 {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if (len(p.free[c])+1)*c > max(poolBudget, c) {
		return // over budget: left to the garbage collector
	}
	if p.free == nil {
		p.free = map[int][][]byte{}
	}
	p.free[c] = append(p.free[c], b[:0])
}

// drain puts back every buffer waiting in ch (without blocking).
func (p *bufPool) drain(ch chan []byte) {
	for {
		select {
		case b := <-ch:
			p.put(b)
		default:
			return
		}
	}
}
