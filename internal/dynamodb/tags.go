package dynamodb

import (
	"context"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/ebbtide/ebbtide/internal/engine"
)

// Tagging operations address a table by its ARN. Tags are stored in the
// table's catalog record (engine.Table.Tags), replaced atomically.

// maxTags is the number of tags a resource may carry.
const maxTags = 50

// tagChars is what tag keys and values may contain: letters, numbers, white
// space and + - = . _ : / @.
var tagChars = regexp.MustCompile(`^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$`)

// TagResourceInput is the TagResource request.
type TagResourceInput struct {
	ResourceArn *string `json:"ResourceArn"`
	Tags        []Tag   `json:"Tags"`
}

// UntagResourceInput is the UntagResource request.
type UntagResourceInput struct {
	ResourceArn *string  `json:"ResourceArn"`
	TagKeys     []string `json:"TagKeys"`
}

// ListTagsOfResourceInput is the ListTagsOfResource request. NextToken is
// accepted for compatibility; every tag fits in one page.
type ListTagsOfResourceInput struct {
	ResourceArn *string `json:"ResourceArn"`
	NextToken   *string `json:"NextToken"`
}

// ListTagsOfResourceOutput is the ListTagsOfResource response. Tags is always
// present, empty for a table without tags, as in DynamoDB.
type ListTagsOfResourceOutput struct {
	Tags []Tag `json:"Tags"`
}

// tagResource implements TagResource: adds tags, replacing the values of keys
// already present.
func (a *API) tagResource(ctx context.Context, body []byte) (any, error) {
	var in TagResourceInput
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	name, err := a.tagTarget(in.ResourceArn, "tags", in.Tags == nil)
	if err != nil {
		return nil, err
	}
	if len(in.Tags) == 0 {
		return nil, Validation("Atleast one Tag needs to be provided as Input.")
	}
	if _, err := mergeTags(nil, in.Tags); err != nil {
		return nil, err
	}
	_, err = a.eng.UpdateTable(ctx, name, func(t *engine.Table) error {
		tags, err := mergeTags(t.Tags, in.Tags)
		t.Tags = tags
		return err
	})
	if tableUnavailable(err) {
		return nil, resourceNotFound(*in.ResourceArn)
	}
	return nil, err
}

// untagResource implements UntagResource: removes tags by key; keys that are
// not present are ignored.
func (a *API) untagResource(ctx context.Context, body []byte) (any, error) {
	var in UntagResourceInput
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	name, err := a.tagTarget(in.ResourceArn, "tagKeys", in.TagKeys == nil)
	if err != nil {
		return nil, err
	}
	if len(in.TagKeys) == 0 {
		return nil, Validation("Atleast one Tag Key needs to be provided as Input.")
	}
	for _, k := range in.TagKeys {
		if !validTagKey(k) {
			return nil, Validation("The Tag Key provided is invalid, Key: %s", k)
		}
	}
	_, err = a.eng.UpdateTable(ctx, name, func(t *engine.Table) error {
		t.Tags = withoutTags(t.Tags, in.TagKeys)
		return nil
	})
	if tableUnavailable(err) {
		// UntagResource's message does not name the resource.
		return nil, Dynamo("ResourceNotFoundException", "Requested resource not found")
	}
	return nil, err
}

// listTagsOfResource implements ListTagsOfResource.
func (a *API) listTagsOfResource(ctx context.Context, body []byte) (any, error) {
	var in ListTagsOfResourceInput
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	name, err := a.tagTarget(in.ResourceArn, "", false)
	if err != nil {
		return nil, err
	}
	t, err := a.eng.Table(ctx, name)
	if tableUnavailable(err) || (err == nil && notReady(t)) {
		return nil, resourceNotFound(*in.ResourceArn)
	}
	if err != nil {
		return nil, err
	}
	out := ListTagsOfResourceOutput{Tags: []Tag{}}
	for _, tag := range t.Tags {
		out.Tags = append(out.Tags, Tag{Key: ptr(tag.Key), Value: ptr(tag.Value)})
	}
	return out, nil
}

// tagTarget does the checks the three tagging operations share, in
// DynamoDB's order: a ResourceArn is required, then the Coral constraints
// (the ARN's length and, when listMember is set and missing, that list),
// then the ARN must name a table here. It returns the table name.
func (a *API) tagTarget(arn *string, listMember string, listMissing bool) (string, error) {
	if arn == nil {
		return "", Validation("Invalid TableArn")
	}
	var v violations
	v.resourceArn(*arn)
	if listMember != "" && listMissing {
		v.addNull(listMember)
	}
	if err := v.err(); err != nil {
		return "", err
	}
	return a.taggedTable(*arn)
}

// resourceArn checks the ResourceArn member's length (1..1283).
func (v *violations) resourceArn(arn string) {
	switch {
	case arn == "":
		v.add(arn, "resourceArn", "Member must have length greater than or equal to 1")
	case len(arn) > 1283:
		v.add(arn, "resourceArn", "Member must have length less than or equal to 1283")
	}
}

// taggedTable resolves the ARN of a taggable resource to a table name of this
// region and account, with DynamoDB's messages for ARNs it cannot accept. A
// well-formed ARN of another account, or of a stream (Ebbtide has none yet),
// names nothing here.
func (a *API) taggedTable(arn string) (string, error) {
	invalid := func(format string) error { return Validation(format, arn) }
	if !strings.HasPrefix(arn, "arn:") {
		return "", invalid("One or more parameter values were invalid: ARNs must start with 'arn:': %s")
	}
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[2] != "dynamodb" {
		return "", invalid("One or more parameter values were invalid: Provided Arn is not a DynamoDB resource arn: %s")
	}
	resource := strings.Split(parts[5], "/")
	switch {
	case resource[0] != "table" || (len(resource) != 2 && !(len(resource) == 4 && resource[2] == "stream")):
		return "", invalid("One or more parameter values were invalid: Invalid resource arn provided, only table or stream is accepted. Provided resource arn: %s")
	case parts[1] != "aws" || parts[3] != a.cfg.Region || !validTableName(resource[1]):
		return "", invalid("Invalid TableArn: Invalid ResourceArn provided as input %s")
	case parts[4] != a.cfg.AccountID || len(resource) == 4:
		return "", resourceNotFound(arn)
	}
	return resource[1], nil
}

// resourceNotFound is the ResourceNotFoundException of TagResource and
// ListTagsOfResource (DynamoDB's text says "ResourcArn").
func resourceNotFound(arn string) error {
	return Dynamo("ResourceNotFoundException", "Requested resource not found: ResourcArn: %s not found", arn)
}

// mergeTags validates tags and adds them to existing ones, replacing the
// values of keys already present; the result may hold at most 50 tags.
func mergeTags(existing []engine.Tag, add []Tag) ([]engine.Tag, error) {
	seen := make(map[string]bool, len(add))
	for _, tag := range add {
		key := "null"
		if tag.Key != nil {
			key = *tag.Key
		}
		switch {
		case tag.Key == nil || !validTagKey(key):
			return existing, Validation("The Tag Key provided is invalid, Key: %s", key)
		case strings.HasPrefix(strings.ToLower(key), "aws:"):
			return existing, Validation("Tag Key cannot be prefixed with aws:, Key: %s", key)
		case tag.Value == nil:
			return existing, Validation("The Tag Value provided is invalid, Value: null")
		case utf8.RuneCountInString(*tag.Value) > 256 || !tagChars.MatchString(*tag.Value):
			return existing, Validation("The Tag Value provided is invalid, Value: %s", *tag.Value)
		case seen[key]:
			return existing, Validation("Duplicate Tag Keys provided as input: Duplicate Tag Key found %s", key)
		}
		seen[key] = true
	}
	out := slices.Clone(existing)
	for _, tag := range add {
		i := slices.IndexFunc(out, func(t engine.Tag) bool { return t.Key == *tag.Key })
		if i < 0 {
			out = append(out, engine.Tag{Key: *tag.Key, Value: *tag.Value})
		} else {
			out[i].Value = *tag.Value
		}
	}
	if len(out) > maxTags {
		return existing, Validation("Number of Tags exceed the current limit for the provided ResourceArn")
	}
	return out, nil
}

// validTagKey reports whether key is a valid tag key (1..128 characters).
func validTagKey(key string) bool {
	n := utf8.RuneCountInString(key)
	return n >= 1 && n <= 128 && tagChars.MatchString(key)
}

// withoutTags returns tags without those whose key is in keys.
func withoutTags(tags []engine.Tag, keys []string) []engine.Tag {
	drop := make(map[string]bool, len(keys))
	for _, k := range keys {
		drop[k] = true
	}
	out := make([]engine.Tag, 0, len(tags))
	for _, tag := range tags {
		if !drop[tag.Key] {
			out = append(out, tag)
		}
	}
	return out
}
