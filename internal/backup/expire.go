package backup

import (
	"context"
)

// SweepExpired deletes the SYSTEM backups past their expiry (they are
// already hidden from List and Describe) and returns how many it deleted.
// The point-in-time recovery service calls it on its periodic pass, so it
// runs on the injectable clock.
func (s *Service) SweepExpired(ctx context.Context) (int, error) {
	s.mu.Lock()
	var due []*Backup
	for _, b := range s.backups {
		if s.expired(b) && b.Status == StatusAvailable && s.restoring[b.ARN] == "" {
			due = append(due, b.clone())
		}
	}
	s.mu.Unlock()
	n := 0
	for _, b := range due {
		if err := s.rp.Delete(ctx, repoKind, s.repoID(b.ID)); err != nil {
			return n, err
		}
		s.mu.Lock()
		delete(s.backups, b.ARN)
		s.mu.Unlock()
		s.log.Info("expired system backup deleted", "backup", b.ARN)
		n++
	}
	return n, nil
}
