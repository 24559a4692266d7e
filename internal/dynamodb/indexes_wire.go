package dynamodb

import "encoding/json"

// Wire shapes of secondary indexes: their declaration in CreateTable, the
// GlobalSecondaryIndexUpdates of UpdateTable, and their descriptions. Types
// are named after the botocore model's shapes (SerializationException texts
// name them). Members of features Ebbtide does not implement yet are kept
// raw: only their presence matters.

// Projection says which attributes a secondary index holds besides the
// key attributes. ProjectionType is a pointer because DynamoDB tells a
// missing one apart ("Unknown ProjectionType: null"); NonKeyAttributes
// tells [] (a length violation) from absent.
type Projection struct {
	ProjectionType   *string  `json:"ProjectionType,omitempty"`
	NonKeyAttributes []string `json:"NonKeyAttributes,omitempty"`
}

// LocalSecondaryIndex declares a local secondary index in CreateTable.
type LocalSecondaryIndex struct {
	IndexName  *string            `json:"IndexName"`
	KeySchema  []KeySchemaElement `json:"KeySchema"`
	Projection *Projection        `json:"Projection"`
}

// GlobalSecondaryIndex declares a global secondary index in CreateTable.
type GlobalSecondaryIndex struct {
	IndexName             *string                `json:"IndexName"`
	KeySchema             []KeySchemaElement     `json:"KeySchema"`
	Projection            *Projection            `json:"Projection"`
	ProvisionedThroughput *ProvisionedThroughput `json:"ProvisionedThroughput"`
	OnDemandThroughput    json.RawMessage        `json:"OnDemandThroughput"`
	WarmThroughput        json.RawMessage        `json:"WarmThroughput"`
}

// GlobalSecondaryIndexUpdate is one entry of UpdateTable's
// GlobalSecondaryIndexUpdates: exactly one of its actions is set.
type GlobalSecondaryIndexUpdate struct {
	Create *CreateGlobalSecondaryIndexAction `json:"Create"`
	Update *UpdateGlobalSecondaryIndexAction `json:"Update"`
	Delete *DeleteGlobalSecondaryIndexAction `json:"Delete"`
}

// CreateGlobalSecondaryIndexAction adds a global secondary index to a table.
type CreateGlobalSecondaryIndexAction struct {
	IndexName             *string                `json:"IndexName"`
	KeySchema             []KeySchemaElement     `json:"KeySchema"`
	Projection            *Projection            `json:"Projection"`
	ProvisionedThroughput *ProvisionedThroughput `json:"ProvisionedThroughput"`
	OnDemandThroughput    json.RawMessage        `json:"OnDemandThroughput"`
	WarmThroughput        json.RawMessage        `json:"WarmThroughput"`
}

// UpdateGlobalSecondaryIndexAction changes a global secondary index's
// provisioned throughput.
type UpdateGlobalSecondaryIndexAction struct {
	IndexName             *string                `json:"IndexName"`
	ProvisionedThroughput *ProvisionedThroughput `json:"ProvisionedThroughput"`
	OnDemandThroughput    json.RawMessage        `json:"OnDemandThroughput"`
	WarmThroughput        json.RawMessage        `json:"WarmThroughput"`
}

// DeleteGlobalSecondaryIndexAction removes a global secondary index.
type DeleteGlobalSecondaryIndexAction struct {
	IndexName *string `json:"IndexName"`
}

// GlobalSecondaryIndexDescription describes a global secondary index.
// Backfilling is present only while an index added by UpdateTable is being
// built, as in DynamoDB.
type GlobalSecondaryIndexDescription struct {
	IndexName             string                            `json:"IndexName"`
	KeySchema             []KeySchemaElement                `json:"KeySchema"`
	Projection            Projection                        `json:"Projection"`
	IndexStatus           string                            `json:"IndexStatus"`
	Backfilling           *bool                             `json:"Backfilling,omitempty"`
	ProvisionedThroughput *ProvisionedThroughputDescription `json:"ProvisionedThroughput"`
	IndexSizeBytes        int64                             `json:"IndexSizeBytes"`
	ItemCount             int64                             `json:"ItemCount"`
	IndexArn              string                            `json:"IndexArn"`
}

// LocalSecondaryIndexDescription describes a local secondary index: it has
// no status and no throughput of its own (it shares the table's).
type LocalSecondaryIndexDescription struct {
	IndexName      string             `json:"IndexName"`
	KeySchema      []KeySchemaElement `json:"KeySchema"`
	Projection     Projection         `json:"Projection"`
	IndexSizeBytes int64              `json:"IndexSizeBytes"`
	ItemCount      int64              `json:"ItemCount"`
	IndexArn       string             `json:"IndexArn"`
}
