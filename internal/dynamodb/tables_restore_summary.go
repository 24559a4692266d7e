package dynamodb

import "github.com/ebbtide/ebbtide/internal/engine"

// RestoreSummary tells where a restored table's data came from. DynamoDB
// reports it while the restore runs (RestoreInProgress true); Ebbtide keeps
// it afterwards with RestoreInProgress false, which SDKs accept.
type RestoreSummary struct {
	SourceBackupArn   string    `json:"SourceBackupArn,omitempty"`
	SourceTableArn    string    `json:"SourceTableArn,omitempty"`
	RestoreDateTime   epochTime `json:"RestoreDateTime"`
	RestoreInProgress bool      `json:"RestoreInProgress"`
}

// restoreSummary renders a table's restore record, or nil for a table that
// was not restored.
func restoreSummary(r *engine.RestoreState) *RestoreSummary {
	if r == nil {
		return nil
	}
	return &RestoreSummary{
		SourceBackupArn:   r.SourceBackupARN,
		SourceTableArn:    r.SourceTableARN,
		RestoreDateTime:   epochTime(r.RestoreDateTime),
		RestoreInProgress: r.InProgress,
	}
}
