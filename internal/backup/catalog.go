package backup

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
)

// loadCatalog reads every backup manifest of this namespace.
func (s *Service) loadCatalog(ctx context.Context) error {
	infos, err := s.rp.List(ctx, repoKind)
	if err != nil {
		return err
	}
	prefix := s.repoID("")
	for _, mi := range infos {
		if !strings.HasPrefix(mi.ID, prefix) {
			continue
		}
		if mi.Err != nil {
			s.log.Error("unreadable backup manifest; the backup is not listed", "object", mi.Key, "err", mi.Err)
			continue
		}
		b, ours, err := s.decodeMeta(mi.Manifest.Meta)
		if err != nil {
			s.log.Error("unreadable backup metadata; the backup is not listed", "object", mi.Key, "err", err)
			continue
		}
		if ours {
			s.backups[b.ARN] = b
		}
	}
	s.log.Info("backup catalog loaded", "backups", len(s.backups))
	return nil
}

// clone returns a copy the caller may keep.
func (b *Backup) clone() *Backup {
	c := *b
	return &c
}

// lookup returns the live catalog entry of arn, dropping it if it is an
// expired SYSTEM backup. The caller holds s.mu.
func (s *Service) lookup(arn string) (*Backup, error) {
	b, ok := s.backups[arn]
	if !ok || s.expired(b) {
		return nil, fmt.Errorf("%w: %s", ErrBackupNotFound, arn)
	}
	return b, nil
}

// Describe returns the backup with that ARN.
func (s *Service) Describe(ctx context.Context, arn string) (*Backup, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	b, err := s.lookup(arn)
	if err != nil {
		return nil, err
	}
	return b.clone(), nil
}

// List returns every CREATING or AVAILABLE backup, ordered by CreatedAt,
// then ARN.
func (s *Service) List(ctx context.Context) ([]*Backup, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	out := make([]*Backup, 0, len(s.backups))
	for _, b := range s.backups {
		if !s.expired(b) {
			out = append(out, b.clone())
		}
	}
	s.mu.Unlock()
	slices.SortFunc(out, func(a, b *Backup) int {
		return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), cmp.Compare(a.ARN, b.ARN))
	})
	return out, nil
}

// expired reports whether b is a SYSTEM backup past its expiry.
func (s *Service) expired(b *Backup) bool {
	return !b.ExpiresAt.IsZero() && !s.eng.Now().Before(b.ExpiresAt)
}
