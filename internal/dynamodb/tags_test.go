package dynamodb

import (
	"fmt"
	"strings"
	"testing"
)

// Tagging against a real engine.

func TestTags(t *testing.T) {
	a := newTestAPI(t)
	createSimple(t, a, "tagged")
	const arn = "arn:aws:dynamodb:us-east-1:000000000000:table/tagged"
	list := func() string {
		t.Helper()
		out, err := call(t, a, "ListTagsOfResource", `{"ResourceArn":"`+arn+`"}`)
		if err != nil {
			t.Fatalf("ListTagsOfResource: %v", err)
		}
		return out
	}
	if got := list(); got != `{"Tags":[]}` {
		t.Errorf("no tags: %s", got)
	}
	if out, err := call(t, a, "TagResource", `{"ResourceArn":"`+arn+`","Tags":[{"Key":"t1","Value":"v1"},{"Key":"t2","Value":"v2"}]}`); err != nil || out != "{}" {
		t.Fatalf("TagResource = %s %v", out, err)
	}
	mustCall(t, a, "TagResource", `{"ResourceArn":"`+arn+`","Tags":[{"Key":"t1","Value":"new"},{"Key":"t3","Value":""}]}`)
	if got := list(); got != `{"Tags":[{"Key":"t1","Value":"new"},{"Key":"t2","Value":"v2"},{"Key":"t3","Value":""}]}` {
		t.Errorf("after tagging: %s", got)
	}
	// Removing keys that are not there is fine.
	mustCall(t, a, "UntagResource", `{"ResourceArn":"`+arn+`","TagKeys":["t1","missing"]}`)
	if got := list(); got != `{"Tags":[{"Key":"t2","Value":"v2"},{"Key":"t3","Value":""}]}` {
		t.Errorf("after untagging: %s", got)
	}

	// The limit counts the tags the table would carry.
	var tags []string
	for i := range 48 {
		tags = append(tags, fmt.Sprintf(`{"Key":"k%d","Value":"v"}`, i))
	}
	mustCall(t, a, "TagResource", `{"ResourceArn":"`+arn+`","Tags":[`+strings.Join(tags, ",")+`]}`)
	wantError(t, a, "TagResource", `{"ResourceArn":"`+arn+`","Tags":[{"Key":"one-more","Value":"v"}]}`,
		"ValidationException", "Number of Tags exceed the current limit for the provided ResourceArn")
	mustCall(t, a, "TagResource", `{"ResourceArn":"`+arn+`","Tags":[{"Key":"k0","Value":"replaced"}]}`)

	const missing = "arn:aws:dynamodb:us-east-1:000000000000:table/missing"
	wantError(t, a, "TagResource", `{"ResourceArn":"`+missing+`","Tags":[{"Key":"a","Value":"b"}]}`,
		"ResourceNotFoundException", "Requested resource not found: ResourcArn: "+missing+" not found")
	wantError(t, a, "ListTagsOfResource", `{"ResourceArn":"`+missing+`"}`,
		"ResourceNotFoundException", "Requested resource not found: ResourcArn: "+missing+" not found")
	wantError(t, a, "UntagResource", `{"ResourceArn":"`+missing+`","TagKeys":["a"]}`,
		"ResourceNotFoundException", "Requested resource not found")
}
