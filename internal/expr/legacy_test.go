package expr

import (
	"testing"

	"github.com/ebbtide/ebbtide/internal/attr"
)

func ptr[T any](v T) *T { return &v }

func TestFromExpected(t *testing.T) {
	item := attr.Item{"a": n("1"), "s": s("hello"), "ss": ss("x", "y")}
	cases := []struct {
		name string
		exp  map[string]ExpectedAttributeValue
		op   string
		want bool
	}{
		{"empty", nil, "", true},
		{"value equal", map[string]ExpectedAttributeValue{"a": {Value: ptr(n("1"))}}, "", true},
		{"exists true equal", map[string]ExpectedAttributeValue{"a": {Value: ptr(n("1.0")), Exists: ptr(true)}}, "", true},
		{"value unequal", map[string]ExpectedAttributeValue{"a": {Value: ptr(n("2"))}}, "", false},
		{"exists false", map[string]ExpectedAttributeValue{"zz": {Exists: ptr(false)}}, "", true},
		{"exists false present", map[string]ExpectedAttributeValue{"a": {Exists: ptr(false)}}, "", false},
		{"op with Value", map[string]ExpectedAttributeValue{"a": {ComparisonOperator: "GT", Value: ptr(n("0"))}}, "", true},
		{"op with list", map[string]ExpectedAttributeValue{"a": {ComparisonOperator: "BETWEEN", AttributeValueList: []attr.Value{n("0"), n("1")}}}, "", true},
		{"NULL", map[string]ExpectedAttributeValue{"zz": {ComparisonOperator: "NULL"}}, "", true},
		{"NOT_NULL", map[string]ExpectedAttributeValue{"a": {ComparisonOperator: "NOT_NULL"}}, "", true},
		{"NE missing", map[string]ExpectedAttributeValue{"zz": {ComparisonOperator: "NE", Value: ptr(n("1"))}}, "", true},
		{"CONTAINS", map[string]ExpectedAttributeValue{"ss": {ComparisonOperator: "CONTAINS", Value: ptr(s("x"))}}, "", true},
		{"NOT_CONTAINS", map[string]ExpectedAttributeValue{"s": {ComparisonOperator: "NOT_CONTAINS", Value: ptr(s("z"))}}, "", true},
		{"NOT_CONTAINS missing", map[string]ExpectedAttributeValue{"zz": {ComparisonOperator: "NOT_CONTAINS", Value: ptr(s("z"))}}, "", false},
		{"BEGINS_WITH", map[string]ExpectedAttributeValue{"s": {ComparisonOperator: "BEGINS_WITH", Value: ptr(s("he"))}}, "", true},
		{"IN", map[string]ExpectedAttributeValue{"s": {ComparisonOperator: "IN", AttributeValueList: []attr.Value{s("a"), s("hello")}}}, "", true},
		{"AND", map[string]ExpectedAttributeValue{"a": {Value: ptr(n("1"))}, "s": {Value: ptr(s("no"))}}, "AND", false},
		{"OR", map[string]ExpectedAttributeValue{"a": {Value: ptr(n("1"))}, "s": {Value: ptr(s("no"))}}, "OR", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cond, err := FromExpected(c.exp, c.op)
			if err != nil {
				t.Fatal(err)
			}
			if got, _ := cond.Eval(item); got != c.want {
				t.Fatalf("got %v, want %v", got, c.want)
			}
		})
	}
}

func TestFromExpectedErrors(t *testing.T) {
	const P = "One or more parameter values were invalid: "
	cases := []struct {
		exp  map[string]ExpectedAttributeValue
		want string
	}{
		{map[string]ExpectedAttributeValue{"a": {Value: ptr(n("1")), AttributeValueList: []attr.Value{n("1")}}}, P + "Value and AttributeValueList cannot be used together for Attribute: a"},
		{map[string]ExpectedAttributeValue{"a": {ComparisonOperator: "EQ", Exists: ptr(true), Value: ptr(n("1"))}}, P + "Exists and ComparisonOperator cannot be used together for Attribute: a"},
		{map[string]ExpectedAttributeValue{"a": {ComparisonOperator: "EQ"}}, P + "Value or AttributeValueList must be used with ComparisonOperator: EQ for Attribute: a"},
		{map[string]ExpectedAttributeValue{"a": {ComparisonOperator: "NULL", Value: ptr(n("1"))}}, P + "Invalid number of argument(s) for the NULL ComparisonOperator"},
		{map[string]ExpectedAttributeValue{"a": {ComparisonOperator: "BETWEEN", AttributeValueList: []attr.Value{n("1")}}}, P + "Invalid number of argument(s) for the BETWEEN ComparisonOperator"},
		{map[string]ExpectedAttributeValue{"a": {ComparisonOperator: "IN", AttributeValueList: []attr.Value{n("1"), s("1")}}}, P + "AttributeValues inside AttributeValueList must be of same type"},
		{map[string]ExpectedAttributeValue{"a": {ComparisonOperator: "BETWEEN", AttributeValueList: []attr.Value{n("2"), n("1")}}}, "The BETWEEN condition was provided a range where the lower bound is greater than the upper bound"},
		{map[string]ExpectedAttributeValue{"a": {AttributeValueList: []attr.Value{n("1")}}}, P + "AttributeValueList can only be used with a ComparisonOperator for Attribute: a"},
		{map[string]ExpectedAttributeValue{"a": {}}, P + "Value must be provided when Exists is null for Attribute: a"},
		{map[string]ExpectedAttributeValue{"a": {Exists: ptr(true)}}, P + "Value must be provided when Exists is true for Attribute: a"},
		{map[string]ExpectedAttributeValue{"a": {Exists: ptr(false), Value: ptr(n("1"))}}, P + "Value cannot be used when Exists is false for Attribute: a"},
	}
	for _, c := range cases {
		_, err := FromExpected(c.exp, "")
		wantErr(t, err, c.want)
	}
}

func TestFromFilter(t *testing.T) {
	items := []attr.Item{
		{"a": n("1"), "b": s("x")},
		{"a": n("5"), "b": s("y")},
		{"b": s("z")},
	}
	count := func(f map[string]LegacyCondition, op string) int {
		t.Helper()
		c, err := FromFilter("ScanFilter", f, op)
		if err != nil {
			t.Fatal(err)
		}
		k := 0
		for _, it := range items {
			if ok, _ := c.Eval(it); ok {
				k++
			}
		}
		return k
	}
	gt := map[string]LegacyCondition{"a": {ComparisonOperator: "GT", AttributeValueList: []attr.Value{n("2")}}}
	if got := count(gt, ""); got != 1 {
		t.Errorf("GT: %d", got)
	}
	both := map[string]LegacyCondition{
		"a": {ComparisonOperator: "GT", AttributeValueList: []attr.Value{n("2")}},
		"b": {ComparisonOperator: "EQ", AttributeValueList: []attr.Value{s("z")}},
	}
	if got := count(both, "AND"); got != 0 {
		t.Errorf("AND: %d", got)
	}
	if got := count(both, "OR"); got != 2 {
		t.Errorf("OR: %d", got)
	}
	if got := count(map[string]LegacyCondition{"a": {ComparisonOperator: "NULL"}}, ""); got != 1 {
		t.Errorf("NULL: %d", got)
	}
	_, err := FromFilter("QueryFilter", map[string]LegacyCondition{"a": {ComparisonOperator: "CONTAINS", AttributeValueList: []attr.Value{ss("a")}}}, "")
	wantErr(t, err, "One or more parameter values were invalid: ComparisonOperator CONTAINS is not valid for SS AttributeValue type")
	_, err = FromFilter("QueryFilter", map[string]LegacyCondition{"a": {ComparisonOperator: "NOT_NULL", AttributeValueList: []attr.Value{s("a")}}}, "")
	wantErr(t, err, "One or more parameter values were invalid: Invalid number of argument(s) for the NOT_NULL ComparisonOperator")
}

func TestFromAttributeUpdates(t *testing.T) {
	item := attr.Item{"n": n("1"), "l": l(s("a")), "s": ss("a", "b"), "x": s("x")}
	u, err := FromAttributeUpdates(map[string]AttributeValueUpdate{
		"n":   {Action: "ADD", Value: ptr(n("2"))},
		"l":   {Action: "ADD", Value: ptr(l(s("b")))},
		"s":   {Action: "DELETE", Value: ptr(ss("a"))},
		"x":   {Action: "DELETE"},
		"new": {Value: ptr(s("v"))},
		"cnt": {Action: "ADD", Value: ptr(n("5"))},
	})
	if err != nil {
		t.Fatal(err)
	}
	got, updated, err := u.Apply(item)
	if err != nil {
		t.Fatal(err)
	}
	want := attr.Item{"n": n("3"), "l": l(s("a"), s("b")), "s": ss("b"), "new": s("v"), "cnt": n("5")}
	if !equalItems(got, want) {
		t.Fatalf("got %v\nwant %v", got, want)
	}
	if len(updated) != 6 {
		t.Fatalf("updated %v", updated)
	}
	if name, ok := u.TouchesTopLevel("pk", "x"); !ok || name != "x" {
		t.Fatalf("TouchesTopLevel: %q %v", name, ok)
	}

	mismatch, err := FromAttributeUpdates(map[string]AttributeValueUpdate{"x": {Action: "ADD", Value: ptr(n("1"))}})
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = mismatch.Apply(item)
	wantErr(t, err, "Type mismatch for attribute to update")

	const P = "One or more parameter values were invalid: "
	for _, c := range []struct {
		up   AttributeValueUpdate
		want string
	}{
		{AttributeValueUpdate{Action: "PUT"}, P + "Only DELETE action is allowed when no attribute value is specified"},
		{AttributeValueUpdate{Action: "ADD"}, P + "Only DELETE action is allowed when no attribute value is specified"},
		{AttributeValueUpdate{Action: "DELETE", Value: ptr(s("a"))}, P + "DELETE action with value is not supported for the type S"},
		{AttributeValueUpdate{Action: "ADD", Value: ptr(s("a"))}, P + "ADD action is not supported for the type S"},
	} {
		_, err := FromAttributeUpdates(map[string]AttributeValueUpdate{"a": c.up})
		wantErr(t, err, c.want)
	}
}
