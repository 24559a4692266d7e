package dynamodb

import "encoding/json"

// Table features that later work adds (streams, global tables, on-demand and
// warm throughput, multi-attribute index keys, resource policies, vector
// indexes). DynamoDB accepts them; until Ebbtide implements them it rejects
// them plainly instead of accepting and ignoring them. This file is the one
// place that lists them.

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
	for _, ix := range in.GlobalSecondaryIndexes {
		if err := unsupportedInIndex(ix.KeySchema, ix.OnDemandThroughput, ix.WarmThroughput); err != nil {
			return err
		}
	}
	return nil
}

// unsupportedInIndex returns the error for a not-yet-supported part of a
// global secondary index declaration or change: on-demand or warm
// throughput, or a key of more than two attributes.
func unsupportedInIndex(ks []KeySchemaElement, onDemand, warm json.RawMessage) error {
	switch {
	case present(onDemand):
		return notSupportedYet("OnDemandThroughput")
	case present(warm):
		return notSupportedYet("WarmThroughput")
	case len(ks) > 2:
		return notSupportedYet("A KeySchema of more than two attributes")
	}
	return nil
}

// unsupported returns the error for the first not-yet-supported member of an
// UpdateTable request, or nil.
func (in *UpdateTableInput) unsupported() error {
	for _, u := range in.GlobalSecondaryIndexUpdates {
		var err error
		switch {
		case u.Create != nil:
			err = unsupportedInIndex(u.Create.KeySchema, u.Create.OnDemandThroughput, u.Create.WarmThroughput)
		case u.Update != nil:
			err = unsupportedInIndex(nil, u.Update.OnDemandThroughput, u.Update.WarmThroughput)
		}
		if err != nil {
			return err
		}
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
