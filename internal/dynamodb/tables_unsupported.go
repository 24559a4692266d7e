package dynamodb

import "encoding/json"

// Table features that later work adds (secondary indexes, streams, global
// tables, on-demand and warm throughput, resource policies, vector indexes).
// DynamoDB accepts them; until Ebbtide implements them it rejects them
// plainly instead of accepting and ignoring them. This file is the one place
// that lists them.

// notSupportedYet is the ValidationException for a request member that names
// a feature Ebbtide does not implement yet.
func notSupportedYet(member string) error {
	return Validation("One or more parameter values were invalid: %s is not supported yet", member)
}

// present reports whether a raw request member was sent (and is not null).
func present(raw json.RawMessage) bool {
	return len(raw) > 0 && string(raw) != "null"
}

// unsupported returns the error for the first not-yet-supported member of a
// CreateTable request, or nil.
func (in *CreateTableInput) unsupported() error {
	for _, m := range []struct {
		name string
		raw  json.RawMessage
	}{
		{"LocalSecondaryIndexes", in.LocalSecondaryIndexes},
		{"GlobalSecondaryIndexes", in.GlobalSecondaryIndexes},
		{"OnDemandThroughput", in.OnDemandThroughput},
		{"WarmThroughput", in.WarmThroughput},
		{"ResourcePolicy", in.ResourcePolicy},
		{"GlobalTableSourceArn", in.GlobalTableSourceArn},
		{"GlobalTableSettingsReplicationMode", in.GlobalTableSettingsReplicationMode},
		{"VectorIndexes", in.VectorIndexes},
	} {
		if present(m.raw) {
			return notSupportedYet(m.name)
		}
	}
	if s := in.StreamSpecification; s != nil && s.StreamEnabled != nil && *s.StreamEnabled {
		return notSupportedYet("StreamSpecification")
	}
	return nil
}

// unsupported returns the error for the first not-yet-supported member of an
// UpdateTable request, or nil.
func (in *UpdateTableInput) unsupported() error {
	if len(in.GlobalSecondaryIndexUpdates) > 0 {
		return notSupportedYet("GlobalSecondaryIndexUpdates")
	}
	for _, m := range []struct {
		name string
		raw  json.RawMessage
	}{
		{"ReplicaUpdates", in.ReplicaUpdates},
		{"OnDemandThroughput", in.OnDemandThroughput},
		{"WarmThroughput", in.WarmThroughput},
		{"MultiRegionConsistency", in.MultiRegionConsistency},
		{"GlobalTableWitnessUpdates", in.GlobalTableWitnessUpdates},
		{"GlobalTableSettingsReplicationMode", in.GlobalTableSettingsReplicationMode},
		{"DisassociationProtectionEnabled", in.DisassociationProtectionEnabled},
		{"VectorIndexUpdates", in.VectorIndexUpdates},
	} {
		if present(m.raw) {
			return notSupportedYet(m.name)
		}
	}
	if s := in.StreamSpecification; s != nil && s.StreamEnabled != nil && *s.StreamEnabled {
		return notSupportedYet("StreamSpecification")
	}
	return nil
}
