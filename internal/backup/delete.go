package backup

import (
	"context"
	"fmt"
)

// Delete removes a backup: its manifest goes at once (its chunks at the
// next repository gc, unless other backups share them) and it is returned
// with Status DELETED. ErrBackupInUse while it is being created or a
// restore reads it; ErrSystemBackup for SYSTEM backups, which expire on
// their own.
func (s *Service) Delete(ctx context.Context, arn string) (*Backup, error) {
	s.mu.Lock()
	b, err := s.lookup(arn)
	switch {
	case err != nil:
	case b.Type == TypeSystem:
		err = fmt.Errorf("%w: %s", ErrSystemBackup, arn)
	case b.Status == StatusCreating:
		err = fmt.Errorf("%w: %s is being created", ErrBackupInUse, arn)
	case s.restoring[arn] != "":
		err = s.inUse(arn)
	default:
		// Reserve it so no restore starts while the manifest is deleted.
		s.restoring[arn] = deleting
	}
	s.mu.Unlock()
	if err != nil {
		return nil, err
	}
	err = s.rp.Delete(ctx, repoKind, s.repoID(b.ID))
	s.mu.Lock()
	delete(s.restoring, arn)
	if err == nil {
		delete(s.backups, arn)
	}
	s.mu.Unlock()
	if err != nil {
		return nil, err
	}
	s.log.Info("backup deleted", "backup", arn)
	out := b.clone()
	out.Status = StatusDeleted
	return out, nil
}

// deleting marks, in s.restoring, a backup whose Delete is in progress.
const deleting = "\x00deleting"

// inUse is the ErrBackupInUse of a backup that a restore reads or that is
// being deleted. The caller holds s.mu.
func (s *Service) inUse(arn string) error {
	if s.restoring[arn] == deleting {
		return fmt.Errorf("%w: %s is being deleted", ErrBackupInUse, arn)
	}
	return fmt.Errorf("%w: %s is being restored to table %s", ErrBackupInUse, arn, s.restoring[arn])
}
