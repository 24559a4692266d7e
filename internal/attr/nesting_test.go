package attr

import "testing"

func nestMaps(n int) Value {
	v := S("x")
	for i := 0; i < n; i++ {
		if i%2 == 0 {
			v = M(map[string]Value{"a": v})
		} else {
			v = L(v)
		}
	}
	return v
}

func TestNesting(t *testing.T) {
	if d := Depth(S("x")); d != 0 {
		t.Errorf("Depth(S) = %d", d)
	}
	if d := Depth(L()); d != 1 {
		t.Errorf("Depth(L()) = %d", d)
	}
	if d := Depth(nestMaps(5)); d != 5 {
		t.Errorf("Depth(nest 5) = %d", d)
	}
	// AWS accepts 31 wrapping containers and rejects 32.
	if err := CheckNesting(nestMaps(31)); err != nil {
		t.Errorf("31 levels rejected: %v", err)
	}
	err := CheckItemNesting(Item{"ok": S("x"), "deep": nestMaps(32)})
	if err == nil || err.Error() != "Nesting Levels have exceeded supported limits: Attributes in the item have nested levels beyond supported limit" {
		t.Errorf("32 levels: %v", err)
	}
	if err := CheckItemNesting(Item{"a": nestMaps(31)}); err != nil {
		t.Errorf("CheckItemNesting(31) = %v", err)
	}
}
