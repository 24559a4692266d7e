package dynamodb

import "context"

// Account-level operations that describe the service rather than a table:
// DescribeLimits and DescribeEndpoints.

// Capacity quotas DescribeLimits reports: DynamoDB's default quotas per
// account and region.
const (
	accountMaxCapacityUnits = 80000
	tableMaxCapacityUnits   = 40000
)

// DescribeLimitsOutput is the DescribeLimits response.
type DescribeLimitsOutput struct {
	AccountMaxReadCapacityUnits  int64 `json:"AccountMaxReadCapacityUnits"`
	AccountMaxWriteCapacityUnits int64 `json:"AccountMaxWriteCapacityUnits"`
	TableMaxReadCapacityUnits    int64 `json:"TableMaxReadCapacityUnits"`
	TableMaxWriteCapacityUnits   int64 `json:"TableMaxWriteCapacityUnits"`
}

// describeLimits implements DescribeLimits (the request has no members).
func (a *API) describeLimits(context.Context, []byte) (any, error) {
	return DescribeLimitsOutput{
		AccountMaxReadCapacityUnits:  accountMaxCapacityUnits,
		AccountMaxWriteCapacityUnits: accountMaxCapacityUnits,
		TableMaxReadCapacityUnits:    tableMaxCapacityUnits,
		TableMaxWriteCapacityUnits:   tableMaxCapacityUnits,
	}, nil
}

// Endpoint is one DescribeEndpoints entry.
type Endpoint struct {
	Address              string `json:"Address"`
	CachePeriodInMinutes int64  `json:"CachePeriodInMinutes"`
}

// DescribeEndpointsOutput is the DescribeEndpoints response.
type DescribeEndpointsOutput struct {
	Endpoints []Endpoint `json:"Endpoints"`
}

// endpointCacheMinutes is how long clients may cache the answer (a day, as
// DynamoDB says).
const endpointCacheMinutes = 1440

// describeEndpoints implements DescribeEndpoints with the answer DynamoDB
// gives for the configured region. SDKs call it only for endpoint discovery,
// which is off by default; a client that does use it is pointed at the real
// service's name, so it is best left off against Ebbtide.
func (a *API) describeEndpoints(context.Context, []byte) (any, error) {
	return DescribeEndpointsOutput{Endpoints: []Endpoint{{
		Address:              "dynamodb." + a.cfg.Region + ".amazonaws.com",
		CachePeriodInMinutes: endpointCacheMinutes,
	}}}, nil
}
