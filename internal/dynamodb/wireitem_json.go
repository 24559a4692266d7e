package dynamodb

import (
	"strconv"

	"github.com/ebbtide/ebbtide/internal/attr"
)

// Fast encoders for the hot item responses. The server writes an output that
// is a json.Marshaler as is, so these skip encoding/json's reflection and the
// re-validation of each attribute value's JSON. Their field order and
// omission rules match the struct tags of the same types.

// jsonObject builds one JSON object member by member.
type jsonObject struct {
	b     []byte
	empty bool
}

// newJSONObject starts an object in a buffer of the given capacity.
func newJSONObject(capacity int) *jsonObject {
	return &jsonObject{b: append(make([]byte, 0, capacity), '{'), empty: true}
}

// key starts a member; names are plain ASCII and need no escaping.
func (o *jsonObject) key(name string) {
	if !o.empty {
		o.b = append(o.b, ',')
	}
	o.empty = false
	o.b = append(o.b, '"')
	o.b = append(o.b, name...)
	o.b = append(o.b, '"', ':')
}

// item adds an item member.
func (o *jsonObject) item(name string, it attr.Item) {
	o.key(name)
	o.b = attr.AppendItemJSON(o.b, it)
}

// int adds an integer member.
func (o *jsonObject) int(name string, n int) {
	o.key(name)
	o.b = strconv.AppendInt(o.b, int64(n), 10)
}

// capacity adds a ConsumedCapacity member. Table and index names match
// [a-zA-Z0-9_.-]+ and need no escaping.
func (o *jsonObject) capacity(c *consumedCapacity) {
	o.key("ConsumedCapacity")
	o.b = append(o.b, `{"TableName":"`...)
	o.b = append(o.b, c.TableName...)
	o.b = append(o.b, `","CapacityUnits":`...)
	o.b = strconv.AppendFloat(o.b, c.CapacityUnits, 'f', -1, 64)
	if c.Table != nil {
		o.b = append(o.b, `,"Table":{"CapacityUnits":`...)
		o.b = strconv.AppendFloat(o.b, c.Table.CapacityUnits, 'f', -1, 64)
		o.b = append(o.b, '}')
	}
	o.indexUnits("LocalSecondaryIndexes", c.LocalSecondaryIndexes)
	o.indexUnits("GlobalSecondaryIndexes", c.GlobalSecondaryIndexes)
	o.b = append(o.b, '}')
}

// indexUnits appends a per-index capacity map (in name order) to the
// ConsumedCapacity being written, unless it is empty.
func (o *jsonObject) indexUnits(member string, m map[string]capacityUnits) {
	if len(m) == 0 {
		return
	}
	o.b = append(o.b, `,"`...)
	o.b = append(o.b, member...)
	o.b = append(o.b, `":{`...)
	for i, name := range sortedKeys(m) {
		if i > 0 {
			o.b = append(o.b, ',')
		}
		o.b = append(o.b, '"')
		o.b = append(o.b, name...)
		o.b = append(o.b, `":{"CapacityUnits":`...)
		o.b = strconv.AppendFloat(o.b, m[name].CapacityUnits, 'f', -1, 64)
		o.b = append(o.b, '}')
	}
	o.b = append(o.b, '}')
}

// collection adds an ItemCollectionMetrics member.
func (o *jsonObject) collection(m *itemCollectionMetrics) {
	o.key("ItemCollectionMetrics")
	o.b = append(o.b, `{"ItemCollectionKey":`...)
	o.b = attr.AppendItemJSON(o.b, m.ItemCollectionKey)
	o.b = append(o.b, `,"SizeEstimateRangeGB":[`...)
	o.b = strconv.AppendFloat(o.b, m.SizeEstimateRangeGB[0], 'f', -1, 64)
	o.b = append(o.b, ',')
	o.b = strconv.AppendFloat(o.b, m.SizeEstimateRangeGB[1], 'f', -1, 64)
	o.b = append(o.b, "]}"...)
}

// bytes ends the object and returns its encoding.
func (o *jsonObject) bytes() []byte { return append(o.b, '}') }

// MarshalJSON encodes a GetItem response.
func (out *getItemOutput) MarshalJSON() ([]byte, error) {
	o := newJSONObject(256)
	if out.Item != nil {
		o.item("Item", out.Item)
	}
	if out.ConsumedCapacity != nil {
		o.capacity(out.ConsumedCapacity)
	}
	return o.bytes(), nil
}

// MarshalJSON encodes a PutItem, UpdateItem or DeleteItem response.
func (out *writeOutput) MarshalJSON() ([]byte, error) {
	o := newJSONObject(128)
	if len(out.Attributes) > 0 {
		o.item("Attributes", out.Attributes)
	}
	if out.ConsumedCapacity != nil {
		o.capacity(out.ConsumedCapacity)
	}
	if out.ItemCollectionMetrics != nil {
		o.collection(out.ItemCollectionMetrics)
	}
	return o.bytes(), nil
}

// MarshalJSON encodes a Query or Scan response.
func (out *readOutput) MarshalJSON() ([]byte, error) {
	o := newJSONObject(64 + 128*len(out.Items))
	if out.Items != nil {
		o.key("Items")
		o.b = append(o.b, '[')
		for i, it := range out.Items {
			if i > 0 {
				o.b = append(o.b, ',')
			}
			o.b = attr.AppendItemJSON(o.b, it)
		}
		o.b = append(o.b, ']')
	}
	o.int("Count", out.Count)
	o.int("ScannedCount", out.ScannedCount)
	if len(out.LastEvaluatedKey) > 0 {
		o.item("LastEvaluatedKey", out.LastEvaluatedKey)
	}
	if out.ConsumedCapacity != nil {
		o.capacity(out.ConsumedCapacity)
	}
	return o.bytes(), nil
}
