package engine

import (
	"context"
	"encoding/binary"
	"fmt"
	"time"

	"github.com/ebbtide/ebbtide/internal/kv"
)

// MetaRecord is a small engine-kept record with an expiry, such as a
// transaction's ClientRequestToken (10-minute idempotency window). Expired
// records read as absent and are removed by the expirer. Keys are the
// caller's: prefix them by purpose (say "txtoken/<account>/<token>").
type MetaRecord struct {
	Key       string
	Value     []byte
	ExpiresAt time.Time
}

// MutateOptions are optional extras of MutateManyWith.
type MutateOptions struct {
	// Meta records are created in the same atomic commit as the
	// mutations (also when every mutation is a no-op), under the locks of
	// their keys: if one already exists (unexpired), nothing is written and
	// the call fails with ErrMetaExists.
	Meta []MetaRecord
}

// Meta records live at 'm' 0x01 <key> → <expiresAt µs:8> <value>, and an
// expiry queue at 'm' 0x02 <expiresAt µs:8> <key> lets the expirer find the
// expired ones without reading the rest.
const (
	metaRecordTag = 0x01
	metaQueueTag  = 0x02
)

// metaWrite is a meta record on its way into a commit.
type metaWrite struct {
	key   []byte // record key
	queue []byte // expiry queue key
	value []byte // stored value
}

func metaKey(key string) []byte {
	return append([]byte{prefixMeta, metaRecordTag}, key...)
}

func metaQueueKey(expires int64, key string) []byte {
	k := binary.BigEndian.AppendUint64([]byte{prefixMeta, metaQueueTag}, uint64(expires))
	return append(k, key...)
}

// prepareMeta returns the writes of meta records.
func prepareMeta(recs []MetaRecord) ([]metaWrite, error) {
	out := make([]metaWrite, len(recs))
	for i, r := range recs {
		if r.Key == "" {
			return nil, fmt.Errorf("engine: meta record with an empty key")
		}
		exp := r.ExpiresAt.UnixMicro()
		out[i] = metaWrite{
			key:   metaKey(r.Key),
			queue: metaQueueKey(exp, r.Key),
			value: append(binary.BigEndian.AppendUint64(nil, uint64(exp)), r.Value...),
		}
	}
	return out, nil
}

// addTo puts the record and its queue entry into batch b.
func (m metaWrite) addTo(b *kv.Batch) error {
	if err := b.Set(m.key, m.value); err != nil {
		return err
	}
	return b.Set(m.queue, nil)
}

// decodeMeta splits a stored meta value; ok is false for a corrupt one.
func decodeMeta(v []byte) (expires int64, value []byte, ok bool) {
	if len(v) < 8 {
		return 0, nil, false
	}
	return int64(binary.BigEndian.Uint64(v)), v[8:], true
}

// readMeta returns an unexpired meta record's value.
func (e *Engine) readMeta(key []byte) ([]byte, bool, error) {
	v, found, err := e.db.Get(key)
	if err != nil || !found {
		return nil, false, err
	}
	exp, val, ok := decodeMeta(v)
	if !ok {
		return nil, false, fmt.Errorf("engine: corrupt meta record at %q", key)
	}
	if exp <= e.clock.Now().UnixMicro() {
		return nil, false, nil
	}
	return val, true, nil
}

// checkMeta fails with ErrMetaExists if a record to create exists. The
// caller holds the records' locks.
func (e *Engine) checkMeta(metas []metaWrite) error {
	for _, m := range metas {
		_, found, err := e.readMeta(m.key)
		if err != nil {
			return err
		}
		if found {
			return fmt.Errorf("%w: %q", ErrMetaExists, m.key[2:])
		}
	}
	return nil
}

// GetMeta returns the value of an unexpired meta record.
func (e *Engine) GetMeta(ctx context.Context, key string) (value []byte, found bool, err error) {
	if err := ctx.Err(); err != nil {
		return nil, false, err
	}
	return e.readMeta(metaKey(key))
}

// PutMeta creates or replaces a meta record, durably.
func (e *Engine) PutMeta(ctx context.Context, rec MetaRecord) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	ms, err := prepareMeta([]MetaRecord{rec})
	if err != nil {
		return err
	}
	defer e.locks.lock([]int{stripeOf(ms[0].key)})()
	b := e.db.NewBatch()
	if err := ms[0].addTo(b); err != nil {
		b.Close()
		return err
	}
	return b.Commit()
}
