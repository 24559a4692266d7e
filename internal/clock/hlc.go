package clock

import (
	"fmt"
	"sync/atomic"
	"time"
)

// logicalBits is the width of the logical counter in a Timestamp.
const logicalBits = 12

// Timestamp is a hybrid logical clock reading packed into one ordered
// uint64: the high 52 bits are microseconds since the Unix epoch, the low 12
// bits a logical counter that orders events within one microsecond. Plain
// integer comparison orders timestamps. Zero means "no timestamp".
type Timestamp uint64

// TimestampAt returns the first Timestamp of wall time t (logical 0).
func TimestampAt(t time.Time) Timestamp {
	return Timestamp(uint64(t.UnixMicro()) << logicalBits)
}

// Time returns the wall-clock part as a time.Time (µs precision, UTC).
func (ts Timestamp) Time() time.Time {
	return time.UnixMicro(int64(ts >> logicalBits)).UTC()
}

// Logical returns the logical counter.
func (ts Timestamp) Logical() uint16 { return uint16(ts & (1<<logicalBits - 1)) }

// String formats the timestamp as RFC 3339 with µs plus the logical counter.
func (ts Timestamp) String() string {
	return fmt.Sprintf("%s+%d", ts.Time().Format("2006-01-02T15:04:05.000000Z07:00"), ts.Logical())
}

// HLC hands out strictly increasing Timestamps that stay close to the wall
// clock: each Now is max(previous+1, wall time). If the wall clock stalls or
// steps back, the logical counter keeps counting (borrowing from the next
// microsecond if it overflows), so order is never violated. Safe for
// concurrent use.
type HLC struct {
	clock Clock
	last  atomic.Uint64
}

// NewHLC returns an HLC driven by c (nil means the real clock).
func NewHLC(c Clock) *HLC {
	return &HLC{clock: OrReal(c)}
}

// Now returns a Timestamp greater than every one returned or observed before.
func (h *HLC) Now() Timestamp {
	wall := uint64(TimestampAt(h.clock.Now()))
	for {
		last := h.last.Load()
		next := max(last+1, wall)
		if h.last.CompareAndSwap(last, next) {
			return Timestamp(next)
		}
	}
}

// Last returns the most recent Timestamp returned by Now or passed to
// Observe (0 if none).
func (h *HLC) Last() Timestamp { return Timestamp(h.last.Load()) }

// Observe ratchets the clock so later Now calls return timestamps above ts:
// call it with timestamps read back from storage after a restart, or
// received from another node.
func (h *HLC) Observe(ts Timestamp) {
	for {
		last := h.last.Load()
		if uint64(ts) <= last || h.last.CompareAndSwap(last, uint64(ts)) {
			return
		}
	}
}
