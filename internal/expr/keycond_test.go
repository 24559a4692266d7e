package expr

import (
	"slices"
	"testing"

	"github.com/ebbtide/ebbtide/internal/attr"
)

func TestKeyConditionParse(t *testing.T) {
	v := vals(":p", s("p"), ":c", n("3"), ":c2", n("7"), ":s", s("00"))
	cases := []struct {
		expr   string
		op     string
		values []attr.Value
	}{
		{"p = :p", "", nil},
		{" p  =   :p ", "", nil},
		{"p=:p AND c=:c", "EQ", []attr.Value{n("3")}},
		{"p=:p AND c<:c", "LT", []attr.Value{n("3")}},
		{"p=:p AND c<=:c", "LE", []attr.Value{n("3")}},
		{"p=:p AND c>:c", "GT", []attr.Value{n("3")}},
		{"p=:p AND c>=:c", "GE", []attr.Value{n("3")}},
		{":p=p AND :c<c", "GT", []attr.Value{n("3")}},
		{":p=p AND :c>=c", "LE", []attr.Value{n("3")}},
		{"p=:p AnD c BeTwEeN :c aNd :c2", "BETWEEN", []attr.Value{n("3"), n("7")}},
		{"c = :c AND p = :p", "EQ", []attr.Value{n("3")}},
		{"((c=:c) AND (p=:p))", "EQ", []attr.Value{n("3")}},
		{"#a = :p AND begins_with(#b, :s)", "BEGINS_WITH", []attr.Value{s("00")}},
	}
	for _, c := range cases {
		t.Run(c.expr, func(t *testing.T) {
			kc, err := NewContext(names("#a", "p", "#b", "c"), v).ParseKeyCondition(c.expr, "p", "c")
			if err != nil {
				t.Fatal(err)
			}
			if kc.HashName != "p" || !attr.Equal(kc.HashValue, s("p")) {
				t.Fatalf("hash %q %v", kc.HashName, kc.HashValue)
			}
			wantRange := ""
			if c.op != "" {
				wantRange = "c"
			}
			if kc.RangeName != wantRange || kc.RangeOp != c.op || !slices.EqualFunc(kc.RangeValues, c.values, attr.Equal) {
				t.Fatalf("range %q %q %v", kc.RangeName, kc.RangeOp, kc.RangeValues)
			}
		})
	}
}

func TestKeyConditionErrors(t *testing.T) {
	const K = "Invalid KeyConditionExpression: "
	v := vals(":a", s("a"), ":b", s("b"), ":n", n("1"), ":p", s("p"))
	cases := []struct {
		expr       string
		hash, rng  string
		want       string
		valsPassed map[string]attr.Value
	}{
		{"", "p", "c", K + "The expression can not be empty;", nil},
		{"p", "p", "c", K + `Syntax error; token: "<EOF>", near: "p"`, nil},
		{"p=:p AND c!=:a", "p", "c", K + `Syntax error; token: "!", near: "c!="`, v},
		{"attribute_type(a, :n)", "p", "c", K + "Incorrect operand type for operator or function; operator or function: attribute_type, operand type: N", v},
		{"p=:p AND begins_with(c, :n)", "p", "c", K + "Incorrect operand type for operator or function; operator or function: begins_with, operand type: N", v},
		{"a between :n and :a", "p", "c", K + "The BETWEEN operator requires same data type for lower and upper bounds; lower bound operand: AttributeValue: {N:1}, upper bound operand: AttributeValue: {S:a}", v},
		{"p=:p AND dog(c, :a)", "p", "c", K + "Invalid function name; function: dog", v},
		{"p=:p AND BEGINS_WITH(c,:a)", "p", "c", K + "Invalid function name; function: BEGINS_WITH", v},
		{"p=:x", "p", "c", K + "An expression attribute value used in expression is not defined; attribute value: :x", v},
		{"attribute_type(a, :a)", "p", "c", "Invalid operator used in KeyConditionExpression: attribute_type", vals(":a", s("S"))},
		{"a > b and size(b) > c or a > c", "p", "c", "Invalid operator used in KeyConditionExpression: OR", nil},
		{"a in (b, size(c), d)", "p", "c", "Invalid operator used in KeyConditionExpression: IN", nil},
		{"attribute_exists(a)", "p", "c", "Invalid operator used in KeyConditionExpression: attribute_exists", nil},
		{"attribute_not_exists(a)", "p", "c", "Invalid operator used in KeyConditionExpression: attribute_not_exists", nil},
		{"contains(a.d, b)", "p", "c", "Invalid operator used in KeyConditionExpression: contains", nil},
		{"not a > b", "p", "c", "Invalid operator used in KeyConditionExpression: NOT", nil},
		{"a <> b", "p", "c", "Invalid operator used in KeyConditionExpression: <>", nil},
		{":a between size(b) and size(a) and b > :b", "p", "c", "Invalid condition in KeyConditionExpression: BETWEEN operator must have the key attribute as its first operand", v},
		{"begins_with(:a, b) and a > :b", "p", "c", "Invalid condition in KeyConditionExpression: begins_with operator must have the key attribute as its first operand", v},
		{"size(b) > a AND a.b > b AND b > c", "p", "c", "KeyConditionExpressions cannot contain nested operations", nil},
		{"a > size(b.d)", "p", "c", "KeyConditionExpressions cannot contain nested operations", nil},
		{"a between size(b) and size(a)", "p", "c", "KeyConditionExpressions cannot contain nested operations", nil},
		{"b > a.b", "p", "c", "Invalid condition in KeyConditionExpression: Multiple attribute names used in one condition", nil},
		{"b between c[1] and d", "p", "c", "Invalid condition in KeyConditionExpression: Multiple attribute names used in one condition", nil},
		{"a between b and size(a)", "p", "c", "Invalid condition in KeyConditionExpression: Multiple attribute names used in one condition", nil},
		{"begins_with(a, b)", "p", "c", "Invalid condition in KeyConditionExpression: Multiple attribute names used in one condition", nil},
		{"b.d > a AND c.d > e.f", "p", "c", "KeyConditionExpressions cannot have conditions on nested attributes", nil},
		{"b[0] > a", "p", "c", "KeyConditionExpressions cannot have conditions on nested attributes", nil},
		{":b > :a AND a < :b", "p", "c", "Invalid condition in KeyConditionExpression: No key attribute specified", v},
		{"b > :n AND b < :n and c = :n and d = :n", "p", "c", "KeyConditionExpressions must only contain one condition per key", v},
		{"p=:p AND p=:p", "p", "c", "KeyConditionExpressions must only contain one condition per key", v},
		{":a = a and b = :a and :a = c", "p", "c", "Conditions can be of length 1 or 2 only", vals(":a", s("a"))},
		{"p<:p", "p", "c", "Query key condition not supported", v},
		{"c=:n", "p", "c", "Query condition missed key schema element: p", v},
		{"c between :n and :n", "p", "c", "Query condition missed key schema element: p", v},
		{"p=:p AND a<:n", "p", "c", "Query condition missed key schema element: c", v},
		{"p=:p AND c=:n", "p", "", "Query key condition not supported", v},
	}
	for _, c := range cases {
		t.Run(c.expr, func(t *testing.T) {
			_, err := NewContext(nil, c.valsPassed).ParseKeyCondition(c.expr, c.hash, c.rng)
			wantErr(t, err, c.want)
		})
	}
}

func TestKeyConditionTypesAndMatch(t *testing.T) {
	kc, err := NewContext(nil, vals(":p", s("p"), ":lo", n("2"), ":hi", n("4"))).ParseKeyCondition("p = :p AND c BETWEEN :lo AND :hi", "p", "c")
	if err != nil {
		t.Fatal(err)
	}
	if err := kc.CheckTypes(attr.KindS, attr.KindN); err != nil {
		t.Fatal(err)
	}
	wantErr(t, kc.CheckTypes(attr.KindN, attr.KindN), "One or more parameter values were invalid: Condition parameter type does not match schema type")
	wantErr(t, kc.CheckTypes(attr.KindS, attr.KindS), "One or more parameter values were invalid: Condition parameter type does not match schema type")
	for c, want := range map[string]bool{"1": false, "2": true, "3.5": true, "4": true, "5": false} {
		if got := kc.Match(attr.Item{"p": s("p"), "c": n(c)}); got != want {
			t.Errorf("c=%s: got %v", c, got)
		}
	}
	if kc.Match(attr.Item{"p": s("q"), "c": n("3")}) {
		t.Error("other partition matched")
	}
}

func TestFromKeyConditions(t *testing.T) {
	eq := func(v attr.Value) LegacyCondition {
		return LegacyCondition{ComparisonOperator: "EQ", AttributeValueList: []attr.Value{v}}
	}
	kc, err := FromKeyConditions(map[string]LegacyCondition{
		"p": eq(s("p")),
		"c": {ComparisonOperator: "BEGINS_WITH", AttributeValueList: []attr.Value{s("x")}},
	}, "p", "c")
	if err != nil {
		t.Fatal(err)
	}
	if kc.HashName != "p" || kc.RangeName != "c" || kc.RangeOp != "BEGINS_WITH" {
		t.Fatalf("%+v", kc)
	}
	cases := []struct {
		conds map[string]LegacyCondition
		want  string
	}{
		{map[string]LegacyCondition{}, "Conditions can be of length 1 or 2 only"},
		{map[string]LegacyCondition{"a": {ComparisonOperator: "NULL"}, "b": {ComparisonOperator: "NULL"}, "c": {ComparisonOperator: "NULL"}}, "Conditions can be of length 1 or 2 only"},
		{map[string]LegacyCondition{"p": {ComparisonOperator: "EQ"}}, "One or more parameter values were invalid: Invalid number of argument(s) for the EQ ComparisonOperator"},
		{map[string]LegacyCondition{"p": {ComparisonOperator: "IN", AttributeValueList: []attr.Value{s("b"), n("1")}}}, "One or more parameter values were invalid: AttributeValues inside AttributeValueList must be of same type"},
		{map[string]LegacyCondition{"p": {ComparisonOperator: "LT", AttributeValueList: []attr.Value{attr.Bool(true)}}}, "One or more parameter values were invalid: ComparisonOperator LT is not valid for BOOL AttributeValue type"},
		{map[string]LegacyCondition{"p": {ComparisonOperator: "BEGINS_WITH", AttributeValueList: []attr.Value{n("1")}}}, "One or more parameter values were invalid: ComparisonOperator BEGINS_WITH is not valid for N AttributeValue type"},
		{map[string]LegacyCondition{"p": {ComparisonOperator: "BETWEEN", AttributeValueList: []attr.Value{s("b"), s("a")}}}, "The BETWEEN condition was provided a range where the lower bound is greater than the upper bound"},
		{map[string]LegacyCondition{"z": {ComparisonOperator: "NULL"}}, "Query condition missed key schema element: p"},
		{map[string]LegacyCondition{"p": {ComparisonOperator: "NOT_NULL"}}, "Attempted conditional constraint is not an indexable operation"},
		{map[string]LegacyCondition{"p": {ComparisonOperator: "GT", AttributeValueList: []attr.Value{s("a")}}}, "Query key condition not supported"},
		{map[string]LegacyCondition{"p": eq(s("p")), "z": eq(s("z"))}, "Query condition missed key schema element: c"},
		{map[string]LegacyCondition{"p": eq(s("p")), "c": {ComparisonOperator: "CONTAINS", AttributeValueList: []attr.Value{s("z")}}}, "Attempted conditional constraint is not an indexable operation"},
	}
	for _, c := range cases {
		_, err := FromKeyConditions(c.conds, "p", "c")
		wantErr(t, err, c.want)
	}
}
