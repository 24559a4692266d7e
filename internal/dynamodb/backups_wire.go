package dynamodb

import (
	"encoding/json"

	"github.com/ebbtide/ebbtide/internal/backup"
	"github.com/ebbtide/ebbtide/internal/engine"
)

// Wire shapes of the on-demand backup operations (CreateBackup,
// DescribeBackup, ListBackups, DeleteBackup, RestoreTableFromBackup), named
// after the botocore model's shapes, and their rendering from a
// backup.Backup. Required output members are always sent; optional ones are
// omitted when empty.

// CreateBackupInput is the CreateBackup request.
type CreateBackupInput struct {
	TableName  *string `json:"TableName"`
	BackupName *string `json:"BackupName"`
}

// CreateBackupOutput is the CreateBackup response: the backup's details only.
type CreateBackupOutput struct {
	BackupDetails BackupDetails `json:"BackupDetails"`
}

// BackupArnInput is the request of DescribeBackup and DeleteBackup.
type BackupArnInput struct {
	BackupArn *string `json:"BackupArn"`
}

// DescribeBackupOutput is the DescribeBackup response.
type DescribeBackupOutput struct {
	BackupDescription BackupDescription `json:"BackupDescription"`
}

// DeleteBackupOutput is the DeleteBackup response (BackupStatus DELETED).
type DeleteBackupOutput struct {
	BackupDescription BackupDescription `json:"BackupDescription"`
}

// ListBackupsInput is the ListBackups request; every member is optional.
type ListBackupsInput struct {
	TableName               *string    `json:"TableName"`
	Limit                   *int32     `json:"Limit"`
	TimeRangeLowerBound     *epochTime `json:"TimeRangeLowerBound"`
	TimeRangeUpperBound     *epochTime `json:"TimeRangeUpperBound"`
	ExclusiveStartBackupArn *string    `json:"ExclusiveStartBackupArn"`
	BackupType              *string    `json:"BackupType"`
}

// ListBackupsOutput is the ListBackups response. BackupSummaries is always
// present; LastEvaluatedBackupArn only when more backups match.
type ListBackupsOutput struct {
	BackupSummaries        []BackupSummary `json:"BackupSummaries"`
	LastEvaluatedBackupArn string          `json:"LastEvaluatedBackupArn,omitempty"`
}

// RestoreTableFromBackupInput is the RestoreTableFromBackup request. The
// index overrides tell absent (nil: restore every index) from [] (restore
// none). OnDemandThroughputOverride is kept raw: only its presence matters
// until Ebbtide implements on-demand throughput.
type RestoreTableFromBackupInput struct {
	TargetTableName               *string                `json:"TargetTableName"`
	BackupArn                     *string                `json:"BackupArn"`
	BillingModeOverride           string                 `json:"BillingModeOverride"`
	GlobalSecondaryIndexOverride  []GlobalSecondaryIndex `json:"GlobalSecondaryIndexOverride"`
	LocalSecondaryIndexOverride   []LocalSecondaryIndex  `json:"LocalSecondaryIndexOverride"`
	ProvisionedThroughputOverride *ProvisionedThroughput `json:"ProvisionedThroughputOverride"`
	OnDemandThroughputOverride    json.RawMessage        `json:"OnDemandThroughputOverride"`
	SSESpecificationOverride      *SSESpecification      `json:"SSESpecificationOverride"`
}

// RestoreTableFromBackupOutput is the RestoreTableFromBackup response: the
// new table, CREATING, with its RestoreSummary.
type RestoreTableFromBackupOutput struct {
	TableDescription TableDescription `json:"TableDescription"`
}

// BackupDetails describes a backup. BackupExpiryDateTime is set for SYSTEM
// backups only.
type BackupDetails struct {
	BackupArn              string     `json:"BackupArn"`
	BackupName             string     `json:"BackupName"`
	BackupSizeBytes        int64      `json:"BackupSizeBytes"`
	BackupStatus           string     `json:"BackupStatus"`
	BackupType             string     `json:"BackupType"`
	BackupCreationDateTime epochTime  `json:"BackupCreationDateTime"`
	BackupExpiryDateTime   *epochTime `json:"BackupExpiryDateTime,omitempty"`
}

// BackupDescription is a backup with what it recorded of its source table.
type BackupDescription struct {
	BackupDetails             BackupDetails              `json:"BackupDetails"`
	SourceTableDetails        *SourceTableDetails        `json:"SourceTableDetails,omitempty"`
	SourceTableFeatureDetails *SourceTableFeatureDetails `json:"SourceTableFeatureDetails,omitempty"`
}

// SourceTableDetails is the source table at the backup instant.
// ProvisionedThroughput is 0/0 for an on-demand table.
type SourceTableDetails struct {
	TableName             string                `json:"TableName"`
	TableId               string                `json:"TableId"`
	TableArn              string                `json:"TableArn,omitempty"`
	TableSizeBytes        int64                 `json:"TableSizeBytes"`
	KeySchema             []KeySchemaElement    `json:"KeySchema"`
	TableCreationDateTime epochTime             `json:"TableCreationDateTime"`
	ProvisionedThroughput ProvisionedThroughput `json:"ProvisionedThroughput"`
	ItemCount             int64                 `json:"ItemCount"`
	BillingMode           string                `json:"BillingMode,omitempty"`
}

// SourceTableFeatureDetails lists the source table's features at the backup
// instant; a member is present only if the table had the feature, so a
// plain table has {}.
type SourceTableFeatureDetails struct {
	LocalSecondaryIndexes  []LocalSecondaryIndexInfo  `json:"LocalSecondaryIndexes,omitempty"`
	GlobalSecondaryIndexes []GlobalSecondaryIndexInfo `json:"GlobalSecondaryIndexes,omitempty"`
	TimeToLiveDescription  *timeToLiveDescription     `json:"TimeToLiveDescription,omitempty"`
	SSEDescription         *SSEDescription            `json:"SSEDescription,omitempty"`
}

// LocalSecondaryIndexInfo is a local secondary index recorded by a backup.
type LocalSecondaryIndexInfo struct {
	IndexName  string             `json:"IndexName"`
	KeySchema  []KeySchemaElement `json:"KeySchema"`
	Projection Projection         `json:"Projection"`
}

// GlobalSecondaryIndexInfo is a global secondary index recorded by a
// backup, with its throughput then (0/0 on an on-demand table).
type GlobalSecondaryIndexInfo struct {
	IndexName             string                 `json:"IndexName"`
	KeySchema             []KeySchemaElement     `json:"KeySchema"`
	Projection            Projection             `json:"Projection"`
	ProvisionedThroughput *ProvisionedThroughput `json:"ProvisionedThroughput"`
}

// BackupSummary is one backup in a ListBackups response.
type BackupSummary struct {
	TableName              string     `json:"TableName,omitempty"`
	TableId                string     `json:"TableId,omitempty"`
	TableArn               string     `json:"TableArn,omitempty"`
	BackupArn              string     `json:"BackupArn"`
	BackupName             string     `json:"BackupName"`
	BackupCreationDateTime epochTime  `json:"BackupCreationDateTime"`
	BackupExpiryDateTime   *epochTime `json:"BackupExpiryDateTime,omitempty"`
	BackupStatus           string     `json:"BackupStatus"`
	BackupType             string     `json:"BackupType"`
	BackupSizeBytes        int64      `json:"BackupSizeBytes"`
}

// backupDetails renders a backup's details under the ARN the request named
// it by (DynamoDB echoes the ARN it was given).
func backupDetails(b *backup.Backup, arn string) BackupDetails {
	d := BackupDetails{
		BackupArn:              arn,
		BackupName:             b.Name,
		BackupSizeBytes:        b.SizeBytes,
		BackupStatus:           b.Status,
		BackupType:             b.Type,
		BackupCreationDateTime: epochTime(b.CreatedAt),
	}
	if b.Type == backup.TypeSystem {
		d.BackupExpiryDateTime = newEpochTime(b.ExpiresAt)
	}
	return d
}

// backupDescription renders a backup with its source table's details (none
// if the backup carries no table record).
func backupDescription(b *backup.Backup, arn string) BackupDescription {
	d := BackupDescription{BackupDetails: backupDetails(b, arn)}
	if b.Table != nil {
		d.SourceTableDetails = sourceTableDetails(b)
		d.SourceTableFeatureDetails = sourceTableFeatures(b.Table)
	}
	return d
}

// sourceTableDetails renders the source table of a backup.
func sourceTableDetails(b *backup.Backup) *SourceTableDetails {
	t := b.Table
	mode := t.BillingMode
	if mode == "" {
		mode = billingProvisioned
	}
	d := &SourceTableDetails{
		TableName:             t.Name,
		TableId:               t.ID,
		TableArn:              t.ARN,
		TableSizeBytes:        b.TableSizeBytes,
		KeySchema:             keySchemaElements(t.KeySchema),
		TableCreationDateTime: epochTime(t.CreatedAt),
		ProvisionedThroughput: ProvisionedThroughput{ReadCapacityUnits: ptr(int64(0)), WriteCapacityUnits: ptr(int64(0))},
		ItemCount:             b.ItemCount,
		BillingMode:           mode,
	}
	if mode == billingProvisioned {
		d.ProvisionedThroughput = ProvisionedThroughput{ReadCapacityUnits: ptr(t.ReadCapacityUnits), WriteCapacityUnits: ptr(t.WriteCapacityUnits)}
	}
	return d
}

// sourceTableFeatures renders the features of a backup's source table:
// indexes, TTL while enabled, and encryption with a KMS key.
func sourceTableFeatures(t *engine.Table) *SourceTableFeatureDetails {
	f := &SourceTableFeatureDetails{}
	for _, ix := range t.Indexes {
		if ix.Local {
			f.LocalSecondaryIndexes = append(f.LocalSecondaryIndexes, LocalSecondaryIndexInfo{
				IndexName:  ix.Name,
				KeySchema:  keySchemaElements(ix.KeySchema),
				Projection: projectionDescription(ix.Projection),
			})
			continue
		}
		pt := &ProvisionedThroughput{ReadCapacityUnits: ptr(int64(0)), WriteCapacityUnits: ptr(int64(0))}
		if t.BillingMode != billingPayPerRequest {
			pt = &ProvisionedThroughput{ReadCapacityUnits: ptr(ix.ReadCapacityUnits), WriteCapacityUnits: ptr(ix.WriteCapacityUnits)}
		}
		f.GlobalSecondaryIndexes = append(f.GlobalSecondaryIndexes, GlobalSecondaryIndexInfo{
			IndexName:             ix.Name,
			KeySchema:             keySchemaElements(ix.KeySchema),
			Projection:            projectionDescription(ix.Projection),
			ProvisionedThroughput: pt,
		})
	}
	if t.TTL != nil && t.TTL.Enabled {
		f.TimeToLiveDescription = &timeToLiveDescription{TimeToLiveStatus: "ENABLED", AttributeName: t.TTL.AttributeName}
	}
	if t.SSE != nil && t.SSE.Enabled {
		f.SSEDescription = &SSEDescription{Status: "ENABLED", SSEType: sseTypeKMS, KMSMasterKeyArn: t.SSE.KMSMasterKeyID}
	}
	return f
}

// backupSummary renders a backup as ListBackups lists it.
func backupSummary(b *backup.Backup) BackupSummary {
	d := backupDetails(b, b.ARN)
	s := BackupSummary{
		TableName:              backupTableName(b),
		BackupArn:              d.BackupArn,
		BackupName:             d.BackupName,
		BackupCreationDateTime: d.BackupCreationDateTime,
		BackupExpiryDateTime:   d.BackupExpiryDateTime,
		BackupStatus:           d.BackupStatus,
		BackupType:             d.BackupType,
		BackupSizeBytes:        d.BackupSizeBytes,
	}
	if b.Table != nil {
		s.TableId, s.TableArn = b.Table.ID, b.Table.ARN
	}
	return s
}
