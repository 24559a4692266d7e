package repo

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/ebbtide/ebbtide/internal/blob"
	"github.com/restic/chunker"
)

// frameBufSize is the size of the buffers Add frames records into; three
// of them circulate between Add and the chunker.
const frameBufSize = 1 << 20

// Writer writes one snapshot: records in, chunks uploaded in the
// background, manifest written by Commit. Add, Commit and Abort must be
// called from one goroutine.
type Writer struct {
	r        *Repo
	ctx      context.Context
	cancel   context.CancelCauseFunc
	kind, id string
	lock     *writerLock
	comp     compressor // the new chunks' compression (WithCompression)
	fixed    bool       // WithFixedChunks

	buf  []byte        // framing buffer being filled
	in   chan []byte   // full buffers to the chunker
	free chan []byte   // empty buffers back
	done chan struct{} // closed when the pipeline has finished

	records, logical, streamLen int64
	finished                    bool

	mu        sync.Mutex
	chunks    []ChunkRef
	newStored int64
	sum       [32]byte
}

// WriterOption tunes one Writer.
type WriterOption func(*Writer)

// WithCompression compresses the writer's new chunks at level
// (CompressionFastest, CompressionDefault, CompressionBetter,
// CompressionS2) instead of the repository's Options.Compression: e.g. S2
// for data written continuously under a live load, whose CPU matters more
// than its size.
func WithCompression(level int) WriterOption {
	return func(w *Writer) { w.comp = w.r.compressor(level) }
}

// WithFixedChunks cuts the writer's stream into chunks of the
// repository's mean chunk size instead of at content-defined boundaries:
// for streams that share no content with earlier ones (log segments),
// where deduplication finds nothing and the rolling hash is wasted CPU.
func WithFixedChunks() WriterOption {
	return func(w *Writer) { w.fixed = true }
}

// NewWriter starts a snapshot kind/id. It takes a writer lock (waiting while
// a garbage collection runs) and fails with ErrExists if the snapshot is
// already there. ctx bounds the whole writer: cancel it to abort.
func (r *Repo) NewWriter(ctx context.Context, kind, id string, opts ...WriterOption) (*Writer, error) {
	if err := checkName(kind, id); err != nil {
		return nil, err
	}
	if err := r.checkAbsent(ctx, kind, id); err != nil {
		return nil, err
	}
	lock, err := r.acquireWriterLock(ctx, kind+"/"+id)
	if err != nil {
		return nil, err
	}
	wctx, cancel := context.WithCancelCause(ctx)
	w := &Writer{
		r: r, ctx: wctx, cancel: cancel, kind: kind, id: id, lock: lock,
		in:   make(chan []byte, 2),
		free: make(chan []byte, 3),
		done: make(chan struct{}),
		comp: r.compressor(0),
	}
	for _, o := range opts {
		o(w)
	}
	w.buf = buffers.get(frameBufSize)
	w.free <- buffers.get(frameBufSize)
	w.free <- buffers.get(frameBufSize)
	go w.pipeline()
	return w, nil
}

func (r *Repo) checkAbsent(ctx context.Context, kind, id string) error {
	_, err := r.store.Size(ctx, manifestKey(kind, id))
	if err == nil {
		return fmt.Errorf("%w: %s", ErrExists, manifestKey(kind, id))
	}
	if !errors.Is(err, blob.ErrNotFound) {
		return fmt.Errorf("repo: checking %s: %w", manifestKey(kind, id), err)
	}
	return nil
}

// fail records the writer's first error and stops the pipeline.
func (w *Writer) fail(err error) { w.cancel(err) }

// err returns the writer's error, if any.
func (w *Writer) err() error {
	if w.ctx.Err() != nil {
		return context.Cause(w.ctx)
	}
	return nil
}

// Add appends one record (any bytes, including empty) to the stream. The
// record is copied; the caller may reuse it.
func (w *Writer) Add(record []byte) error {
	if w.finished {
		return errors.New("repo: Add after Commit or Abort")
	}
	if err := w.err(); err != nil {
		return err
	}
	w.records++
	w.logical += int64(len(record))
	var hdr [binary.MaxVarintLen64]byte
	n := binary.PutUvarint(hdr[:], uint64(len(record)))
	w.streamLen += int64(n + len(record))
	if err := w.write(hdr[:n]); err != nil {
		return err
	}
	return w.write(record)
}

// write copies p into framing buffers, handing full ones to the chunker.
func (w *Writer) write(p []byte) error {
	for len(p) > 0 {
		if len(w.buf) == cap(w.buf) {
			if err := w.flush(); err != nil {
				return err
			}
		}
		n := copy(w.buf[len(w.buf):cap(w.buf)], p)
		w.buf = w.buf[:len(w.buf)+n]
		p = p[n:]
	}
	return nil
}

// flush sends the current buffer to the chunker and takes an empty one.
func (w *Writer) flush() error {
	if len(w.buf) == 0 {
		return nil
	}
	select {
	case w.in <- w.buf:
	case <-w.ctx.Done():
		return w.err()
	}
	select {
	case w.buf = <-w.free:
	case <-w.ctx.Done():
		return w.err()
	}
	return nil
}

// chunkJob is one chunk on its way to a worker.
type chunkJob struct {
	idx  int
	data []byte
}

// pipeline runs the chunker and the upload workers until the input closes
// or the writer fails.
func (w *Writer) pipeline() {
	defer close(w.done)
	r := w.r
	p := r.cfg.Chunking
	// Bounded memory: at most workers+2 chunk buffers (≤ MaxSize each) are
	// in flight, plus the three framing buffers.
	inflight := r.opts.Workers + 2
	bufs := make(chan []byte, inflight)
	for range inflight {
		bufs <- nil
	}
	defer buffers.drain(bufs) // runs last, when the workers are done
	jobs := make(chan chunkJob)
	var wg sync.WaitGroup
	for range r.opts.Workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w.worker(jobs, bufs)
		}()
	}
	defer wg.Wait()
	defer close(jobs)

	rd := &bufReader{ctx: w.ctx, ch: w.in, free: w.free}
	var c cutter
	chunkCap := p.MaxSize
	if w.fixed {
		chunkCap = p.Mean()
		c = &fixedCutter{rd: rd, size: chunkCap}
	} else {
		cdc := chunker.NewWithBoundaries(rd, r.cfg.Pol, uint(p.MinSize), uint(p.MaxSize))
		cdc.SetAverageBits(p.AverageBits)
		c = cdcCutter{cdc}
	}
	h := sha256.New()
	for {
		var buf []byte
		select {
		case buf = <-bufs:
		case <-w.ctx.Done():
			return
		}
		if buf == nil {
			buf = buffers.get(chunkCap)
		}
		data, err := c.next(buf)
		if err == io.EOF {
			buffers.put(buf)
			break
		}
		if err != nil {
			if w.ctx.Err() == nil {
				w.fail(fmt.Errorf("repo: chunking: %w", err))
			}
			return
		}
		h.Write(data)
		w.mu.Lock()
		idx := len(w.chunks)
		w.chunks = append(w.chunks, ChunkRef{Length: int64(len(data))})
		w.mu.Unlock()
		select {
		case jobs <- chunkJob{idx: idx, data: data}:
		case <-w.ctx.Done():
			return
		}
	}
	w.mu.Lock()
	h.Sum(w.sum[:0])
	w.mu.Unlock()
}

// worker names, dedups, compresses, seals and uploads chunks.
func (w *Writer) worker(jobs <-chan chunkJob, bufs chan<- []byte) {
	hasher := w.r.newIDHasher()
	for job := range jobs {
		if w.ctx.Err() != nil {
			bufs <- job.data[:0]
			continue
		}
		id := hasher.sum(job.data)
		stored, added, err := w.r.storeChunk(w.ctx, w.comp, id, job.data)
		bufs <- job.data[:0]
		if err != nil {
			w.fail(err)
			continue
		}
		w.mu.Lock()
		w.chunks[job.idx].ID = id
		w.chunks[job.idx].Stored = stored
		if added {
			w.newStored += stored
		}
		w.mu.Unlock()
	}
}

// pendingChunk is an upload in progress; others wanting the same chunk wait.
type pendingChunk struct {
	done chan struct{}
	size int64
	err  error
}

// storeChunk makes sure chunk id is in the store and returns its stored
// size; added reports whether this call uploaded it.
func (r *Repo) storeChunk(ctx context.Context, comp compressor, id ChunkID, data []byte) (stored int64, added bool, err error) {
	for {
		r.knownMu.Lock()
		if size, ok := r.known[id]; ok {
			r.knownMu.Unlock()
			return size, false, nil
		}
		if p, ok := r.pending[id]; ok {
			r.knownMu.Unlock()
			select {
			case <-p.done:
			case <-ctx.Done():
				return 0, false, context.Cause(ctx)
			}
			if p.err == nil {
				return p.size, false, nil
			}
			continue // the other upload failed: try ourselves
		}
		if r.pending == nil {
			r.pending = make(map[ChunkID]*pendingChunk)
		}
		p := &pendingChunk{done: make(chan struct{})}
		r.pending[id] = p
		r.knownMu.Unlock()

		p.size, added, p.err = r.uploadChunk(ctx, comp, id, data)
		r.knownMu.Lock()
		delete(r.pending, id)
		if p.err == nil && r.known != nil {
			r.known[id] = p.size
		}
		r.knownMu.Unlock()
		close(p.done)
		return p.size, added, p.err
	}
}

// uploadChunk probes for the chunk (another process may have written it
// since the listing) and otherwise compresses, seals and puts it.
func (r *Repo) uploadChunk(ctx context.Context, comp compressor, id ChunkID, data []byte) (int64, bool, error) {
	key := chunkKey(id)
	size, err := r.store.Size(ctx, key)
	if err == nil {
		return size, false, nil
	}
	if !errors.Is(err, blob.ErrNotFound) {
		return 0, false, fmt.Errorf("repo: probing %s: %w", key, err)
	}
	obj := r.sealChunk(comp, id, data)
	if err := r.store.Put(ctx, key, obj); err != nil {
		return 0, false, fmt.Errorf("repo: writing %s: %w", key, err)
	}
	return int64(len(obj)), true, nil
}

// Commit finishes the stream, waits for every chunk to be stored, then
// writes the manifest (with the caller's meta, which may be nil) and
// releases the lock. The snapshot exists once Commit returns successfully.
func (w *Writer) Commit(meta json.RawMessage) (*Manifest, error) {
	if w.finished {
		return nil, errors.New("repo: Commit after Commit or Abort")
	}
	w.finished = true
	defer w.release()
	if meta != nil && !json.Valid(meta) {
		w.fail(errors.New("repo: Commit: meta is not valid JSON"))
	}
	if err := w.err(); err == nil {
		if err := w.flush(); err == nil {
			close(w.in)
		}
	}
	<-w.done
	if err := w.err(); err != nil {
		return nil, err
	}
	if err := w.lock.check(); err != nil {
		return nil, err
	}
	m := &Manifest{
		Version: manifestVersion, Kind: w.kind, ID: w.id,
		Created: w.r.opts.Clock().UTC(), Meta: meta,
		Records: w.records, LogicalBytes: w.logical, StreamBytes: w.streamLen,
		NewStoredBytes: w.newStored, StreamSHA256: hex.EncodeToString(w.sum[:]),
		Chunks: w.chunks,
	}
	if m.Chunks == nil {
		m.Chunks = []ChunkRef{}
	}
	seen := make(map[ChunkID]bool, len(m.Chunks))
	var total int64
	for _, c := range m.Chunks {
		total += c.Length
		if !seen[c.ID] {
			seen[c.ID] = true
			m.StoredBytes += c.Stored
		}
	}
	if total != m.StreamBytes {
		return nil, fmt.Errorf("repo: internal error: chunks hold %d bytes, stream has %d", total, m.StreamBytes)
	}
	key := manifestKey(w.kind, w.id)
	if err := w.r.checkAbsent(w.ctx, w.kind, w.id); err != nil {
		return nil, err
	}
	if err := w.r.store.Put(w.ctx, key, w.r.encodeManifest(m)); err != nil {
		return nil, fmt.Errorf("repo: writing %s: %w", key, err)
	}
	return m, nil
}

// Abort abandons the snapshot: background work stops and the lock is
// removed. Chunks already uploaded stay until a GC. Abort after Commit is a
// no-op, so `defer w.Abort()` is the normal pattern.
func (w *Writer) Abort() {
	if w.finished {
		return
	}
	w.finished = true
	w.fail(errors.New("repo: writer aborted"))
	<-w.done
	w.release()
}

// release ends a finished writer whose pipeline is done.
func (w *Writer) release() {
	w.lock.release(w.ctx)
	w.cancel(errors.New("repo: writer finished"))
	buffers.put(w.buf)
	w.buf = nil
	buffers.drain(w.free)
}
