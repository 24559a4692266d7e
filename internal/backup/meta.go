package backup

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/ebbtide/ebbtide/internal/engine"
)

// metaVersion is the version of the backup metadata in manifests.
const metaVersion = 1

// recordFormat names how a backup's records are encoded: one item per
// record, in the attr binary codec, in the table's key order.
const recordFormat = "item-codec/1"

// manifestMeta is the backup's description kept in its repository
// manifest: everything DescribeBackup reports and a restore needs, so the
// repository alone is enough to list and restore backups.
type manifestMeta struct {
	Version        int             `json:"version"`
	Format         string          `json:"format"`
	AccountID      string          `json:"account_id"`
	Region         string          `json:"region"`
	ARN            string          `json:"arn"`
	ID             string          `json:"id"`
	Name           string          `json:"name"`
	Type           string          `json:"type"`
	CreatedAt      time.Time       `json:"created_at"`
	ExpiresAt      time.Time       `json:"expires_at,omitzero"`
	SizeBytes      int64           `json:"size_bytes"`
	ItemCount      int64           `json:"item_count"`
	TableSizeBytes int64           `json:"table_size_bytes"`
	Table          json.RawMessage `json:"table"` // engine.MarshalTable
}

func (s *Service) encodeMeta(b *Backup) (json.RawMessage, error) {
	tb, err := engine.MarshalTable(b.Table)
	if err != nil {
		return nil, err
	}
	return json.Marshal(manifestMeta{
		Version: metaVersion, Format: recordFormat,
		AccountID: s.cfg.AccountID, Region: s.cfg.Region,
		ARN: b.ARN, ID: b.ID, Name: b.Name, Type: b.Type,
		CreatedAt: b.CreatedAt, ExpiresAt: b.ExpiresAt, SizeBytes: b.SizeBytes,
		ItemCount: b.ItemCount, TableSizeBytes: b.TableSizeBytes, Table: tb,
	})
}

// decodeMeta returns the backup a manifest describes, and whether it
// belongs to this service's namespace.
func (s *Service) decodeMeta(raw json.RawMessage) (*Backup, bool, error) {
	var m manifestMeta
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, false, fmt.Errorf("backup: bad manifest metadata: %w", err)
	}
	if m.Version != metaVersion || m.Format != recordFormat {
		return nil, false, fmt.Errorf("backup: unsupported backup format %d/%q", m.Version, m.Format)
	}
	if m.AccountID != s.cfg.AccountID || m.Region != s.cfg.Region {
		return nil, false, nil
	}
	t, err := engine.UnmarshalTable(m.Table)
	if err != nil {
		return nil, false, err
	}
	return &Backup{
		ARN: m.ARN, ID: m.ID, Name: m.Name, Type: m.Type, Status: StatusAvailable,
		CreatedAt: m.CreatedAt, ExpiresAt: m.ExpiresAt, SizeBytes: m.SizeBytes,
		Table: t, ItemCount: m.ItemCount, TableSizeBytes: m.TableSizeBytes,
	}, true, nil
}

// repoID is the repository id of a backup: namespaced, since several
// servers (accounts, regions) may share one repository.
func (s *Service) repoID(backupID string) string {
	return s.cfg.AccountID + ":" + s.cfg.Region + ":" + backupID
}
