package backup

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/ebbtide/ebbtide/internal/attr"
)

// decodeRecords returns n encoded items of varying sizes (several blocks).
func decodeRecords(n int) [][]byte {
	recs := make([][]byte, n)
	for i := range recs {
		it := attr.Item{"pk": attr.S(fmt.Sprintf("k%06d", i)), "pad": attr.S(string(make([]byte, i%3000)))}
		recs[i] = attr.AppendItem(nil, it)
	}
	return recs
}

// Every record is decoded and handed to add exactly once, in order, with
// its own bytes, though the reader reuses its buffer after each emit.
func TestDecodeParallel(t *testing.T) {
	recs := decodeRecords(5000)
	for _, workers := range []int{1, 4} {
		var got []string
		err := DecodeParallel(context.Background(), workers,
			func(ctx context.Context, emit func([]byte) error) error {
				var buf []byte
				for _, r := range recs {
					buf = append(buf[:0], r...) // reused, as repo.Read's
					if err := emit(buf); err != nil {
						return err
					}
				}
				return nil
			},
			attr.DecodeItem,
			func(it attr.Item, rec []byte) error {
				if !slices.Equal(attr.AppendItem(nil, it), rec) {
					return fmt.Errorf("item %s handed with another record", it["pk"].Str)
				}
				got = append(got, it["pk"].Str)
				return nil
			})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(recs) || !slices.IsSorted(got) || len(slices.Compact(got)) != len(recs) {
			t.Fatalf("workers %d: %d items added, want the %d in order", workers, len(got), len(recs))
		}
	}
}

// The first error of the reader, a decode or add stops everything and is
// returned.
func TestDecodeParallelErrors(t *testing.T) {
	recs := decodeRecords(3000)
	boom := errors.New("boom")
	read := func(ctx context.Context, emit func([]byte) error) error {
		for _, r := range recs {
			if err := emit(r); err != nil {
				return err
			}
		}
		return nil
	}
	for name, tc := range map[string]struct {
		read   func(context.Context, func([]byte) error) error
		decode func([]byte) (attr.Item, error)
		add    func(attr.Item, []byte) error
	}{
		"read": {func(ctx context.Context, emit func([]byte) error) error {
			if err := read(ctx, emit); err != nil {
				return err
			}
			return boom
		}, attr.DecodeItem, func(attr.Item, []byte) error { return nil }},
		"decode": {read, func(rec []byte) (attr.Item, error) {
			it, err := attr.DecodeItem(rec)
			if err == nil && it["pk"].Str == "k001500" {
				err = boom
			}
			return it, err
		}, func(attr.Item, []byte) error { return nil }},
		"add": {read, attr.DecodeItem, func(it attr.Item, _ []byte) error {
			if it["pk"].Str == "k002999" {
				return boom
			}
			return nil
		}},
	} {
		if err := DecodeParallel(context.Background(), 3, tc.read, tc.decode, tc.add); !errors.Is(err, boom) {
			t.Errorf("%s error: DecodeParallel returned %v", name, err)
		}
	}
}
