package main

import (
	"encoding/json"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/ebbtide/ebbtide/internal/attr"
)

func TestItemGenSize(t *testing.T) {
	for _, size := range []int{512, 1024, 4096} {
		g, err := newItemGen(size)
		if err != nil {
			t.Fatal(err)
		}
		r := rand.New(rand.NewPCG(1, 2))
		var total int
		const n = 200
		for i := range n {
			b := g.appendItem(nil, i*31, 3, r)
			it, err := attr.ParseItemJSON(b)
			if err != nil {
				t.Fatalf("size %d item %d: %v\n%s", size, i, err, b)
			}
			total += attr.ItemSize(it)
		}
		if mean := float64(total) / n; mean < 0.98*float64(size) || mean > 1.02*float64(size) {
			t.Errorf("size %d: mean item size %.0f", size, mean)
		}
	}
}

func TestBodiesAreJSON(t *testing.T) {
	g, err := newItemGen(1024)
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(1, 2))
	for name, b := range map[string][]byte{
		"put":   g.putItemBody(nil, "t", 5, 1, r),
		"get":   getItemBody(nil, "t", 5),
		"batch": g.batchWriteBody(nil, "t", []int{1, 2, 3}, 1, r),
	} {
		if !json.Valid(b) {
			t.Errorf("%s body is not JSON: %s", name, b)
		}
	}
	var batch struct {
		RequestItems map[string][]struct {
			PutRequest struct {
				Item map[string]map[string]any
			}
		}
	}
	if err := json.Unmarshal(g.batchWriteBody(nil, "t", []int{7, 8}, 1, r), &batch); err != nil {
		t.Fatal(err)
	}
	if reqs := batch.RequestItems["t"]; len(reqs) != 2 || reqs[1].PutRequest.Item["sk"]["S"] != "order#000000" {
		t.Errorf("batch body: %+v", batch)
	}
}

func TestSample(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, c := range []struct{ n, k int }{{10, 10}, {1000, 10}, {100000, 1000}, {5, 9}} {
		s := sample(r, c.n, c.k)
		if len(s) != min(c.n, c.k) {
			t.Errorf("sample(%d, %d): %d values", c.n, c.k, len(s))
		}
		seen := map[int]bool{}
		for _, v := range s {
			if v < 0 || v >= c.n || seen[v] {
				t.Fatalf("sample(%d, %d): bad or repeated value %d", c.n, c.k, v)
			}
			seen[v] = true
		}
	}
}

func TestParseSize(t *testing.T) {
	for in, want := range map[string]int64{"10MB": 10e6, "1GB": 1e9, "1.5GiB": 3 << 29, "4096": 4096, "512k": 512e3, "2 mb": 2e6} {
		got, err := parseSize(in)
		if err != nil || got != want {
			t.Errorf("parseSize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "MB", "-1MB", "ten"} {
		if _, err := parseSize(in); err == nil {
			t.Errorf("parseSize(%q): no error", in)
		}
	}
}

func TestSummarize(t *testing.T) {
	var d []time.Duration
	for i := 100; i >= 1; i-- {
		d = append(d, time.Duration(i)*time.Millisecond)
	}
	s := summarize(d)
	if s.N != 100 || s.MinMS != 1 || s.P50MS != 50 || s.P99MS != 99 || s.MaxMS != 100 || s.MeanMS != 50.5 {
		t.Errorf("summarize: %+v", s)
	}
	if median([]float64{3, 1, 2, 10}) != 2.5 {
		t.Error("median")
	}
}

func TestRepoIDOf(t *testing.T) {
	id, err := repoIDOf("arn:aws:dynamodb:us-east-1:000000000000:table/t/backup/01700000000000-abcdef01")
	if err != nil || id != "000000000000:us-east-1:01700000000000-abcdef01" {
		t.Errorf("repoIDOf: %q, %v", id, err)
	}
}
