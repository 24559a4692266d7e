package main

import (
	"strconv"
	"unicode/utf8"
)

// Request bodies of the raw client, appended by hand into a caller's buffer
// (no maps, no reflection, no intermediate values). Each produces the same
// JSON document, member for member, as aws-sdk-go-v2 sends for the
// equivalent call of the SDK client (rawbody_test.go compares them), so both
// clients put the same load on a server.

// bodyBuilder holds the parts of every body that are fixed for a run.
type bodyBuilder struct {
	table        []byte         // TableName as a JSON string, quotes included
	payload      *payloadSource // the "d" attribute of each item
	perPartition int
	queryLimit   int
	consistent   bool
}

func newBodyBuilder(c config, payload *payloadSource) *bodyBuilder {
	return &bodyBuilder{
		table:        appendJSONString(nil, c.table),
		payload:      payload,
		perPartition: c.perPartition,
		queryLimit:   c.queryLimit,
		consistent:   c.consistent,
	}
}

// appendPadded appends prefix followed by v in decimal, zero-padded to width
// digits (fmt's "%0*d" without fmt).
func appendPadded(dst []byte, prefix byte, v, width int) []byte {
	dst = append(dst, prefix)
	var tmp [20]byte
	d := strconv.AppendInt(tmp[:0], int64(v), 10)
	for i := len(d); i < width; i++ {
		dst = append(dst, '0')
	}
	return append(dst, d...)
}

// Key formats shared with the SDK client (workload.pkOf / skOf).
func appendPK(dst []byte, partition int) []byte { return appendPadded(dst, 'p', partition, 9) }
func appendSK(dst []byte, sort int) []byte      { return appendPadded(dst, 's', sort, 7) }

// appendKey appends {"pk":{"S":"p…"},"sk":{"S":"s…"}} for key index i.
func (b *bodyBuilder) appendKey(dst []byte, i int) []byte {
	dst = append(dst, `{"pk":{"S":"`...)
	dst = appendPK(dst, i/b.perPartition)
	dst = append(dst, `"},"sk":{"S":"`...)
	dst = appendSK(dst, i%b.perPartition)
	return append(dst, `"}}`...)
}

// appendItem appends the item of key index i: its key, "d" (the payload)
// and "n" = 0, as the preload and puts write it.
func (b *bodyBuilder) appendItem(dst []byte, i int) []byte {
	dst = b.appendKey(dst, i)
	dst = dst[:len(dst)-1] // reopen the key object
	dst = append(dst, `,"d":{"S":`...)
	dst = b.payload.appendJSON(dst, i)
	return append(dst, `},"n":{"N":"0"}}`...)
}

func (b *bodyBuilder) appendTable(dst []byte) []byte {
	dst = append(dst, `{"TableName":`...)
	return append(dst, b.table...)
}

func (b *bodyBuilder) appendConsistent(dst []byte) []byte {
	if b.consistent {
		return append(dst, `"ConsistentRead":true`...)
	}
	return append(dst, `"ConsistentRead":false`...)
}

// putItem: {"TableName":…,"Item":{…}}
func (b *bodyBuilder) putItem(dst []byte, i int) []byte {
	dst = b.appendTable(dst)
	dst = append(dst, `,"Item":`...)
	dst = b.appendItem(dst, i)
	return append(dst, '}')
}

// getItem: {"TableName":…,"Key":{…},"ConsistentRead":…}
func (b *bodyBuilder) getItem(dst []byte, i int) []byte {
	dst = b.appendTable(dst)
	dst = append(dst, `,"Key":`...)
	dst = b.appendKey(dst, i)
	dst = append(dst, ',')
	dst = b.appendConsistent(dst)
	return append(dst, '}')
}

// deleteItem: {"TableName":…,"Key":{…}}
func (b *bodyBuilder) deleteItem(dst []byte, i int) []byte {
	dst = b.appendTable(dst)
	dst = append(dst, `,"Key":`...)
	dst = b.appendKey(dst, i)
	return append(dst, '}')
}

// updateItem: SET u = :u ADD n :one on key index i.
func (b *bodyBuilder) updateItem(dst []byte, i int, u int64) []byte {
	dst = b.appendTable(dst)
	dst = append(dst, `,"Key":`...)
	dst = b.appendKey(dst, i)
	dst = append(dst, `,"UpdateExpression":"SET u = :u ADD n :one","ExpressionAttributeValues":{":u":{"N":"`...)
	dst = strconv.AppendInt(dst, u, 10)
	return append(dst, `"},":one":{"N":"1"}}}`...)
}

// query: pk = :p on one partition, with Limit.
func (b *bodyBuilder) query(dst []byte, partition int) []byte {
	dst = b.appendTable(dst)
	dst = append(dst, `,"KeyConditionExpression":"pk = :p","ExpressionAttributeValues":{":p":{"S":"`...)
	dst = appendPK(dst, partition)
	dst = append(dst, `"}},"Limit":`...)
	dst = strconv.AppendInt(dst, int64(b.queryLimit), 10)
	dst = append(dst, ',')
	dst = b.appendConsistent(dst)
	return append(dst, '}')
}

// scan: the first page of Limit items.
func (b *bodyBuilder) scan(dst []byte) []byte {
	dst = b.appendTable(dst)
	dst = append(dst, `,"Limit":`...)
	dst = strconv.AppendInt(dst, int64(b.queryLimit), 10)
	dst = append(dst, ',')
	dst = b.appendConsistent(dst)
	return append(dst, '}')
}

// batchWriteItem: one PutRequest per key index.
func (b *bodyBuilder) batchWriteItem(dst []byte, idx []int) []byte {
	dst = append(dst, `{"RequestItems":{`...)
	dst = append(dst, b.table...)
	dst = append(dst, `:[`...)
	for n, i := range idx {
		if n > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, `{"PutRequest":{"Item":`...)
		dst = b.appendItem(dst, i)
		dst = append(dst, `}}`...)
	}
	return append(dst, `]}}`...)
}

// batchGetItem: the keys of idx, with ConsistentRead.
func (b *bodyBuilder) batchGetItem(dst []byte, idx []int) []byte {
	dst = append(dst, `{"RequestItems":{`...)
	dst = append(dst, b.table...)
	dst = append(dst, `:{"ConsistentRead":`...)
	dst = strconv.AppendBool(dst, b.consistent)
	dst = append(dst, `,"Keys":[`...)
	for n, i := range idx {
		if n > 0 {
			dst = append(dst, ',')
		}
		dst = b.appendKey(dst, i)
	}
	return append(dst, `]}}}`...)
}

// appendJSONString appends s as a JSON string literal. Table names and the
// payload are ASCII without quotes in practice; escaping keeps any input
// well-formed.
func appendJSONString(dst []byte, s string) []byte {
	const hexDigits = "0123456789abcdef"
	dst = append(dst, '"')
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			dst = append(dst, '\\', c)
			i++
		case c < 0x20:
			dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&15])
			i++
		case c < utf8.RuneSelf:
			dst = append(dst, c)
			i++
		default:
			r, size := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && size == 1 {
				dst = append(dst, `\ufffd`...)
			} else {
				dst = append(dst, s[i:i+size]...)
			}
			i += size
		}
	}
	return append(dst, '"')
}
