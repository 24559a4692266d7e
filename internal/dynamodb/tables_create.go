package dynamodb

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/ebbtide/ebbtide/internal/attr"
	"github.com/ebbtide/ebbtide/internal/engine"
)

// CreateTableInput is the CreateTable request. Members of features that
// Ebbtide does not implement yet are kept raw: only their presence matters.
type CreateTableInput struct {
	AttributeDefinitions      []AttributeDefinition  `json:"AttributeDefinitions"`
	TableName                 *string                `json:"TableName"`
	KeySchema                 []KeySchemaElement     `json:"KeySchema"`
	BillingMode               string                 `json:"BillingMode"`
	ProvisionedThroughput     *ProvisionedThroughput `json:"ProvisionedThroughput"`
	SSESpecification          *SSESpecification      `json:"SSESpecification"`
	StreamSpecification       *StreamSpecification   `json:"StreamSpecification"`
	TableClass                string                 `json:"TableClass"`
	DeletionProtectionEnabled *bool                  `json:"DeletionProtectionEnabled"`
	Tags                      []Tag                  `json:"Tags"`

	LocalSecondaryIndexes  []LocalSecondaryIndex  `json:"LocalSecondaryIndexes"`
	GlobalSecondaryIndexes []GlobalSecondaryIndex `json:"GlobalSecondaryIndexes"`

	OnDemandThroughput                 json.RawMessage `json:"OnDemandThroughput"`
	WarmThroughput                     json.RawMessage `json:"WarmThroughput"`
	ResourcePolicy                     json.RawMessage `json:"ResourcePolicy"`
	GlobalTableSourceArn               json.RawMessage `json:"GlobalTableSourceArn"`
	GlobalTableSettingsReplicationMode json.RawMessage `json:"GlobalTableSettingsReplicationMode"`
	VectorIndexes                      json.RawMessage `json:"VectorIndexes"`
}

// CreateTableOutput is the CreateTable response.
type CreateTableOutput struct {
	TableDescription TableDescription `json:"TableDescription"`
}

// maxCapacityUnits is the largest capacity DynamoDB accepts before reporting
// "Given value N for ReadCapacityUnits is out of bounds".
const maxCapacityUnits = 1_000_000_000_000

// Messages of the billing-mode rules (CreateTable and UpdateTable).
const (
	msgThroughputOnDemand = "One or more parameter values were invalid: Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST"
	msgThroughputNeeded   = "One or more parameter values were invalid: ReadCapacityUnits and WriteCapacityUnits must both be specified when BillingMode is PROVISIONED"
	msgInvalidTableClass  = "Invalid table-class parameter provided. Please try again with a valid table-class value: [STANDARD, STANDARD_INFREQUENT_ACCESS]."
)

// createTable implements CreateTable: the request is validated completely, in
// DynamoDB's order, before the engine is asked to create the table.
func (a *API) createTable(ctx context.Context, body []byte) (any, error) {
	var in CreateTableInput
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	spec, err := a.createTableSpec(&in)
	if err != nil {
		return nil, err
	}
	t, err := a.eng.CreateTable(ctx, spec)
	if errors.Is(err, engine.ErrTableExists) {
		return nil, Dynamo("ResourceInUseException", "Table already exists: %s", spec.Name)
	}
	if err != nil {
		return nil, err
	}
	return CreateTableOutput{TableDescription: tableDescription(t, engine.TableStats{}, a.now())}, nil
}

// createTableSpec validates a CreateTable request and builds the engine's
// table specification.
func (a *API) createTableSpec(in *CreateTableInput) (engine.TableSpec, error) {
	if err := requireTableName(in.TableName); err != nil {
		return engine.TableSpec{}, err
	}
	var v violations
	if in.AttributeDefinitions == nil {
		v.addNull("attributeDefinitions")
	}
	for i, d := range in.AttributeDefinitions {
		p := fmt.Sprintf("attributeDefinitions.%d.member.", i+1)
		v.keyAttributeName(d.AttributeName, p+"attributeName")
		if d.AttributeType == nil {
			v.addNull(p + "attributeType")
		} else {
			v.enumAlways(*d.AttributeType, p+"attributeType", "B", "N", "S")
		}
	}
	name, later := a.tableArg(&v, "tableName", *in.TableName)
	v.provisionedThroughput(in.ProvisionedThroughput)
	v.keySchema(in.KeySchema)
	v.localSecondaryIndexes(in.LocalSecondaryIndexes)
	v.globalSecondaryIndexes(in.GlobalSecondaryIndexes)
	v.enum(in.BillingMode, "billingMode", billingProvisioned, billingPayPerRequest)
	if in.SSESpecification != nil {
		v.enum(in.SSESpecification.SSEType, "sseSpecification.sseType", sseTypeAES256, sseTypeKMS)
	}
	if s := in.StreamSpecification; s != nil && s.StreamEnabled == nil {
		v.addNull("streamSpecification.streamEnabled")
	}
	if err := v.err(); err != nil {
		return engine.TableSpec{}, err
	}
	if later != nil {
		return engine.TableSpec{}, later
	}
	spec := engine.TableSpec{Name: name, BillingMode: billingProvisioned}
	if err := throughputSpec(&spec, in.BillingMode, in.ProvisionedThroughput); err != nil {
		return engine.TableSpec{}, err
	}
	if err := keySpec(&spec, in, in.BillingMode); err != nil {
		return engine.TableSpec{}, err
	}
	if s := in.StreamSpecification; s != nil && !*s.StreamEnabled && s.StreamViewType != "" {
		return engine.TableSpec{}, Validation("One or more parameter values were invalid: Table is being created with a stream disabled, UpdateViewType should not be specified")
	}
	sse, err := a.sseSpec(in.SSESpecification)
	if err != nil {
		return engine.TableSpec{}, err
	}
	spec.SSE = sse
	switch in.TableClass {
	case "", tableClassStandard:
		// STANDARD is the default: the table reports no TableClassSummary.
	case tableClassIA:
		spec.TableClass = tableClassIA
	default:
		return engine.TableSpec{}, Validation(msgInvalidTableClass)
	}
	if in.DeletionProtectionEnabled != nil {
		spec.DeletionProtection = *in.DeletionProtectionEnabled
	}
	if in.Tags != nil {
		tags, err := mergeTags(nil, in.Tags)
		if err != nil {
			return engine.TableSpec{}, err
		}
		spec.Tags = tags
	}
	return spec, nil
}

// throughputSpec applies the billing mode and capacity rules.
func throughputSpec(spec *engine.TableSpec, mode string, pt *ProvisionedThroughput) error {
	if mode == billingPayPerRequest {
		if pt != nil {
			return Validation(msgThroughputOnDemand)
		}
		spec.BillingMode = billingPayPerRequest
		return nil
	}
	if pt == nil {
		return Validation(msgThroughputNeeded)
	}
	if err := capacityBounds(pt); err != nil {
		return err
	}
	spec.ReadCapacityUnits, spec.WriteCapacityUnits = *pt.ReadCapacityUnits, *pt.WriteCapacityUnits
	return nil
}

// capacityBounds reports capacity above DynamoDB's upper bound (reads first).
func capacityBounds(pt *ProvisionedThroughput) error {
	if *pt.ReadCapacityUnits > maxCapacityUnits {
		return Validation("Given value %d for ReadCapacityUnits is out of bounds", *pt.ReadCapacityUnits)
	}
	if *pt.WriteCapacityUnits > maxCapacityUnits {
		return Validation("Given value %d for WriteCapacityUnits is out of bounds", *pt.WriteCapacityUnits)
	}
	return nil
}

// keySpec checks the key schema against the attribute definitions, then the
// secondary indexes, in DynamoDB's order, and records them in spec. mode is
// the requested billing mode (GSI throughput rules depend on it).
func keySpec(spec *engine.TableSpec, in *CreateTableInput, mode string) error {
	defs := make(map[string]attr.Kind, len(in.AttributeDefinitions))
	var defNames []string
	for _, d := range in.AttributeDefinitions {
		if _, dup := defs[*d.AttributeName]; dup {
			return Validation("Attribute Name is duplicated: %s", *d.AttributeName)
		}
		defs[*d.AttributeName] = attr.KindFromName(*d.AttributeType)
		defNames = append(defNames, *d.AttributeName)
	}
	keys := keyNames(in.KeySchema)
	if len(keys) > len(defs) {
		return Validation("Invalid KeySchema: Some index key attribute have no definition")
	}
	for _, k := range keys {
		if _, ok := defs[k]; !ok {
			return invalidParam("Some index key attributes are not defined in AttributeDefinitions. Keys: [%s], AttributeDefinitions: [%s]",
				strings.Join(keys, ", "), strings.Join(defNames, ", "))
		}
	}
	if err := checkKeyOrder(in.KeySchema); err != nil {
		return err
	}
	if err := in.unsupported(); err != nil {
		return err
	}
	if in.LocalSecondaryIndexes == nil && in.GlobalSecondaryIndexes == nil {
		if len(keys) != len(defs) {
			return invalidParam("Number of attributes in KeySchema does not exactly match number of attributes defined in AttributeDefinitions")
		}
	} else {
		indexes, err := createIndexSpecs(in, defs, defNames, mode)
		if err != nil {
			return err
		}
		spec.Indexes = indexes
	}
	spec.KeySchema.Hash = engine.KeyAttr{Name: keys[0], Type: defs[keys[0]]}
	if len(keys) == 2 {
		spec.KeySchema.Range = &engine.KeyAttr{Name: keys[1], Type: defs[keys[1]]}
	}
	for _, d := range in.AttributeDefinitions {
		spec.AttributeDefinitions = append(spec.AttributeDefinitions,
			engine.AttributeDefinition{Name: *d.AttributeName, Type: defs[*d.AttributeName]})
	}
	return nil
}

// sseSpec validates an SSESpecification and returns the encryption to record:
// nil for the AWS owned key (SSESpecification absent, {} or Enabled false),
// otherwise KMS with the key's ARN (the AWS managed key when none is named).
// An SSEType alone turns encryption on, as in DynamoDB.
func (a *API) sseSpec(s *SSESpecification) (*engine.SSE, error) {
	if s == nil {
		return nil, nil
	}
	enabled := s.Enabled != nil && *s.Enabled
	if s.Enabled != nil && !enabled {
		switch {
		case s.SSEType != "":
			return nil, Validation("One or more parameter values were invalid: SSEType can not be specified if Enabled is false")
		case s.KMSMasterKeyId != "":
			return nil, Validation("One or more parameter values were invalid: KMSMasterKeyId can not be specified if Enabled is false")
		}
		return nil, nil
	}
	switch {
	case s.SSEType == sseTypeAES256:
		return nil, Validation("One or more parameter values were invalid: SSEType AES256 is not supported")
	case s.KMSMasterKeyId != "" && s.SSEType != sseTypeKMS:
		return nil, Validation("One or more parameter values were invalid: SSEType KMS is required if KMSMasterKeyId is specified")
	case !enabled && s.SSEType == "":
		return nil, nil
	}
	return &engine.SSE{Enabled: true, SSEType: sseTypeKMS, KMSMasterKeyID: a.kmsKeyARN(s.KMSMasterKeyId)}, nil
}

// kmsKeyARN names the KMS key a table is encrypted with, as DynamoDB reports
// it in SSEDescription.KMSMasterKeyArn: a key ARN is kept, a key id or alias
// name becomes an ARN of this region and account, and no key means the AWS
// managed key alias/aws/dynamodb. (DynamoDB resolves aliases to key ARNs; that
// needs the KMS subset, which is later work.)
func (a *API) kmsKeyARN(id string) string {
	prefix := "arn:aws:kms:" + a.cfg.Region + ":" + a.cfg.AccountID + ":"
	switch {
	case id == "":
		return prefix + "alias/aws/dynamodb"
	case strings.HasPrefix(id, "arn:"):
		return id
	case strings.HasPrefix(id, "alias/"):
		return prefix + id
	}
	return prefix + "key/" + id
}
