package repo

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"sync"

	"github.com/ebbtide/ebbtide/internal/blob"
)

// Read streams the records of snapshot kind/id, in order, to fn. The
// record slice is valid only during the call. Every chunk is authenticated
// (AES-GCM), its id recomputed (HMAC) and its length checked before any of
// its records is delivered; the stream's SHA-256, length and record count
// are checked at the end. Any failure returns an error naming the object;
// an error from fn stops the read and is returned as is.
func (r *Repo) Read(ctx context.Context, kind, id string, fn func(record []byte) error) error {
	m, err := r.Manifest(ctx, kind, id)
	if err != nil {
		return err
	}
	return r.ReadManifest(ctx, m, fn)
}

// ReadManifest is Read for a manifest already in hand.
func (r *Repo) ReadManifest(ctx context.Context, m *Manifest, fn func(record []byte) error) error {
	// On return, stop the read-ahead and wait for it: no goroutine of this
	// read outlives it.
	var wg sync.WaitGroup
	defer wg.Wait()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	mkey := manifestKey(m.Kind, m.ID)
	type result struct {
		data []byte
		err  error
	}
	n := len(m.Chunks)
	slots := make([]chan result, n)
	for i := range slots {
		slots[i] = make(chan result, 1)
	}
	// Read-ahead: at most Workers chunks fetched or waiting to be consumed.
	sem := make(chan struct{}, r.opts.Workers)
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := range n {
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				return
			}
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				data, err := r.loadChunk(ctx, m.Chunks[i], nil)
				if err != nil {
					err = fmt.Errorf("repo: chunk %s… (#%d) of %s: %w", m.Chunks[i].ID.Short(), i, mkey, err)
				}
				slots[i] <- result{data, err}
			}(i)
		}
	}()

	p := &recordParser{remaining: m.StreamBytes, fn: fn}
	sums := &partChecker{parts: m.parts(), h: sha256.New()}
	if err := sums.advance(); err != nil {
		return fmt.Errorf("repo: %s: %w", mkey, err)
	}
	for i := range n {
		var res result
		select {
		case res = <-slots[i]:
		case <-ctx.Done():
			return ctx.Err()
		}
		<-sem
		if res.err != nil {
			return res.err
		}
		sums.h.Write(res.data)
		sums.done++
		if err := sums.advance(); err != nil {
			return fmt.Errorf("repo: %s: %w", mkey, err)
		}
		if err := p.feed(res.data); err != nil {
			if errors.Is(err, errRecordFn) {
				return p.fnErr
			}
			return fmt.Errorf("repo: %s: %w", mkey, err)
		}
	}
	if err := p.finish(); err != nil {
		return fmt.Errorf("repo: %s: %w", mkey, err)
	}
	if len(sums.parts) != 0 { // as above
		return fmt.Errorf("repo: %s: %w", mkey, corrupt("stream parts extend past the chunk list"))
	}
	if p.records != m.Records || p.logical != m.LogicalBytes {
		return fmt.Errorf("repo: %s: %w", mkey, corrupt(fmt.Sprintf(
			"stream has %d records (%d bytes), manifest says %d (%d)", p.records, p.logical, m.Records, m.LogicalBytes)))
	}
	return nil
}

// loadChunk fetches a chunk and verifies it completely: GCM authentication
// under its id, decompression within its declared length, length and HMAC
// id. mac may be nil (a fresh one is made). Errors do not name the chunk;
// callers add that context.
func (r *Repo) loadChunk(ctx context.Context, ref ChunkRef, mac hash.Hash) ([]byte, error) {
	obj, err := r.store.Get(ctx, chunkKey(ref.ID))
	if errors.Is(err, blob.ErrNotFound) {
		return nil, &reasonError{ErrMissing, "missing from the store (" + chunkKey(ref.ID) + ")"}
	}
	if err != nil {
		return nil, err
	}
	return r.openChunk(ref, obj, mac)
}

// openChunk verifies and decodes a chunk object.
func (r *Repo) openChunk(ref ChunkRef, obj []byte, mac hash.Hash) ([]byte, error) {
	pt, err := open(r.aead, append([]byte(aadChunk), ref.ID[:]...), obj)
	if err != nil {
		return nil, err
	}
	data, err := r.decompress(pt, ref.Length)
	if err != nil {
		return nil, err
	}
	if mac == nil {
		mac = hmac.New(sha256.New, r.macKey)
	}
	mac.Reset()
	mac.Write(data)
	if !hmac.Equal(mac.Sum(nil), ref.ID[:]) {
		return nil, corrupt("content does not match its id (HMAC mismatch)")
	}
	return data, nil
}

// partChecker checks a stream's SHA-256 per part (one part unless the
// snapshot is a concatenation) as its chunks arrive.
type partChecker struct {
	parts []StreamPart // the parts not yet checked
	h     hash.Hash    // of the current part's chunks so far
	done  int          // chunks of the current part hashed
}

// advance checks every part the chunks hashed so far complete.
func (c *partChecker) advance() error {
	for len(c.parts) > 0 && c.done == c.parts[0].Chunks {
		if hex.EncodeToString(c.h.Sum(nil)) != c.parts[0].SHA256 {
			return corrupt("stream SHA-256 mismatch (chunks out of order or substituted)")
		}
		c.h.Reset()
		c.done = 0
		c.parts = c.parts[1:]
	}
	if len(c.parts) == 0 && c.done > 0 { // parseManifest makes this impossible
		return corrupt("chunks past the stream's parts")
	}
	return nil
}

// errRecordFn marks an error returned by the caller's record function.
var errRecordFn = errors.New("record callback failed")

// recordParser splits the framed stream (uvarint length ‖ bytes) back into
// records across chunk boundaries.
type recordParser struct {
	remaining int64 // stream bytes not yet fed (bounds record sizes)
	fn        func([]byte) error
	fnErr     error

	hdr   []byte // partial length prefix
	want  int64  // body length of the current record; -1 while reading a prefix
	body  []byte // partial body spanning chunks
	inRec bool

	records, logical int64
}

func (p *recordParser) emit(rec []byte) error {
	p.records++
	p.logical += int64(len(rec))
	p.inRec = false
	if err := p.fn(rec); err != nil {
		p.fnErr = err
		return errRecordFn
	}
	return nil
}

func (p *recordParser) feed(d []byte) error {
	p.remaining -= int64(len(d))
	if p.remaining < 0 {
		return corrupt("stream longer than the manifest says")
	}
	for len(d) > 0 {
		if !p.inRec {
			// Read the length prefix, possibly split across chunks.
			var n uint64
			var k int
			if len(p.hdr) == 0 {
				n, k = binary.Uvarint(d)
				if k > 0 {
					d = d[k:]
				}
			}
			if k <= 0 {
				if k < 0 {
					return corrupt("bad record length prefix")
				}
				p.hdr = append(p.hdr, d[0])
				d = d[1:]
				n, k = binary.Uvarint(p.hdr)
				if k < 0 || len(p.hdr) > binary.MaxVarintLen64 {
					return corrupt("bad record length prefix")
				}
				if k == 0 {
					continue
				}
				p.hdr = p.hdr[:0]
			}
			if n > uint64(int64(len(d))+p.remaining) {
				return corrupt(fmt.Sprintf("record length %d runs past the end of the stream", n))
			}
			p.inRec, p.want, p.body = true, int64(n), p.body[:0]
			if n == 0 {
				if err := p.emit(nil); err != nil {
					return err
				}
				continue
			}
		}
		if len(p.body) == 0 && int64(len(d)) >= p.want {
			rec := d[:p.want]
			d = d[p.want:]
			if err := p.emit(rec); err != nil {
				return err
			}
			continue
		}
		if p.body == nil || int64(cap(p.body)) < p.want {
			p.body = make([]byte, 0, p.want)
		}
		take := min(p.want-int64(len(p.body)), int64(len(d)))
		p.body = append(p.body, d[:take]...)
		d = d[take:]
		if int64(len(p.body)) == p.want {
			rec := p.body
			p.body = p.body[:0]
			if err := p.emit(rec); err != nil {
				return err
			}
		}
	}
	return nil
}

func (p *recordParser) finish() error {
	if p.inRec || len(p.hdr) > 0 || p.remaining != 0 {
		return corrupt("stream ends in the middle of a record")
	}
	return nil
}
