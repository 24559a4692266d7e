// Package ddbclient holds the DynamoDB client code the bench tools
// (bench/load, bench/backup) share: a cheap SigV4 signer for requests in
// DynamoDB's JSON protocol (the raw clients of both tools sign with it), the
// error a non-200 answer becomes, and the CreateTable request of the tables
// the tools write to. The raw clients themselves stay with their tools: each
// is tuned to what its tool sends and checks.
package ddbclient
