package main

import (
	"context"
	"fmt"
)

// opClient runs the workload's operations against an endpoint. There are
// two: the raw client (rawclient.go, the default: net/http, hand-built JSON,
// cheap SigV4) and the SDK client (sdkclient.go: aws-sdk-go-v2, for
// cross-checking). Both send the same requests for the same arguments. Each
// worker gets its own opClient, so implementations need not be safe for
// concurrent use.
//
// Key index i names the item pk = p<i/perPartition>, sk = s<i%perPartition>.
// A result that is valid but empty (an item not found, a Query with no item)
// is reported through the returned count, not as an error.
type opClient interface {
	put(ctx context.Context, i int) error
	get(ctx context.Context, i int) (found bool, err error)
	query(ctx context.Context, partition int) (count int, err error)
	update(ctx context.Context, i int, u int64) error
	deleteItem(ctx context.Context, i int) error
	scan(ctx context.Context) (count int, err error)
	// batchWrite puts the items idx in one BatchWriteItem; UnprocessedItems
	// left over is an error.
	batchWrite(ctx context.Context, idx []int) error
	// batchGet reads the keys idx in one BatchGetItem and returns how many
	// items came back; UnprocessedKeys left over is an error.
	batchGet(ctx context.Context, idx []int) (found int, err error)
}

// Client kinds accepted by --client.
const (
	clientRaw = "raw"
	clientSDK = "sdk"
)

// clientFactory returns a new opClient for one worker.
type clientFactory func() opClient

// newClientFactory returns the factory of the --client kind. retries says
// whether the SDK client retries (setup and preload) or not (measured run);
// the raw client never retries by itself.
func newClientFactory(c config, payload *payloadSource, retries bool) (clientFactory, error) {
	switch c.client {
	case clientRaw:
		rc, err := newRawClient(c, payload)
		if err != nil {
			return nil, err
		}
		return func() opClient { return rc.newWorker() }, nil
	case clientSDK:
		sc := newSDKOpClient(c, payload, retries)
		return func() opClient { return sc }, nil
	}
	return nil, fmt.Errorf("--client: %q is neither %s nor %s", c.client, clientRaw, clientSDK)
}
