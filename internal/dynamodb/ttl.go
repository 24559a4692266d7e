package dynamodb

import (
	"context"

	"github.com/ebbtide/ebbtide/internal/engine"
)

// Time to live: UpdateTimeToLive and DescribeTimeToLive. A change is in
// force when UpdateTimeToLive returns, so DescribeTimeToLive reports ENABLED
// or DISABLED and never the transitional ENABLING/DISABLING (the real service
// settles within a second too). The engine's expirer deletes expired items in
// the background; until it does they are still read, as in DynamoDB.
//
// The rules and texts are DynamoDB's, as observed on the real service:
// enabling while enabled is refused ("TimeToLive is already enabled"), as is
// disabling while disabled; while enabled, a request naming another
// attribute (to enable or to disable) is refused with the current name, so
// renaming takes a disable and an enable. TTL on a key attribute is allowed.
// DynamoDB also refuses a second change within about an hour of the last one
// ("Time to live has been modified multiple times within a fixed interval");
// Ebbtide does not, so that tests can enable and disable freely.

// registerTTLOps adds the time-to-live operations.
func (a *API) registerTTLOps() {
	a.ops["UpdateTimeToLive"] = a.updateTimeToLive
	a.ops["DescribeTimeToLive"] = a.describeTimeToLive
}

// maxTTLAttributeName is the TimeToLiveSpecification.AttributeName limit.
const maxTTLAttributeName = 255

// TimeToLiveSpecification enables or disables TTL on an attribute.
type TimeToLiveSpecification struct {
	Enabled       *bool   `json:"Enabled"`
	AttributeName *string `json:"AttributeName"`
}

// updateTimeToLiveInput is the UpdateTimeToLive request.
type updateTimeToLiveInput struct {
	TableName               *string
	TimeToLiveSpecification *TimeToLiveSpecification
}

// updateTimeToLiveOutput is the UpdateTimeToLive response: the request's
// specification, echoed.
type updateTimeToLiveOutput struct {
	TimeToLiveSpecification *TimeToLiveSpecification `json:"TimeToLiveSpecification"`
}

// timeToLiveDescription is a table's TTL state; AttributeName is absent
// while disabled (DynamoDB forgets it on disable).
type timeToLiveDescription struct {
	TimeToLiveStatus string `json:"TimeToLiveStatus"`
	AttributeName    string `json:"AttributeName,omitempty"`
}

// describeTimeToLiveOutput is the DescribeTimeToLive response.
type describeTimeToLiveOutput struct {
	TimeToLiveDescription timeToLiveDescription `json:"TimeToLiveDescription"`
}

// updateTimeToLive implements UpdateTimeToLive.
func (a *API) updateTimeToLive(ctx context.Context, body []byte) (any, error) {
	var in updateTimeToLiveInput
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	if err := requireTableName(in.TableName); err != nil {
		return nil, err
	}
	var v violations
	name, later := a.tableArg(&v, "tableName", *in.TableName)
	spec := in.TimeToLiveSpecification
	spec.constraints(&v)
	if err := v.err(); err != nil {
		return nil, err
	}
	if later != nil {
		return nil, later
	}
	t, err := a.ttlTable(ctx, name)
	if err != nil {
		return nil, err
	}
	if err := checkTTLChange(t.TTL, *spec.Enabled, *spec.AttributeName); err != nil {
		return nil, err
	}
	_, err = a.eng.UpdateTTL(ctx, t.Name, engine.TTLSpec{AttributeName: *spec.AttributeName, Enabled: *spec.Enabled})
	if tableUnavailable(err) {
		return nil, tableNotFound(name)
	}
	if err != nil {
		return nil, err
	}
	return &updateTimeToLiveOutput{TimeToLiveSpecification: spec}, nil
}

// constraints records the Coral violations of a TimeToLiveSpecification
// (nil when absent).
func (s *TimeToLiveSpecification) constraints(v *violations) {
	const member = "timeToLiveSpecification"
	if s == nil {
		v.addNull(member)
		return
	}
	if s.Enabled == nil {
		v.addNull(member + ".enabled")
	}
	switch {
	case s.AttributeName == nil:
		v.addNull(member + ".attributeName")
	case len(*s.AttributeName) < 1:
		v.add(*s.AttributeName, member+".attributeName", "Member must have length greater than or equal to 1")
	case len(*s.AttributeName) > maxTTLAttributeName:
		v.add(*s.AttributeName, member+".attributeName", "Member must have length less than or equal to 255")
	}
}

// checkTTLChange applies DynamoDB's rules on changing TTL from cur (nil if
// never configured) to enabled on name.
func checkTTLChange(cur *engine.TTLSpec, enabled bool, name string) error {
	on := cur != nil && cur.Enabled
	switch {
	case on && cur.AttributeName != name:
		return Validation("TimeToLive is active on a different AttributeName: current AttributeName is %s", cur.AttributeName)
	case on && enabled:
		return Validation("TimeToLive is already enabled")
	case !on && !enabled:
		return Validation("TimeToLive is already disabled")
	}
	return nil
}

// describeTimeToLive implements DescribeTimeToLive.
func (a *API) describeTimeToLive(ctx context.Context, body []byte) (any, error) {
	name, err := a.tableNameArg(body)
	if err != nil {
		return nil, err
	}
	t, err := a.ttlTable(ctx, name)
	if err != nil {
		return nil, err
	}
	d := timeToLiveDescription{TimeToLiveStatus: "DISABLED"}
	if t.TTL != nil && t.TTL.Enabled {
		d = timeToLiveDescription{TimeToLiveStatus: "ENABLED", AttributeName: t.TTL.AttributeName}
	}
	return &describeTimeToLiveOutput{TimeToLiveDescription: d}, nil
}

// ttlTable looks up the table of a TTL operation: a missing table, or one
// still being created, is not found.
func (a *API) ttlTable(ctx context.Context, name string) (*engine.Table, error) {
	t, err := a.eng.Table(ctx, name)
	if tableUnavailable(err) || (err == nil && notReady(t)) {
		return nil, tableNotFound(name)
	}
	return t, err
}
