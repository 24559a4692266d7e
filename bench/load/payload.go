package main

import (
	"fmt"
	"math/rand/v2"
)

// Payload modes accepted by --payload.
const (
	payloadFixed  = "fixed"
	payloadRandom = "random"
)

// randomPoolSize is the size of the random text item payloads are cut from.
const randomPoolSize = 1 << 20

// payloadSource gives each item's "d" attribute. In fixed mode every item
// carries the same text (compresses very well on disk); in random mode item
// i carries its own window of a megabyte of random letters and digits, so a
// large table really is large on disk and cannot sit in the block cache.
type payloadSource struct {
	fixed     string
	fixedJSON []byte
	pool      []byte // random mode: randomPoolSize + size bytes of [A-Za-z0-9]
	size      int
}

func newPayloadSource(c config) (*payloadSource, error) {
	fixed := makePayload(c)
	p := &payloadSource{fixed: fixed, fixedJSON: appendJSONString(nil, fixed), size: len(fixed)}
	switch c.payload {
	case payloadFixed, "":
	case payloadRandom:
		const alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
		r := rand.New(rand.NewPCG(1, 2)) // the same data on every run
		p.pool = make([]byte, randomPoolSize+p.size)
		for i := range p.pool {
			p.pool[i] = alphabet[r.IntN(len(alphabet))]
		}
	default:
		return nil, fmt.Errorf("--payload: %q is neither %s nor %s", c.payload, payloadFixed, payloadRandom)
	}
	return p, nil
}

// window returns item i's random payload.
func (p *payloadSource) window(i int) []byte {
	off := int(uint64(i) * 2654435761 % randomPoolSize)
	return p.pool[off : off+p.size]
}

// forItem returns item i's payload.
func (p *payloadSource) forItem(i int) string {
	if p.pool == nil {
		return p.fixed
	}
	return string(p.window(i))
}

// appendJSON appends item i's payload as a JSON string.
func (p *payloadSource) appendJSON(dst []byte, i int) []byte {
	if p.pool == nil {
		return append(dst, p.fixedJSON...)
	}
	dst = append(dst, '"')
	dst = append(dst, p.window(i)...)
	return append(dst, '"')
}
