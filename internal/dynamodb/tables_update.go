package dynamodb

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/ebbtide/ebbtide/internal/engine"
)

// UpdateTableInput is the UpdateTable request. DynamoDB reads
// AttributeDefinitions only for a new global secondary index and ignores it
// otherwise. Members of features that Ebbtide does not implement yet are
// kept raw.
type UpdateTableInput struct {
	TableName                 *string                `json:"TableName"`
	AttributeDefinitions      []AttributeDefinition  `json:"AttributeDefinitions"`
	BillingMode               string                 `json:"BillingMode"`
	ProvisionedThroughput     *ProvisionedThroughput `json:"ProvisionedThroughput"`
	SSESpecification          *SSESpecification      `json:"SSESpecification"`
	StreamSpecification       *StreamSpecification   `json:"StreamSpecification"`
	TableClass                string                 `json:"TableClass"`
	DeletionProtectionEnabled *bool                  `json:"DeletionProtectionEnabled"`

	GlobalSecondaryIndexUpdates []GlobalSecondaryIndexUpdate `json:"GlobalSecondaryIndexUpdates"`

	ReplicaUpdates                     json.RawMessage `json:"ReplicaUpdates"`
	OnDemandThroughput                 json.RawMessage `json:"OnDemandThroughput"`
	WarmThroughput                     json.RawMessage `json:"WarmThroughput"`
	MultiRegionConsistency             json.RawMessage `json:"MultiRegionConsistency"`
	GlobalTableWitnessUpdates          json.RawMessage `json:"GlobalTableWitnessUpdates"`
	GlobalTableSettingsReplicationMode json.RawMessage `json:"GlobalTableSettingsReplicationMode"`
	DisassociationProtectionEnabled    json.RawMessage `json:"DisassociationProtectionEnabled"`
	VectorIndexUpdates                 json.RawMessage `json:"VectorIndexUpdates"`
}

// UpdateTableOutput is the UpdateTable response.
type UpdateTableOutput struct {
	TableDescription TableDescription `json:"TableDescription"`
}

// updateTable implements UpdateTable: billing mode, provisioned throughput,
// encryption, table class, deletion protection and global secondary indexes.
// Changes apply at once, so the table stays ACTIVE and usable; an index
// being added is built in the background.
func (a *API) updateTable(ctx context.Context, body []byte) (any, error) {
	var in UpdateTableInput
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	name, err := a.checkUpdateTable(&in)
	if err != nil {
		return nil, err
	}
	newSSE, err := a.sseSpec(in.SSESpecification)
	if err != nil {
		return nil, err
	}
	t, stats, err := a.describe(ctx, name)
	if err != nil {
		return nil, err
	}
	if notReady(t) {
		return nil, tableNotFound(name) // as DynamoDB answers for a table being restored
	}
	now := a.now().UTC()
	var plan *indexPlan
	updated, err := a.eng.UpdateTable(ctx, name, func(t *engine.Table) error {
		var err error
		if plan, err = in.planIndexUpdates(t); err != nil {
			return err
		}
		if err := applyBilling(t, &in, now); err != nil {
			return err
		}
		in.applyIndexThroughput(t, plan)
		if in.StreamSpecification != nil {
			return Validation("Table has no stream to disable: TableName: %s", name)
		}
		if in.SSESpecification != nil {
			if err := applySSE(t, newSSE); err != nil {
				return err
			}
		}
		if in.TableClass != "" && (in.TableClass != tableClassStandard || t.TableClass != "") {
			t.TableClass = in.TableClass
		}
		if in.DeletionProtectionEnabled != nil {
			t.DeletionProtection = *in.DeletionProtectionEnabled
		}
		return nil
	})
	if tableUnavailable(err) {
		return nil, tableNotFound(name)
	}
	if err != nil {
		return nil, err
	}
	if updated, err = a.applyIndexChange(ctx, updated, plan); err != nil {
		return nil, err
	}
	d, err := a.fullDescription(ctx, updated, stats)
	if err != nil {
		return nil, err
	}
	return UpdateTableOutput{TableDescription: d}, nil
}

// checkUpdateTable validates what can be validated without the table, in
// DynamoDB's order, and returns the table name.
func (a *API) checkUpdateTable(in *UpdateTableInput) (string, error) {
	if err := requireTableName(in.TableName); err != nil {
		return "", err
	}
	var v violations
	name, later := a.tableArg(&v, "tableName", *in.TableName)
	v.attributeDefinitions(in.AttributeDefinitions)
	v.provisionedThroughput(in.ProvisionedThroughput)
	v.indexUpdates(in.GlobalSecondaryIndexUpdates)
	v.enum(in.BillingMode, "billingMode", billingProvisioned, billingPayPerRequest)
	if in.SSESpecification != nil {
		v.enum(in.SSESpecification.SSEType, "sseSpecification.sseType", sseTypeAES256, sseTypeKMS)
	}
	if s := in.StreamSpecification; s != nil && s.StreamEnabled == nil {
		v.addNull("streamSpecification.streamEnabled")
	}
	if err := v.err(); err != nil {
		return "", err
	}
	if later != nil {
		return "", later
	}
	if err := in.requireChange(); err != nil {
		return "", err
	}
	if in.GlobalSecondaryIndexUpdates != nil && len(in.GlobalSecondaryIndexUpdates) == 0 {
		return "", invalidParam("List of GlobalSecondaryIndexUpdates is empty")
	}
	if err := in.unsupported(); err != nil {
		return "", err
	}
	if err := in.soleChanges(); err != nil {
		return "", err
	}
	if err := in.checkIndexUpdateList(); err != nil {
		return "", err
	}
	if in.TableClass != "" && in.TableClass != tableClassStandard && in.TableClass != tableClassIA {
		return "", Validation(msgInvalidTableClass)
	}
	if s := in.StreamSpecification; s != nil && s.StreamViewType != "" {
		return "", Validation("One or more parameter values were invalid: If stream is being disabled, then UpdateViewType must not be specified")
	}
	switch {
	case in.BillingMode == billingPayPerRequest && in.ProvisionedThroughput != nil:
		return "", Validation(msgThroughputOnDemand)
	case in.BillingMode == billingProvisioned && in.ProvisionedThroughput == nil:
		return "", Validation("One or more parameter values were invalid: ProvisionedThroughput must be specified when BillingMode is PROVISIONED")
	case in.ProvisionedThroughput != nil:
		if err := capacityBounds(in.ProvisionedThroughput); err != nil {
			return "", err
		}
	}
	return name, nil
}

// requireChange rejects a request that changes nothing. DynamoDB's message
// lists the members that change a table, leaving out a member that was sent
// but cannot change anything on its own (MultiRegionConsistency).
func (in *UpdateTableInput) requireChange() error {
	if in.ProvisionedThroughput != nil || in.BillingMode != "" || in.StreamSpecification != nil ||
		len(in.GlobalSecondaryIndexUpdates) > 0 || in.SSESpecification != nil || present(in.ReplicaUpdates) ||
		in.DeletionProtectionEnabled != nil || present(in.OnDemandThroughput) || present(in.WarmThroughput) ||
		in.TableClass != "" {
		return nil
	}
	members := []string{"ProvisionedThroughput", "BillingMode", "UpdateStreamEnabled", "GlobalSecondaryIndexUpdates",
		"SSESpecification", "ReplicaUpdates", "MultiAccountReplicaReady", "ReplicaTransitRoleArn", "MultiRegionConsistency",
		"DeletionProtectionEnabled", "OnDemandThroughput", "WarmThroughput"}
	if present(in.MultiRegionConsistency) {
		members = append(members[:8], members[9:]...)
	}
	return Validation("At least one of %s or TableClass is required", strings.Join(members, ", "))
}

// soleChanges enforces the changes DynamoDB accepts only on their own:
// encryption, table class and deletion protection.
func (in *UpdateTableInput) soleChanges() error {
	n := 0
	for _, set := range []bool{in.ProvisionedThroughput != nil, in.BillingMode != "", in.StreamSpecification != nil,
		len(in.GlobalSecondaryIndexUpdates) > 0, in.SSESpecification != nil, in.TableClass != "", in.DeletionProtectionEnabled != nil} {
		if set {
			n++
		}
	}
	if n < 2 {
		return nil
	}
	switch {
	case in.SSESpecification != nil:
		return Validation("One or more parameter values were invalid: Server-Side Encryption modification must be the only operation in the request")
	case in.TableClass != "":
		return Validation("One or more parameter values were invalid: TableClass modification must be the only operation in the request")
	case in.DeletionProtectionEnabled != nil:
		return Validation("One or more parameter values were invalid: DeletionProtection modification must be the only operation in the request")
	}
	return nil
}

// applyBilling applies a billing mode switch and a capacity change to t. A
// switch to on-demand records its time; a capacity change records the time of
// the last increase and of the last decrease, counting decreases per UTC day.
func applyBilling(t *engine.Table, in *UpdateTableInput, now time.Time) error {
	mode := t.BillingMode
	if in.BillingMode != "" {
		mode = in.BillingMode
	}
	pt := in.ProvisionedThroughput
	if mode == billingPayPerRequest {
		if pt != nil {
			return Validation(msgThroughputOnDemand)
		}
		if t.BillingMode != billingPayPerRequest {
			t.BillingMode, t.LastUpdateToPayPerRequest = billingPayPerRequest, now
			t.ReadCapacityUnits, t.WriteCapacityUnits = 0, 0
		}
		return nil
	}
	if pt == nil {
		return nil
	}
	read, write := *pt.ReadCapacityUnits, *pt.WriteCapacityUnits
	if t.BillingMode == billingPayPerRequest {
		t.BillingMode, t.ReadCapacityUnits, t.WriteCapacityUnits = billingProvisioned, read, write
		return nil
	}
	if read == t.ReadCapacityUnits && write == t.WriteCapacityUnits {
		return Validation("The provisioned throughput for the table will not change. The requested value equals the current value. "+
			"Current ReadCapacityUnits provisioned for the table: %d. Requested ReadCapacityUnits: %d. "+
			"Current WriteCapacityUnits provisioned for the table: %d. Requested WriteCapacityUnits: %d. "+
			"Refer to the Amazon DynamoDB Developer Guide for current limits and how to request higher limits.",
			t.ReadCapacityUnits, read, t.WriteCapacityUnits, write)
	}
	if read > t.ReadCapacityUnits || write > t.WriteCapacityUnits {
		t.LastIncreaseDateTime = now
	}
	if read < t.ReadCapacityUnits || write < t.WriteCapacityUnits {
		if !sameUTCDay(t.LastDecreaseDateTime, now) {
			t.NumberOfDecreasesToday = 0
		}
		t.NumberOfDecreasesToday++
		t.LastDecreaseDateTime = now
	}
	t.ReadCapacityUnits, t.WriteCapacityUnits = read, write
	return nil
}

// applySSE switches t to the requested encryption (nil: the AWS owned key),
// refusing a request that would not change it, as DynamoDB does.
func applySSE(t *engine.Table, sse *engine.SSE) error {
	switch {
	case sse == nil && t.SSE == nil:
		return Validation("One or more parameter values were invalid: Table is already encrypted by default")
	case sse != nil && t.SSE != nil && sse.KMSMasterKeyID == t.SSE.KMSMasterKeyID:
		return Validation("One or more parameter values were invalid: Table is already encrypted with given KMSMasterKeyId. Use KMSMasterKeyId parameter if you want to change Master Key")
	}
	t.SSE = sse
	return nil
}
