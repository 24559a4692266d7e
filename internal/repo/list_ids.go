package repo

import (
	"context"
	"fmt"
	"strings"
)

// ListIDs returns the ids of the snapshots of kind whose ids start with
// prefix, in key order, from the object listing alone (no manifest is
// read): for callers that encode what they need in their ids.
func (r *Repo) ListIDs(ctx context.Context, kind, prefix string) ([]string, error) {
	p := manifestKey(kind, prefix)
	var ids []string
	err := r.store.List(ctx, p, func(key string, _ int64) error {
		ids = append(ids, strings.TrimPrefix(key, manifestKey(kind, "")))
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("repo: listing %s: %w", p, err)
	}
	return ids, nil
}
