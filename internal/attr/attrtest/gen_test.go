package attrtest

import (
	"testing"

	"pgregory.net/rapid"

	"github.com/ebbtide/ebbtide/internal/attr"
)

func TestGeneratorsProduceValidValues(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		it := ItemGen().Draw(t, "item")
		for name, v := range it {
			if name == "" {
				t.Fatalf("empty attribute name")
			}
			if err := v.Validate(); err != nil {
				t.Fatalf("generated invalid value %s: %v", attr.Describe(v), err)
			}
		}
		got, err := attr.DecodeItem(attr.AppendItem(nil, it))
		if err != nil || !attr.Equal(attr.M(got), attr.M(it)) {
			t.Fatalf("codec round trip failed: %v", err)
		}
		for _, k := range []attr.Kind{attr.KindS, attr.KindN, attr.KindB} {
			v := KeyValue(k).Draw(t, "key")
			if v.Kind != k {
				t.Fatalf("KeyValue(%v) gave %v", k, v.Kind)
			}
			if _, rest, err := attr.DecodeKey(attr.AppendKey(nil, v), k); err != nil || len(rest) != 0 {
				t.Fatalf("key round trip: %v", err)
			}
		}
		if s := ScalarValue().Draw(t, "scalar"); s.Validate() != nil {
			t.Fatalf("invalid scalar")
		}
	})
}
