package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/ebbtide/ebbtide/ebbtidetest"
)

// TestLoadAgainstEbbtide runs the whole tool, both clients, against an
// in-process server: a small preload, then every operation of the mix. No
// call may fail, and since nothing is deleted every read finds its items.
func TestLoadAgainstEbbtide(t *testing.T) {
	srv := ebbtidetest.Start(t)
	dir := t.TempDir()
	for _, kind := range []string{clientRaw, clientSDK} {
		t.Run(kind, func(t *testing.T) {
			c := testConfig()
			c.client, c.endpoint = kind, srv.Endpoint
			c.table = "load-e2e-" + kind
			c.clients, c.keys, c.ops = 4, 300, 400
			c.mix = "put=20,get=20,query=10,update=10,scan=5,batchwrite=5,batchget=5"
			c.preload, c.preloadBatch = true, 7
			c.timeout, c.seed = 10*time.Second, 1
			c.jsonOut = filepath.Join(dir, kind+".json")
			c.deleteTable = true
			if err := run(c); err != nil {
				t.Fatal(err)
			}
			b, err := os.ReadFile(c.jsonOut)
			if err != nil {
				t.Fatal(err)
			}
			var rep report
			if err := json.Unmarshal(b, &rep); err != nil {
				t.Fatal(err)
			}
			if rep.TotalOps != uint64(c.ops) || rep.Errors != 0 {
				t.Fatalf("%d ops, %d errors (%v), want %d and 0", rep.TotalOps, rep.Errors, rep.ErrorCodes, c.ops)
			}
			for _, o := range rep.Operations {
				if o.Op != "scan" && o.Empty != 0 {
					t.Errorf("%s: %d empty answers after the preload", o.Op, o.Empty)
				}
			}
			if len(rep.Operations) != 7 {
				t.Errorf("%d operation kinds in the report, want 7", len(rep.Operations))
			}
		})
	}
}

// A missing table is an error with DynamoDB's type, counted, not a crash.
func TestRawClientAgainstEbbtideErrors(t *testing.T) {
	srv := ebbtidetest.Start(t)
	c := testConfig()
	c.endpoint, c.table, c.timeout = srv.Endpoint, "no-such-table", 5*time.Second
	rc, err := newRawClient(c, mustPayload(c))
	if err != nil {
		t.Fatal(err)
	}
	defer rc.tr.CloseIdleConnections()
	_, err = rc.newWorker().get(t.Context(), 1)
	if got := errorCode(err); got != "ResourceNotFoundException" {
		t.Fatalf("GetItem on a missing table: %v (code %q)", err, got)
	}
}
