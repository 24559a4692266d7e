package dynamodb

import (
	"encoding/json"

	"github.com/ebbtide/ebbtide/internal/pitr"
)

// Wire shapes of the point-in-time recovery operations
// (UpdateContinuousBackups, DescribeContinuousBackups,
// RestoreTableToPointInTime), named after the botocore model's shapes, and
// the rendering of a table's PITR state.

// Values of ContinuousBackupsStatus and PointInTimeRecoveryStatus.
const (
	pitrEnabled  = "ENABLED"
	pitrDisabled = "DISABLED"
)

// UpdateContinuousBackupsInput is the UpdateContinuousBackups request.
type UpdateContinuousBackupsInput struct {
	TableName                        *string                           `json:"TableName"`
	PointInTimeRecoverySpecification *PointInTimeRecoverySpecification `json:"PointInTimeRecoverySpecification"`
}

// PointInTimeRecoverySpecification turns PITR on or off;
// RecoveryPeriodInDays (1..35) may be given only when turning it on.
type PointInTimeRecoverySpecification struct {
	PointInTimeRecoveryEnabled *bool  `json:"PointInTimeRecoveryEnabled"`
	RecoveryPeriodInDays       *int32 `json:"RecoveryPeriodInDays"`
}

// ContinuousBackupsOutput is the response of UpdateContinuousBackups and
// DescribeContinuousBackups: the table's state after the call.
type ContinuousBackupsOutput struct {
	ContinuousBackupsDescription ContinuousBackupsDescription `json:"ContinuousBackupsDescription"`
}

// ContinuousBackupsDescription is a table's continuous-backups state.
// ContinuousBackupsStatus is ENABLED for every existing table; whether PITR
// is on is PointInTimeRecoveryStatus.
type ContinuousBackupsDescription struct {
	ContinuousBackupsStatus        string                          `json:"ContinuousBackupsStatus"`
	PointInTimeRecoveryDescription *PointInTimeRecoveryDescription `json:"PointInTimeRecoveryDescription,omitempty"`
}

// PointInTimeRecoveryDescription is a table's PITR state. When PITR is off
// only PointInTimeRecoveryStatus is present.
type PointInTimeRecoveryDescription struct {
	PointInTimeRecoveryStatus  string     `json:"PointInTimeRecoveryStatus"`
	RecoveryPeriodInDays       int        `json:"RecoveryPeriodInDays,omitempty"`
	EarliestRestorableDateTime *epochTime `json:"EarliestRestorableDateTime,omitempty"`
	LatestRestorableDateTime   *epochTime `json:"LatestRestorableDateTime,omitempty"`
}

// RestoreTableToPointInTimeInput is the RestoreTableToPointInTime request:
// exactly one of SourceTableArn and SourceTableName, and exactly one of
// RestoreDateTime and UseLatestRestorableTime true. The overrides are
// RestoreTableFromBackup's.
type RestoreTableToPointInTimeInput struct {
	SourceTableArn                *string                `json:"SourceTableArn"`
	SourceTableName               *string                `json:"SourceTableName"`
	TargetTableName               *string                `json:"TargetTableName"`
	UseLatestRestorableTime       *bool                  `json:"UseLatestRestorableTime"`
	RestoreDateTime               *epochTime             `json:"RestoreDateTime"`
	BillingModeOverride           string                 `json:"BillingModeOverride"`
	GlobalSecondaryIndexOverride  []GlobalSecondaryIndex `json:"GlobalSecondaryIndexOverride"`
	LocalSecondaryIndexOverride   []LocalSecondaryIndex  `json:"LocalSecondaryIndexOverride"`
	ProvisionedThroughputOverride *ProvisionedThroughput `json:"ProvisionedThroughputOverride"`
	OnDemandThroughputOverride    json.RawMessage        `json:"OnDemandThroughputOverride"`
	SSESpecificationOverride      *SSESpecification      `json:"SSESpecificationOverride"`
}

// RestoreTableToPointInTimeOutput is the RestoreTableToPointInTime
// response: the new table, CREATING, with its RestoreSummary (no
// SourceBackupArn).
type RestoreTableToPointInTimeOutput struct {
	TableDescription TableDescription `json:"TableDescription"`
}

// overrides returns the request's override members.
func (in *RestoreTableToPointInTimeInput) overrides() restoreOverrides {
	return restoreOverrides{
		billingMode: in.BillingModeOverride,
		gsis:        in.GlobalSecondaryIndexOverride,
		lsis:        in.LocalSecondaryIndexOverride,
		throughput:  in.ProvisionedThroughputOverride,
		onDemand:    in.OnDemandThroughputOverride,
		sse:         in.SSESpecificationOverride,
	}
}

// continuousBackups renders a table's PITR state: the window and period
// only while PITR is on, the timestamps with millisecond precision.
func continuousBackups(st *pitr.Status) ContinuousBackupsOutput {
	p := &PointInTimeRecoveryDescription{PointInTimeRecoveryStatus: pitrDisabled}
	if st.Enabled {
		days := st.RecoveryPeriodDays
		if days == 0 {
			days = pitr.DefaultRecoveryPeriodDays
		}
		p = &PointInTimeRecoveryDescription{
			PointInTimeRecoveryStatus:  pitrEnabled,
			RecoveryPeriodInDays:       days,
			EarliestRestorableDateTime: ptr(epochTime(st.Earliest)),
			LatestRestorableDateTime:   ptr(epochTime(st.Latest)),
		}
	}
	return ContinuousBackupsOutput{ContinuousBackupsDescription: ContinuousBackupsDescription{
		ContinuousBackupsStatus:        pitrEnabled,
		PointInTimeRecoveryDescription: p,
	}}
}
