package expr

import (
	"strings"
	"testing"

	"github.com/ebbtide/ebbtide/internal/attr"
)

// Messages below come from DynamoDB's documented and tested behaviour (see
// the package's test data notes in the report); each case checks the exact
// text.

func TestConditionErrors(t *testing.T) {
	const F = "Invalid FilterExpression: "
	nm := names("#a", "a")
	cases := []struct {
		expr   string
		names  map[string]string
		values map[string]attr.Value
		want   string
	}{
		// empty, size
		{"", nil, nil, F + "The expression can not be empty;"},
		{strings.Repeat("a", 4097), nil, nil, F + "Expression size has exceeded the maximum allowed size; expression size: 4097"},
		// syntax errors and their "near" window
		{"a > 4", nil, nil, F + `Syntax error; token: "4", near: "> 4"`},
		{"a X b", nil, nil, F + `Syntax error; token: "X", near: "a X b"`},
		{"things are not gonna be ok", nil, nil, F + `Syntax error; token: "are", near: "things are not"`},
		{"foo", nil, nil, F + `Syntax error; token: "<EOF>", near: "foo"`},
		{"a = ", nil, nil, F + `Syntax error; token: "<EOF>", near: "= "`},
		{"a == :v", nil, vals(":v", s("x")), F + `Syntax error; token: "=", near: "== :v"`},
		{"a != :v", nil, vals(":v", s("x")), F + `Syntax error; token: "!", near: "a !="`},
		{"a > between", nil, nil, F + `Syntax error; token: "between", near: "> between"`},
		{"a in b", nil, nil, F + `Syntax error; token: "b", near: "in b"`},
		{"a in (b,c,)", nil, nil, F + `Syntax error; token: ")", near: ",)"`},
		{"attribute_exists(Pictures-RearView)", nil, nil, F + `Syntax error; token: "-", near: "Pictures-RearView"`},
		{"attribute_exists(asdf[a])", nil, nil, F + `Syntax error; token: "a", near: "[a]"`},
		{"b[:a] > a", nil, nil, F + `Syntax error; token: ":a", near: "[:a]"`},
		{"ü > a", nil, nil, F + `Syntax error; token: "ü", near: "ü >"`},
		{"size(a).b > a", nil, nil, F + `Syntax error; token: ".", near: ").b"`},
		{"(a = b) = c", nil, nil, F + `Syntax error; token: "=", near: ") = c"`},
		{"a = (b = c)", nil, nil, F + `Syntax error; token: "=", near: "b = c"`},
		{"a AND b = c", nil, nil, F + `Syntax error; token: "AND", near: "a AND b"`},
		{"NOT a", nil, nil, F + `Syntax error; token: "<EOF>", near: "a"`},
		{"a = b c", nil, nil, F + `Syntax error; token: "c", near: "b c"`},
		{"_a = b", nil, nil, F + `Syntax error; token: "_", near: "_a"`},
		// static checks, in DynamoDB's order
		{"a=a and a > ((views))", nil, nil, F + "The expression has redundant parentheses;"},
		{"a > whatever((:things), ((a)))", nil, nil, F + "The expression has redundant parentheses;"},
		{"a=a AND ((a=a AND a=a)) AND a=a", nil, nil, F + "The expression has redundant parentheses;"},
		{"a=a and whatever((:things)) > a", nil, nil, F + "Invalid function name; function: whatever"},
		{"attRIbute_exIsts((views), #a)", nil, nil, F + "Invalid function name; function: attRIbute_exIsts"},
		{"a=a and attribute_exists((views), (#a)) > b", nil, nil, F + "The function is not allowed to be used this way in an expression; function: attribute_exists"},
		{"size(contains(a, b)) > a", nil, nil, F + "The function is not allowed to be used this way in an expression; function: contains"},
		{"size(things)", nil, nil, F + "The function is not allowed to be used this way in an expression; function: size"},
		{"a = b AND size(c)", nil, nil, F + "The function is not allowed to be used this way in an expression; function: size"},
		{"a in (b, attribute_exists(things))", nil, nil, F + "The function is not allowed to be used this way in an expression; function: attribute_exists"},
		{"attribute_exists(views, #a)", nil, nil, F + "Attribute name is a reserved keyword; reserved keyword: views"},
		{":a < abOrT", nil, nil, F + "Attribute name is a reserved keyword; reserved keyword: abOrT"},
		// per-condition checks
		{"attribute_exists(#Pictures.RearView, :a) and a=a", nil, nil, F + "An expression attribute name used in the document path is not defined; attribute name: #Pictures"},
		{"#_ > a", nil, nil, F + "An expression attribute name used in the document path is not defined; attribute name: #_"},
		{"begins_with(:hello, #a, #b)", nil, nil, F + "An expression attribute value used in expression is not defined; attribute value: :hello"},
		{":a < :b", nil, nil, F + "An expression attribute value used in expression is not defined; attribute value: :a"},
		{"attribute_exists(things, a) and a=a", nil, nil, F + "Incorrect number of operands for operator or function; operator or function: attribute_exists, number of operands: 2"},
		{"begins_with(things)", nil, nil, F + "Incorrect number of operands for operator or function; operator or function: begins_with, number of operands: 1"},
		{"size(things, a) > b", nil, nil, F + "Incorrect number of operands for operator or function; operator or function: size, number of operands: 2"},
		{"a = a AND #a = b", nm, nil, F + "The first operand must be distinct from the remaining operands for this operator or function; operator: =, first operand: [a]"},
		{"#a <> a", nm, nil, F + "The first operand must be distinct from the remaining operands for this operator or function; operator: <>, first operand: [a]"},
		{"contains(ab.bc[1].a, ab.bc[1].#a)", nm, nil, F + "The first operand must be distinct from the remaining operands for this operator or function; operator: contains, first operand: [ab, bc, [1], a]"},
		{"begins_with(a, :a)", nil, vals(":a", n("1")), F + "Incorrect operand type for operator or function; operator or function: begins_with, operand type: N"},
		{"begins_with(:a, a)", nil, vals(":a", ss("x")), F + "Incorrect operand type for operator or function; operator or function: begins_with, operand type: SS"},
		{"begins_with(a, size(a)) and a=:a", nil, vals(":a", n("1")), F + "Incorrect operand type for operator or function; operator or function: begins_with, operand type: N"},
		{"attribute_type(a, :a)", nil, vals(":a", n("1")), F + "Incorrect operand type for operator or function; operator or function: attribute_type, operand type: N"},
		{"attribute_type(a, b)", nil, nil, F + "Incorrect operand type for operator or function; operator or function: attribute_type, operand type: {NS,SS,L,BS,N,M,B,BOOL,NULL,S}"},
		{"attribute_type(a, :a)", nil, vals(":a", s("1")), F + "Invalid attribute type name found; type: 1, valid types: {B,NULL,SS,BOOL,L,BS,N,NS,S,M}"},
		{"size(size(a)) > :a", nil, vals(":a", n("1")), F + "Incorrect operand type for operator or function; operator or function: size, operand type: N"},
		{"attribute_not_exists(size(:a))", nil, vals(":a", n("1")), F + "Incorrect operand type for operator or function; operator or function: size, operand type: N"},
		{"attribute_not_exists(size(:a))", nil, vals(":a", s("1")), F + "Operator or function requires a document path; operator or function: attribute_not_exists"},
		{"attribute_exists(:a) and a=a", nil, vals(":a", s("1")), F + "Operator or function requires a document path; operator or function: attribute_exists"},
		{"size(:a) > a", nil, vals(":a", attr.Bool(true)), F + "Incorrect operand type for operator or function; operator or function: size, operand type: BOOL"},
		{"a <= :v", nil, vals(":v", attr.Bool(true)), F + "Incorrect operand type for operator or function; operator or function: <=, operand type: BOOL"},
		{"a < :v", nil, vals(":v", l()), F + "Incorrect operand type for operator or function; operator or function: <, operand type: L"},
		{"a between :b and :a", nil, vals(":a", s("a"), ":b", n("1")), F + "The BETWEEN operator requires same data type for lower and upper bounds; lower bound operand: AttributeValue: {N:1}, upper bound operand: AttributeValue: {S:a}"},
		{"a between :b and :a", nil, vals(":a", s("a"), ":b", s("b")), F + "The BETWEEN operator requires upper bound to be greater than or equal to lower bound; lower bound operand: AttributeValue: {S:b}, upper bound operand: AttributeValue: {S:a}"},
		// the first condition with an error decides
		{"begins_with(a, :n) AND #x = :v", nil, vals(":n", n("1"), ":v", s("x")), F + "Incorrect operand type for operator or function; operator or function: begins_with, operand type: N"},
		{"#x = :v AND begins_with(a, :n)", nil, vals(":n", n("1"), ":v", s("x")), F + "An expression attribute name used in the document path is not defined; attribute name: #x"},
	}
	for _, c := range cases {
		t.Run(c.expr[:min(len(c.expr), 60)], func(t *testing.T) {
			_, err := NewContext(c.names, c.values).ParseCondition("FilterExpression", c.expr)
			wantErr(t, err, c.want)
		})
	}
}

func TestConditionInLimit(t *testing.T) {
	v := vals(":v", s("x"))
	list := strings.TrimSuffix(strings.Repeat(":v,", 100), ",")
	if _, err := NewContext(nil, v).ParseCondition("ConditionExpression", "a IN ("+list+")"); err != nil {
		t.Fatalf("100 operands: %v", err)
	}
	_, err := NewContext(nil, v).ParseCondition("ConditionExpression", "a IN ("+list+",:v)")
	wantErr(t, err, "Invalid ConditionExpression: The IN operator is provided with too many operands; number of operands: 101")
}

func TestConditionValid(t *testing.T) {
	for _, e := range []string{
		"a = :v",
		"  a   =   :v  ",
		"a.b[1].#n <> :v",
		"(a) = (:v)",
		"((a = :v) AND (:v < b))",
		"(a)between(:v)and(:v)",
		"NOT NOT a = :v",
		"NOT (a = :v OR b = :v) AND c = :v",
		"a IN (:v, b, size(c))",
		"size(a) = size(b)",
		"attribute_type(a, :t) or contains(a, :v) or begins_with(a, :v)",
		"attribute_exists(a) AnD attribute_not_exists(b)",
		"a BETWEEN :v AND size(b) AND c = :v",
	} {
		ctx := NewContext(names("#n", "n"), vals(":v", s("x"), ":t", s("S")))
		if _, err := ctx.ParseCondition("ConditionExpression", e); err != nil {
			t.Errorf("%q: %v", e, err)
		}
	}
}

func TestUpdateErrors(t *testing.T) {
	const U = "Invalid UpdateExpression: "
	v := vals(":a", s("a"), ":b", n("1"), ":c", b("a"), ":d", attr.Bool(true), ":e", attr.Null(),
		":f", ss("a"), ":g", ns("1"), ":h", bs("a"), ":i", m(), ":j", l())
	nm := names("#c", "c", "#d", "[3]")
	cases := []struct {
		expr   string
		names  map[string]string
		values map[string]attr.Value
		want   string
	}{
		{"", nil, nil, U + "The expression can not be empty;"},
		{"whatever", nil, nil, U + `Syntax error; token: "whatever", near: "whatever"`},
		{"SET", nil, nil, U + `Syntax error; token: "<EOF>", near: "SET"`},
		{"set a", nil, nil, U + `Syntax error; token: "<EOF>", near: "a"`},
		{"SET MyStr = myNum + 1", nil, nil, U + `Syntax error; token: "1", near: "+ 1"`},
		{"SET MyStr = myNum Mystr2 myNum2", nil, nil, U + `Syntax error; token: "Mystr2", near: "myNum Mystr2 myNum2"`},
		{"SET MyStr = my Num", nil, nil, U + `Syntax error; token: "Num", near: "my Num"`},
		{"SET _123 = :a", nil, nil, U + `Syntax error; token: "_", near: "SET _123"`},
		{"set a=set", nil, nil, U + `Syntax error; token: "set", near: "=set"`},
		{"add abort b", nil, nil, U + `Syntax error; token: "b", near: "abort b"`},
		{"set :a = b", nil, nil, U + `Syntax error; token: ":a", near: "set :a ="`},
		{"set a = b + c + d", nil, nil, U + `Syntax error; token: "+", near: "c + d"`},
		{"set a = (b.c).d + e", nil, nil, U + `Syntax error; token: ".", near: ").d"`},
		{"SET c = if_not_exists(c, :a+:b)", nil, nil, U + `Syntax error; token: "+", near: ":a+:b"`},
		{"SET a[:b] = :a", nil, nil, U + `Syntax error; token: ":b", near: "[:b]"`},
		{`set a[1] = "eight"`, nil, nil, U + `Syntax error; token: """, near: "= "eight"`},
		{" set #c = :c set abOrt = true ", nil, nil, U + "Attribute name is a reserved keyword; reserved keyword: abOrt"},
		{" remove Absolute ", nil, nil, U + "Attribute name is a reserved keyword; reserved keyword: Absolute"},
		{"set #c = if_not_exist(:c) set c = d", nil, nil, U + "Invalid function name; function: if_not_exist"},
		{"SET a = LIST_APPEND(:a, :b)", nil, nil, U + "Invalid function name; function: LIST_APPEND"},
		{"set a = #c set c = :d", nil, nil, U + `The "SET" section can only be used once in an update expression;`},
		{"remove #d set a = b remove e", nil, nil, U + `The "REMOVE" section can only be used once in an update expression;`},
		{"SET #c = if_not_exists(:c)", nil, v, U + "An expression attribute name used in the document path is not defined; attribute name: #c"},
		{"SET #c = if_not_exists(:x)", nm, v, U + "An expression attribute value used in expression is not defined; attribute value: :x"},
		{"set d[1] = a, d.b = a, c[1].a = a, #c = if_not_exists(a)", nm, nil, U + "Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [c, [1], a], path two: [c]"},
		{"set c.b.#c = a, c = a, #d = a", nm, nil, U + "Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [c, b, c], path two: [c]"},
		{"set a = b remove a, #c, #d", nm, nil, U + "Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a], path two: [a]"},
		{"set #c[3].#d = a, #c[3] = a", nm, nil, U + "Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [c, [3], [3]], path two: [c, [3]]"},
		{"remove c, #c.a, #d", nm, nil, U + "Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [c], path two: [c, a]"},
		{"SET a = :a, a.b = :a", nil, v, U + "Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a], path two: [a, b]"},
		{"set #c[3].#d = a, #c.#d[3] = if_not_exists(a)", nm, nil, U + "Two document paths conflict with each other; must remove or rewrite one of these paths; path one: [c, [3], [3]], path two: [c, [3], [3]]"},
		{"remove a.#c set a[1] = #d", nm, nil, U + "Two document paths conflict with each other; must remove or rewrite one of these paths; path one: [a, c], path two: [a, [1]]"},
		{"set b = list_append(:a, a), c = if_not_exists(a) add a.b :a", nil, v, U + "Incorrect operand type for operator or function; operator: ADD, operand type: STRING"},
		{"delete a.b :a", nil, v, U + "Incorrect operand type for operator or function; operator: DELETE, operand type: STRING"},
		{"add a.b :e", nil, v, U + "Incorrect operand type for operator or function; operator: ADD, operand type: NULL"},
		{"add a.b :d", nil, v, U + "Incorrect operand type for operator or function; operator: ADD, operand type: BOOLEAN"},
		{"delete a.b :c", nil, v, U + "Incorrect operand type for operator or function; operator: DELETE, operand type: BINARY"},
		{"add a.b :i", nil, v, U + "Incorrect operand type for operator or function; operator: ADD, operand type: MAP"},
		{"add a.b :j", nil, v, U + "Incorrect operand type for operator or function; operator: ADD, operand type: LIST"},
		{"delete a.b :b", nil, v, U + "Incorrect operand type for operator or function; operator: DELETE, operand type: NUMBER"},
		{"set a = if_not_exists(c)", nil, nil, U + "Incorrect number of operands for operator or function; operator or function: if_not_exists, number of operands: 1"},
		{"set a = list_append(c)", nil, nil, U + "Incorrect number of operands for operator or function; operator or function: list_append, number of operands: 1"},
		{"set a = if_not_exists(:a, c)", nil, v, U + "Operator or function requires a document path; operator or function: if_not_exists"},
		{"set a = if_not_exists(if_not_exists(a, b), c)", nil, nil, U + "Operator or function requires a document path; operator or function: if_not_exists"},
		{"set a = list_append(:a, a)", nil, v, U + "Incorrect operand type for operator or function; operator or function: list_append, operand type: S"},
		{"set a = list_append(a, :i)", nil, v, U + "Incorrect operand type for operator or function; operator or function: list_append, operand type: M"},
		{"set a = a + :a", nil, v, U + "Incorrect operand type for operator or function; operator or function: +, operand type: S"},
		{"set a = :c + a", nil, v, U + "Incorrect operand type for operator or function; operator or function: +, operand type: B"},
		{"set a = a - :j", nil, v, U + "Incorrect operand type for operator or function; operator or function: -, operand type: L"},
	}
	for _, c := range cases {
		t.Run(c.expr, func(t *testing.T) {
			_, err := NewContext(c.names, c.values).ParseUpdate(c.expr)
			wantErr(t, err, c.want)
		})
	}
}

func TestPathDepthLimit(t *testing.T) {
	ok := "a" + strings.Repeat(".b", 31)
	deep := "a" + strings.Repeat("[0]", 32)
	if _, err := NewContext(nil, nil).ParseProjection(ok); err != nil {
		t.Fatal(err)
	}
	_, err := NewContext(nil, vals(":v", s("x"))).ParseCondition("ConditionExpression", deep+" = :v")
	wantErr(t, err, "Invalid ConditionExpression: The document path has too many nesting levels; nesting levels: 33")
	_, err = NewContext(nil, vals(":v", s("x"))).ParseUpdate("SET " + deep + " = :v")
	wantErr(t, err, "Invalid UpdateExpression: The document path has too many nesting levels; nesting levels: 33")
}

func TestUpdateValid(t *testing.T) {
	for _, e := range []string{
		"SET a = :v",
		"set a = :v",
		"sEt a=:v",
		"  set   b=:v  ",
		"SET a = :v, b = :v REMOVE c, d ADD e :n DELETE f :s",
		"DELETE f :s ADD e :n REMOVE c SET a = :v",
		"SET a = (b + :n)",
		"SET a = ((b))",
		"SET a = (b) + (:n)",
		"SET a = if_not_exists(a, :n) + :n",
		"SET a = list_append(if_not_exists(a, :l), :l)",
		"SET a.b[3].#n = :v",
		"SET Alpha_Numeric_123 = :v, A123_ = :v",
		"SET #n = :v",
	} {
		ctx := NewContext(names("#n", "n"), vals(":v", s("x"), ":n", n("1"), ":s", ss("a"), ":l", l()))
		if _, err := ctx.ParseUpdate(e); err != nil {
			t.Errorf("%q: %v", e, err)
		}
	}
}

func TestProjectionErrors(t *testing.T) {
	const P = "Invalid ProjectionExpression: "
	cases := []struct {
		expr  string
		names map[string]string
		want  string
	}{
		{"", nil, P + "The expression can not be empty;"},
		{"a b", nil, P + `Syntax error; token: "b", near: "a b"`},
		{"a,", nil, P + `Syntax error; token: "<EOF>", near: ","`},
		{"a.", nil, P + `Syntax error; token: "<EOF>", near: "."`},
		{"a[-1]", nil, P + `Syntax error; token: "-", near: "[-1"`},
		{"(a)", nil, P + `Syntax error; token: "(", near: "(a"`},
		{"a, name", nil, P + "Attribute name is a reserved keyword; reserved keyword: name"},
		{"a, #x", nil, P + "An expression attribute name used in the document path is not defined; attribute name: #x"},
		{"a, a.b", nil, P + "Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a], path two: [a, b]"},
		{"a[1], #a", names("#a", "a"), P + "Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a, [1]], path two: [a]"},
		{"a" + strings.Repeat(".b", 32), nil, P + "The document path has too many nesting levels; nesting levels: 33"},
		{"a.b, a[1]", nil, P + "Two document paths conflict with each other; must remove or rewrite one of these paths; path one: [a, b], path two: [a, [1]]"},
	}
	for _, c := range cases {
		t.Run(c.expr, func(t *testing.T) {
			_, err := NewContext(c.names, nil).ParseProjection(c.expr)
			wantErr(t, err, c.want)
		})
	}
}

func TestContextChecks(t *testing.T) {
	ctx := NewContext(names("#a", "a", "#b", "b", "#c", "c"), vals(":x", s("x"), ":y", s("y")))
	if _, err := ctx.ParseCondition("ConditionExpression", "#c = :y"); err != nil {
		t.Fatal(err)
	}
	wantErr(t, ctx.CheckUnused(), "Value provided in ExpressionAttributeNames unused in expressions: keys: {#a, #b}")
	if _, err := ctx.ParseProjection("#a, #b"); err != nil {
		t.Fatal(err)
	}
	wantErr(t, ctx.CheckUnused(), "Value provided in ExpressionAttributeValues unused in expressions: keys: {:x}")
	if _, err := ctx.ParseUpdate("SET z = :x"); err != nil {
		t.Fatal(err)
	}
	if err := ctx.CheckUnused(); err != nil {
		t.Fatal(err)
	}

	wantErr(t, NewContext(map[string]string{}, nil).ValidateKeys(), "ExpressionAttributeNames must not be empty")
	wantErr(t, NewContext(names("a", "a"), nil).ValidateKeys(), `ExpressionAttributeNames contains invalid key: Syntax error; key: "a"`)
	wantErr(t, NewContext(nil, map[string]attr.Value{}).ValidateKeys(), "ExpressionAttributeValues must not be empty")
	wantErr(t, NewContext(nil, vals(":a-b", s("x"))).ValidateKeys(), `ExpressionAttributeValues contains invalid key: Syntax error; key: ":a-b"`)
	if err := NewContext(names("#_1", "x"), vals(":0", s("x"))).ValidateKeys(); err != nil {
		t.Fatal(err)
	}
}

// The cache must not leak one request's names or values into another.
func TestCacheBindsPerRequest(t *testing.T) {
	const e = "#k = :v"
	c1, err := NewContext(names("#k", "a"), vals(":v", s("1"))).ParseCondition("ConditionExpression", e)
	if err != nil {
		t.Fatal(err)
	}
	c2, err := NewContext(names("#k", "b"), vals(":v", s("2"))).ParseCondition("ConditionExpression", e)
	if err != nil {
		t.Fatal(err)
	}
	item := attr.Item{"a": s("1"), "b": s("2")}
	for _, c := range []*Condition{c1, c2} {
		if ok, _ := c.Eval(item); !ok {
			t.Fatal("condition bound to the wrong names or values")
		}
	}
	if ok, _ := c1.Eval(attr.Item{"a": s("2")}); ok {
		t.Fatal("c1 matched b's value")
	}
	_, err = NewContext(nil, vals(":v", s("1"))).ParseCondition("ConditionExpression", e)
	wantErr(t, err, "Invalid ConditionExpression: An expression attribute name used in the document path is not defined; attribute name: #k")
}

// Concurrent requests share the parse cache (run with -race).
func TestConcurrentParse(t *testing.T) {
	cache.reset()
	done := make(chan bool)
	for g := 0; g < 4; g++ {
		go func() {
			defer func() { done <- true }()
			for i := 0; i < 200; i++ {
				e := "a = :v AND b" + itoa(i%50) + " <> :v"
				c, err := NewContext(nil, vals(":v", s("x"))).ParseCondition("ConditionExpression", e)
				if err != nil {
					t.Error(err)
					return
				}
				if ok, _ := c.Eval(attr.Item{"a": s("x")}); !ok {
					t.Error("wrong result")
					return
				}
			}
		}()
	}
	for g := 0; g < 4; g++ {
		<-done
	}
}
