package main

import (
	"encoding/base64"
	"fmt"
	"math/rand/v2"
	"strconv"

	"github.com/ebbtide/ebbtide/internal/attr"
)

// The benchmark's items: orders of customers, about --item-size bytes each
// by DynamoDB's size accounting, with a realistic mix of attribute types:
//
//	pk      S    "cust#0000012345"            (item index / itemsPerCustomer)
//	sk      S    "order#000003"               (item index % itemsPerCustomer)
//	status  S    one of 6 words
//	total   N    "1234.56"
//	qty     N
//	created N    epoch seconds
//	version N    bumped by every rewrite of the item
//	email   S
//	active  BOOL
//	tags    SS   3 distinct words
//	address M    street, city, zip, country
//	lines   L    3 × M {sku S, qty N, price N}
//	thumb   B    96 random bytes (incompressible)
//	notes   S    random words from a 256-word vocabulary, padding the item
//	             to its size (compresses like prose, ~3×)
//
// Item index i has a fixed key; its other values are drawn from the
// caller's random source, so a rewrite (PutItem, churn) changes them.

// itemsPerCustomer is the number of sort keys per partition key.
const itemsPerCustomer = 4

// thumbBytes is the size of the binary attribute.
const thumbBytes = 96

var (
	statuses = []string{"PENDING", "PAID", "PACKED", "SHIPPED", "DELIVERED", "RETURNED"}
	cities   = []string{"Amsterdam", "Berlin", "Chicago", "Denver", "Edinburgh", "Frankfurt", "Geneva", "Houston",
		"Istanbul", "Jakarta", "Kyoto", "Lisbon", "Madrid", "Nairobi", "Oslo", "Prague", "Quito", "Rome",
		"Seattle", "Toronto", "Utrecht", "Vienna", "Warsaw", "Xiamen", "York", "Zurich"}
	countries = []string{"NL", "DE", "US", "GB", "CH", "TR", "ID", "JP", "PT", "ES", "KE", "NO", "CZ", "EC", "IT", "CA", "AT", "PL", "CN"}
	streets   = []string{"Main St", "High St", "Oak Ave", "Pine Rd", "Elm St", "Lake Dr", "Hill Rd", "Park Ave", "Mill Ln", "Canal St"}
	// vocabulary of the notes: 256 words.
	vocabulary = func() []string {
		base := []string{"the", "order", "customer", "delivery", "package", "please", "leave", "at", "door", "call",
			"before", "arrival", "fragile", "handle", "with", "care", "gift", "wrap", "include", "receipt",
			"invoice", "address", "changed", "back", "entrance", "ring", "bell", "twice", "weekend", "morning",
			"afternoon", "evening", "office", "reception", "neighbour", "garage", "shed", "porch", "signature", "required",
			"discount", "applied", "coupon", "loyalty", "points", "express", "standard", "shipping", "return", "label",
			"size", "colour", "blue", "red", "green", "black", "white", "large", "small", "medium",
			"refund", "exchange", "warranty", "battery", "charger", "cable", "adapter", "screen", "case", "cover",
			"book", "shoes", "shirt", "jacket", "lamp", "chair", "table", "mug", "kettle", "blender"}
		var v []string
		for _, suffix := range []string{"", "s", "ed", "ing"} {
			for _, w := range base {
				v = append(v, w+suffix)
			}
		}
		return v[:256]
	}()
	tagWords = []string{"sale", "gift", "prime", "bulk", "fragile", "express", "repeat", "vip", "b2b", "promo", "eco", "new"}
)

// itemGen builds item bodies of about size bytes.
type itemGen struct {
	size     int // target item size (DynamoDB accounting)
	notesLen int // length of the notes attribute that reaches it
}

// newItemGen returns a generator of items of about size bytes: it sizes
// the notes so that the mean of sample items, measured with the server's
// own accounting (attr.ItemSize), is size.
func newItemGen(size int) (*itemGen, error) {
	g := &itemGen{size: size, notesLen: 16}
	const samples = 64
	r := rand.New(rand.NewPCG(7, 7))
	var total int
	for i := range samples {
		it, err := attr.ParseItemJSON(g.appendItem(nil, i*7919, 1, r))
		if err != nil {
			return nil, fmt.Errorf("item generator: %w", err)
		}
		total += attr.ItemSize(it)
	}
	fixed := total/samples - g.notesLen
	if size-fixed < 16 {
		return nil, fmt.Errorf("--item-size %d is too small: the attributes other than notes take %d bytes", size, fixed)
	}
	g.notesLen = size - fixed
	return g, nil
}

// appendPadded appends v in decimal zero-padded to width digits.
func appendPadded(dst []byte, v, width int) []byte {
	var tmp [20]byte
	d := strconv.AppendInt(tmp[:0], int64(v), 10)
	for i := len(d); i < width; i++ {
		dst = append(dst, '0')
	}
	return append(dst, d...)
}

// appendKey appends {"pk":{"S":"cust#…"},"sk":{"S":"order#…"}} for item i.
func appendKey(dst []byte, i int) []byte {
	dst = append(dst, `{"pk":{"S":"cust#`...)
	dst = appendPadded(dst, i/itemsPerCustomer, 10)
	dst = append(dst, `"},"sk":{"S":"order#`...)
	dst = appendPadded(dst, i%itemsPerCustomer, 6)
	return append(dst, `"}}`...)
}

// appendItem appends item i as a JSON attribute map, its values drawn from
// r, with version v.
func (g *itemGen) appendItem(dst []byte, i, v int, r *rand.Rand) []byte {
	dst = appendKey(dst, i)
	dst = dst[:len(dst)-1] // reopen the key object
	dst = append(dst, `,"status":{"S":"`...)
	dst = append(dst, statuses[r.IntN(len(statuses))]...)
	dst = append(dst, `"},"total":{"N":"`...)
	dst = strconv.AppendInt(dst, int64(r.IntN(9000)+100), 10)
	dst = append(dst, '.')
	dst = appendPadded(dst, r.IntN(100), 2)
	dst = append(dst, `"},"qty":{"N":"`...)
	dst = strconv.AppendInt(dst, int64(r.IntN(9)+1), 10)
	dst = append(dst, `"},"created":{"N":"`...)
	dst = strconv.AppendInt(dst, 1_700_000_000+int64(r.IntN(60_000_000)), 10)
	dst = append(dst, `"},"version":{"N":"`...)
	dst = strconv.AppendInt(dst, int64(v), 10)
	dst = append(dst, `"},"email":{"S":"customer`...)
	dst = appendPadded(dst, i/itemsPerCustomer, 10)
	dst = append(dst, `@example.com"},"active":{"BOOL":`...)
	dst = strconv.AppendBool(dst, r.IntN(4) != 0)
	dst = append(dst, `},"tags":{"SS":[`...)
	t := r.IntN(len(tagWords))
	for k := range 3 {
		if k > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, '"')
		dst = append(dst, tagWords[(t+k*5)%len(tagWords)]...)
		dst = append(dst, '"')
	}
	dst = append(dst, `]},"address":{"M":{"street":{"S":"`...)
	dst = strconv.AppendInt(dst, int64(r.IntN(900)+100), 10)
	dst = append(dst, ' ')
	dst = append(dst, streets[r.IntN(len(streets))]...)
	dst = append(dst, `"},"city":{"S":"`...)
	dst = append(dst, cities[r.IntN(len(cities))]...)
	dst = append(dst, `"},"zip":{"S":"`...)
	dst = appendPadded(dst, r.IntN(100000), 5)
	dst = append(dst, `"},"country":{"S":"`...)
	dst = append(dst, countries[r.IntN(len(countries))]...)
	dst = append(dst, `"}}},"lines":{"L":[`...)
	for k := range 3 {
		if k > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, `{"M":{"sku":{"S":"SKU-`...)
		dst = appendPadded(dst, r.IntN(100000), 5)
		dst = append(dst, `"},"qty":{"N":"`...)
		dst = strconv.AppendInt(dst, int64(r.IntN(5)+1), 10)
		dst = append(dst, `"},"price":{"N":"`...)
		dst = strconv.AppendInt(dst, int64(r.IntN(900)+10), 10)
		dst = append(dst, `.99"}}}`...)
	}
	dst = append(dst, `]},"thumb":{"B":"`...)
	var raw [thumbBytes]byte
	for k := 0; k < thumbBytes; k += 8 {
		u := r.Uint64()
		for b := range 8 {
			raw[k+b] = byte(u >> (8 * b))
		}
	}
	dst = base64.StdEncoding.AppendEncode(dst, raw[:])
	dst = append(dst, `"},"notes":{"S":"`...)
	dst = g.appendNotes(dst, r)
	return append(dst, `"}}`...)
}

// appendNotes appends exactly g.notesLen bytes of random words.
func (g *itemGen) appendNotes(dst []byte, r *rand.Rand) []byte {
	end := len(dst) + g.notesLen
	for len(dst) < end {
		if len(dst) > end-g.notesLen {
			dst = append(dst, ' ')
		}
		dst = append(dst, vocabulary[r.IntN(len(vocabulary))]...)
	}
	return dst[:end]
}

// putItemBody appends a PutItem body for item i.
func (g *itemGen) putItemBody(dst []byte, table string, i, v int, r *rand.Rand) []byte {
	dst = append(dst, `{"TableName":"`...)
	dst = append(dst, table...)
	dst = append(dst, `","Item":`...)
	dst = g.appendItem(dst, i, v, r)
	return append(dst, '}')
}

// getItemBody appends a GetItem body for item i.
func getItemBody(dst []byte, table string, i int) []byte {
	dst = append(dst, `{"TableName":"`...)
	dst = append(dst, table...)
	dst = append(dst, `","Key":`...)
	dst = appendKey(dst, i)
	return append(dst, '}')
}

// batchWriteBody appends a BatchWriteItem body putting items idx.
func (g *itemGen) batchWriteBody(dst []byte, table string, idx []int, v int, r *rand.Rand) []byte {
	dst = append(dst, `{"RequestItems":{"`...)
	dst = append(dst, table...)
	dst = append(dst, `":[`...)
	for k, i := range idx {
		if k > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, `{"PutRequest":{"Item":`...)
		dst = g.appendItem(dst, i, v, r)
		dst = append(dst, `}}`...)
	}
	return append(dst, `]}}`...)
}
