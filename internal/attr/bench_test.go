package attr

import (
	"encoding/json"
	"testing"
)

func BenchmarkAppendItem(b *testing.B) {
	it := benchItem()
	buf := AppendItem(nil, it)
	b.SetBytes(int64(len(buf)))
	b.ReportAllocs()
	for b.Loop() {
		buf = AppendItem(buf[:0], it)
	}
}

func BenchmarkDecodeItem(b *testing.B) {
	enc := AppendItem(nil, benchItem())
	b.SetBytes(int64(len(enc)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := DecodeItem(enc); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkMarshalJSON(b *testing.B) {
	it := benchItem()
	buf := AppendItemJSON(nil, it)
	b.SetBytes(int64(len(buf)))
	b.ReportAllocs()
	for b.Loop() {
		buf = AppendItemJSON(buf[:0], it)
	}
}

func BenchmarkMarshalJSONStd(b *testing.B) {
	it := benchItem()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := json.Marshal(it); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkUnmarshalJSON(b *testing.B) {
	data := AppendItemJSON(nil, benchItem())
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseItemJSON(data); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkUnmarshalJSONStd(b *testing.B) {
	data := AppendItemJSON(nil, benchItem())
	b.ReportAllocs()
	for b.Loop() {
		var it Item
		if err := json.Unmarshal(data, &it); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkItemSize(b *testing.B) {
	it := benchItem()
	b.ReportAllocs()
	for b.Loop() {
		_ = ItemSize(it)
	}
}

func BenchmarkParseNumber(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		_, _ = ParseNumber("1234.5600")
	}
}

func BenchmarkCompareNumbers(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		_ = CompareNumbers("1234.56", "1234.5601")
	}
}

func BenchmarkAddNumbers(b *testing.B) {
	b.Run("int", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_, _ = AddNumbers("41", "1")
		}
	})
	b.Run("decimal", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_, _ = AddNumbers("1234.56", "0.0044")
		}
	})
}

func BenchmarkAppendKey(b *testing.B) {
	n, s := MustN("-1234.5678"), S("user#0001234567")
	buf := make([]byte, 0, 64)
	b.ReportAllocs()
	for b.Loop() {
		buf = AppendKey(AppendKey(buf[:0], s), n)
	}
}
