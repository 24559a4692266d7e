#!/usr/bin/env bash
# End-to-end test of Ebbtide's DynamoDB API through the AWS CLI.
#
# Builds the server from this checkout, starts it on a free loopback port with
# a fresh data dir, drives it with whichever `aws` is first on PATH (AWS CLI v1
# from pip or v2 both work), asserts every outcome, prints "N passed, M failed"
# and exits non-zero on any failure. The server is stopped on exit.
#
#   bash test/e2e/awscli.sh            # from anywhere
#   EBBTIDE_BIN=/path/to/ebbtide bash test/e2e/awscli.sh   # skip the build
#   E2E_VERBOSE=1 ...                  # print every command's output
#
# Needs: go (unless EBBTIDE_BIN), aws, python3 (for JSON checks; no jq needed).
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
TMP=$(mktemp -d "${TMPDIR:-/tmp}/ebbtide-e2e.XXXXXX")
SERVER_PID=""
PASS=0
FAIL=0
SKIP=0
FAILED_NAMES=()

# ---------------------------------------------------------------- environment
# Dummy credentials and an isolated CLI configuration, so the user's own
# profiles, SSO sessions or pagers never interfere.
export AWS_ACCESS_KEY_ID=e2eAccessKey
export AWS_SECRET_ACCESS_KEY=e2eSecretKey
export AWS_DEFAULT_REGION=us-east-1
export AWS_REGION=us-east-1
export AWS_DEFAULT_OUTPUT=json
export AWS_PAGER=""
export AWS_CLI_AUTO_PROMPT=off
export AWS_CONFIG_FILE="$TMP/aws-config"
export AWS_SHARED_CREDENTIALS_FILE="$TMP/aws-credentials"
export AWS_EC2_METADATA_DISABLED=true
export AWS_MAX_ATTEMPTS=1
export AWS_RETRY_MODE=standard
unset AWS_PROFILE AWS_SESSION_TOKEN AWS_DEFAULT_PROFILE AWS_ENDPOINT_URL AWS_ENDPOINT_URL_DYNAMODB 2>/dev/null || true
: >"$AWS_CONFIG_FILE"
: >"$AWS_SHARED_CREDENTIALS_FILE"

cleanup() {
	if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
		kill -TERM "$SERVER_PID" 2>/dev/null
		for _ in $(seq 1 100); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$SERVER_PID" 2>/dev/null
		wait "$SERVER_PID" 2>/dev/null
	fi
	if [[ $FAIL -gt 0 && -f "$TMP/server.log" ]]; then
		echo "---- last 40 lines of the server log ----"
		tail -n 40 "$TMP/server.log"
	fi
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

die() { echo "FATAL: $*" >&2; exit 2; }

# AWS_CLI picks the CLI to test (default: the first `aws` on PATH).
AWS=${AWS_CLI:-aws}
for tool in "$AWS" python3; do
	command -v "$tool" >/dev/null 2>&1 || die "$tool not found"
done
echo "aws: $(command -v "$AWS") ($("$AWS" --version 2>&1 | head -n1))"

# --------------------------------------------------------------- the server
if [[ -n "${EBBTIDE_BIN:-}" ]]; then
	BIN="$EBBTIDE_BIN"
else
	command -v go >/dev/null 2>&1 || die "go not found (or set EBBTIDE_BIN)"
	BIN="$TMP/ebbtide"
	echo "building $BIN"
	(cd "$ROOT" && go build -o "$BIN" ./cmd/ebbtide) || die "go build ./cmd/ebbtide failed"
fi

# start_server: start on a free loopback port and wait for /healthz; returns
# non-zero if the server exits first (e.g. the port was taken meanwhile).
start_server() {
	PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
	ENDPOINT="http://127.0.0.1:$PORT"
	"$BIN" serve --addr "127.0.0.1:$PORT" --data-dir "$TMP/data" >"$TMP/server.log" 2>&1 &
	SERVER_PID=$!
	echo "server pid $SERVER_PID on $ENDPOINT"
	for _ in $(seq 1 300); do
		if ! kill -0 "$SERVER_PID" 2>/dev/null; then
			wait "$SERVER_PID" 2>/dev/null
			SERVER_PID=""
			return 1
		fi
		if python3 - "$ENDPOINT/healthz" <<'EOF' 2>/dev/null; then
import sys, urllib.request
with urllib.request.urlopen(sys.argv[1], timeout=1) as r:
    sys.exit(0 if r.status == 200 else 1)
EOF
			return 0
		fi
		sleep 0.1
	done
	cat "$TMP/server.log"
	die "server not ready after 30s"
}

started=""
for _ in 1 2 3; do
	if start_server; then
		started=1
		break
	fi
	grep -q "address already in use" "$TMP/server.log" || break
done
if [[ -z "$started" ]]; then
	cat "$TMP/server.log"
	die "server exited before becoming ready"
fi

# ------------------------------------------------------------------ helpers
# ddb ARGS...: run `aws dynamodb ARGS --endpoint-url ...`; sets OUT, ERR, RC.
ddb() {
	OUT=$("$AWS" dynamodb "$@" --endpoint-url "$ENDPOINT" 2>"$TMP/stderr")
	RC=$?
	ERR=$(cat "$TMP/stderr")
	if [[ -n "${E2E_VERBOSE:-}" ]]; then
		echo "+ aws dynamodb $* (exit $RC)"
		[[ -n "$OUT" ]] && echo "$OUT"
		[[ -n "$ERR" ]] && echo "stderr: $ERR"
	fi
	return 0
}

pass() { PASS=$((PASS + 1)); echo "PASS  $1"; }
fail() {
	FAIL=$((FAIL + 1))
	FAILED_NAMES+=("$1")
	echo "FAIL  $1"
	shift
	local line
	for line in "$@"; do printf '      %s\n' "$line"; done
}
skip() { SKIP=$((SKIP + 1)); echo "SKIP  $1: $2"; }

# The Python prelude for JSON checks: d is the parsed output ({} when empty).
PY_PRELUDE='
import json, sys
raw = sys.stdin.read()
d = json.loads(raw) if raw.strip() else {}
def key(i, *names):
    return tuple(list(i[n].values())[0] for n in names)
def keys(items, *names):
    return [key(i, *names) for i in items]
def plain(av):
    (t, v), = av.items()
    if t == "N": return float(v) if "." in v else int(v)
    if t in ("SS", "NS", "BS"): return sorted(v)
    if t == "L": return [plain(x) for x in v]
    if t == "M": return {k: plain(x) for k, x in v.items()}
    return v
def item(i):
    return {k: plain(v) for k, v in (i or {}).items()}
def ts(v):
    # a timestamp as the CLI prints it (v1: epoch seconds; v2: ISO 8601)
    if isinstance(v, (int, float)): return float(v)
    from datetime import datetime
    return datetime.fromisoformat(v.replace("Z", "+00:00")).timestamp()
def pitr():
    return d["ContinuousBackupsDescription"]["PointInTimeRecoveryDescription"]
'

# pyeval EXPR: evaluate EXPR against $OUT; exit status 0 iff truthy.
pyeval() { printf '%s' "$OUT" | python3 -c "$PY_PRELUDE
sys.exit(0 if eval(sys.argv[1]) else 1)" "$1" 2>"$TMP/pyerr"; }

# pyget EXPR: print the value of EXPR evaluated against $OUT.
pyget() { printf '%s' "$OUT" | python3 -c "$PY_PRELUDE
v = eval(sys.argv[1])
print(v if isinstance(v, str) else json.dumps(v))" "$1" 2>/dev/null; }

# expect_ok NAME EXPR: the last command succeeded and EXPR holds on its output.
expect_ok() {
	local name=$1 expr=$2
	if [[ $RC -ne 0 ]]; then
		fail "$name" "exit code $RC" "stderr: $ERR"
	elif pyeval "$expr"; then
		pass "$name"
	else
		fail "$name" "assertion: $expr" "output: $(printf '%s' "$OUT" | head -c 1500)" "$(cat "$TMP/pyerr")"
	fi
}

# expect_err NAME CODE: the last command failed as a service error naming CODE.
# AWS CLI v1 exits 255 on a service error, v2 exits 254.
expect_err() {
	local name=$1 code=$2
	if [[ $RC -ne 254 && $RC -ne 255 ]]; then
		fail "$name" "want exit code 254 or 255 (service error $code), got $RC" "stdout: $OUT" "stderr: $ERR"
	elif [[ "$ERR" != *"$code"* ]]; then
		fail "$name" "want $code in stderr" "stderr: $ERR"
	else
		pass "$name"
	fi
}

T=e2e-music
T2=e2e-other
KEY_HELLO='{"Artist":{"S":"Acme"},"Song":{"S":"Hello"}}'

# ------------------------------------------------------------------- tables
ddb create-table --table-name "$T" \
	--attribute-definitions AttributeName=Artist,AttributeType=S AttributeName=Song,AttributeType=S \
	--key-schema AttributeName=Artist,KeyType=HASH AttributeName=Song,KeyType=RANGE \
	--billing-mode PAY_PER_REQUEST
expect_ok "create-table" 'd["TableDescription"]["TableName"] == "'$T'" and d["TableDescription"]["TableStatus"] in ("CREATING", "ACTIVE") and sorted((k["AttributeName"], k["KeyType"]) for k in d["TableDescription"]["KeySchema"]) == [("Artist", "HASH"), ("Song", "RANGE")]'

ddb wait table-exists --table-name "$T"
if [[ $RC -eq 0 ]]; then pass "wait table-exists"; else fail "wait table-exists" "exit $RC: $ERR"; fi

ddb describe-table --table-name "$T"
expect_ok "describe-table" 'd["Table"]["TableStatus"] == "ACTIVE" and d["Table"]["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST" and d["Table"]["TableArn"] == "arn:aws:dynamodb:us-east-1:" + d["Table"]["TableArn"].split(":")[4] + ":table/'$T'" and d["Table"]["ItemCount"] == 0 and sorted((a["AttributeName"], a["AttributeType"]) for a in d["Table"]["AttributeDefinitions"]) == [("Artist", "S"), ("Song", "S")] and len(d["Table"].get("TableId", "")) == 36'
TABLE_ARN=$(pyget 'd["Table"]["TableArn"]')

ddb create-table --table-name "$T" \
	--attribute-definitions AttributeName=Artist,AttributeType=S \
	--key-schema AttributeName=Artist,KeyType=HASH --billing-mode PAY_PER_REQUEST
expect_err "create-table on an existing name is refused" ResourceInUseException

ddb create-table --table-name "$T2" \
	--attribute-definitions AttributeName=id,AttributeType=N \
	--key-schema AttributeName=id,KeyType=HASH \
	--provisioned-throughput ReadCapacityUnits=5,WriteCapacityUnits=5
expect_ok "create-table (hash-only, provisioned)" 'd["TableDescription"]["ProvisionedThroughput"]["ReadCapacityUnits"] == 5 and d["TableDescription"]["ProvisionedThroughput"]["WriteCapacityUnits"] == 5'
ddb wait table-exists --table-name "$T2"

ddb list-tables
expect_ok "list-tables" '"'$T'" in d["TableNames"] and "'$T2'" in d["TableNames"] and d["TableNames"] == sorted(d["TableNames"])'

ddb list-tables --max-items 1
expect_ok "list-tables --max-items 1" 'len(d["TableNames"]) == 1 and d["TableNames"][0] == "'$T'" and d.get("NextToken")'
TOKEN=$(pyget 'd["NextToken"]')
ddb list-tables --max-items 1 --starting-token "$TOKEN"
expect_ok "list-tables --starting-token" 'd["TableNames"] == ["'$T2'"]'

# -------------------------------------------------------------------- items
ddb put-item --table-name "$T" --return-consumed-capacity TOTAL --item '{
	"Artist": {"S": "Acme"}, "Song": {"S": "Hello"}, "Year": {"N": "2001"},
	"Genre": {"S": "Rock"}, "Tags": {"SS": ["a", "b"]},
	"Info": {"M": {"Label": {"S": "X"}, "Plays": {"N": "5"}}},
	"Chart": {"L": [{"N": "3"}, {"S": "top"}]}, "Live": {"BOOL": false}, "Notes": {"NULL": true}}'
expect_ok "put-item" '"Attributes" not in d and d["ConsumedCapacity"]["TableName"] == "'$T'" and d["ConsumedCapacity"]["CapacityUnits"] == 1.0'

ddb get-item --table-name "$T" --key "$KEY_HELLO" --consistent-read
expect_ok "get-item (whole item, all types)" 'item(d["Item"]) == {"Artist": "Acme", "Song": "Hello", "Year": 2001, "Genre": "Rock", "Tags": ["a", "b"], "Info": {"Label": "X", "Plays": 5}, "Chart": [3, "top"], "Live": False, "Notes": True}'

ddb get-item --table-name "$T" --key "$KEY_HELLO" \
	--projection-expression 'Song, #y, Info.Label, Chart[1]' --expression-attribute-names '{"#y": "Year"}'
expect_ok "get-item with projection" 'd["Item"] == {"Song": {"S": "Hello"}, "Year": {"N": "2001"}, "Info": {"M": {"Label": {"S": "X"}}}, "Chart": {"L": [{"S": "top"}]}}'

ddb get-item --table-name "$T" --key '{"Artist":{"S":"Acme"},"Song":{"S":"Nope"}}'
expect_ok "get-item of a missing key" '"Item" not in d'

ddb update-item --table-name "$T" --key "$KEY_HELLO" \
	--update-expression 'SET Genre = :g, Info.Plays = Info.Plays + :one, Chart[0] = :c ADD Tags :t, Hits :one REMOVE #y, Notes' \
	--expression-attribute-names '{"#y": "Year"}' \
	--expression-attribute-values '{":g": {"S": "Pop"}, ":one": {"N": "1"}, ":t": {"SS": ["c", "a"]}, ":c": {"N": "1"}}' \
	--return-values ALL_NEW
expect_ok "update-item SET/ADD/REMOVE, ALL_NEW" 'item(d["Attributes"]) == {"Artist": "Acme", "Song": "Hello", "Genre": "Pop", "Tags": ["a", "b", "c"], "Info": {"Label": "X", "Plays": 6}, "Chart": [1, "top"], "Live": False, "Hits": 1}'

ddb update-item --table-name "$T" --key "$KEY_HELLO" \
	--update-expression 'SET Genre = :g, Fresh = :f' \
	--expression-attribute-values '{":g": {"S": "Jazz"}, ":f": {"S": "new"}}' --return-values UPDATED_OLD
expect_ok "update-item UPDATED_OLD" 'd["Attributes"] == {"Genre": {"S": "Pop"}}'

ddb update-item --table-name "$T" --key "$KEY_HELLO" \
	--update-expression 'SET Hits = Hits + :one' --condition-expression 'Hits = :one AND attribute_exists(Genre)' \
	--expression-attribute-values '{":one": {"N": "1"}}' --return-values UPDATED_NEW
expect_ok "conditional update-item that holds" 'd["Attributes"] == {"Hits": {"N": "2"}}'

ddb put-item --table-name "$T" --condition-expression 'attribute_not_exists(Artist)' \
	--item '{"Artist": {"S": "Acme"}, "Song": {"S": "Hello"}, "Genre": {"S": "Overwritten"}}'
expect_err "conditional put-item that fails" ConditionalCheckFailedException

ddb update-item --table-name "$T" --key "$KEY_HELLO" \
	--update-expression 'SET Genre = :g' --condition-expression 'Hits > :n' \
	--expression-attribute-values '{":g": {"S": "Nope"}, ":n": {"N": "10"}}'
expect_err "conditional update-item that fails" ConditionalCheckFailedException

ddb get-item --table-name "$T" --key "$KEY_HELLO" --consistent-read --projection-expression 'Genre, Hits'
expect_ok "failed conditional writes changed nothing" 'item(d["Item"]) == {"Genre": "Jazz", "Hits": 2}'

ddb delete-item --table-name "$T" --key "$KEY_HELLO" --condition-expression 'Genre = :g' \
	--expression-attribute-values '{":g": {"S": "Rock"}}'
expect_err "conditional delete-item that fails" ConditionalCheckFailedException

ddb delete-item --table-name "$T" --key "$KEY_HELLO" --return-values ALL_OLD
expect_ok "delete-item ALL_OLD" 'item(d["Attributes"])["Genre"] == "Jazz" and item(d["Attributes"])["Fresh"] == "new" and item(d["Attributes"])["Hits"] == 2'

ddb get-item --table-name "$T" --key "$KEY_HELLO" --consistent-read
expect_ok "deleted item is gone" '"Item" not in d'

ddb delete-item --table-name "$T" --key "$KEY_HELLO" --return-values ALL_OLD
expect_ok "delete-item of a missing item" '"Attributes" not in d'

ddb put-item --table-name "$T" --item '{"Artist": {"S": "Acme"}}'
expect_err "put-item without the sort key is refused" ValidationException

# -------------------------------------------------------------------- batch
python3 - "$T" "$TMP/batch.json" <<'EOF'
import json, sys
table, path = sys.argv[1], sys.argv[2]
reqs = [{"PutRequest": {"Item": {"Artist": {"S": "Band"}, "Song": {"S": "s%02d" % i}, "Plays": {"N": str(i)}}}} for i in range(1, 13)]
reqs += [{"PutRequest": {"Item": {"Artist": {"S": "Solo"}, "Song": {"S": "t%d" % i}, "Plays": {"N": str(100 + i)}}}} for i in range(1, 4)]
json.dump({table: reqs}, open(path, "w"))
EOF
ddb batch-write-item --request-items "file://$TMP/batch.json"
expect_ok "batch-write-item (15 puts)" 'not d.get("UnprocessedItems")'

cat >"$TMP/batch-del.json" <<EOF
{"$T": [
	{"PutRequest": {"Item": {"Artist": {"S": "Solo"}, "Song": {"S": "t9"}, "Plays": {"N": "109"}}}},
	{"DeleteRequest": {"Key": {"Artist": {"S": "Solo"}, "Song": {"S": "t9"}}}}
]}
EOF
ddb batch-write-item --request-items "file://$TMP/batch-del.json"
expect_err "batch-write-item naming one key twice is refused" ValidationException

cat >"$TMP/batch-get.json" <<EOF
{"$T": {"Keys": [
	{"Artist": {"S": "Band"}, "Song": {"S": "s01"}},
	{"Artist": {"S": "Band"}, "Song": {"S": "s07"}},
	{"Artist": {"S": "Solo"}, "Song": {"S": "t2"}},
	{"Artist": {"S": "Band"}, "Song": {"S": "missing"}}
], "ProjectionExpression": "Song, Plays", "ConsistentRead": true}}
EOF
ddb batch-get-item --request-items "file://$TMP/batch-get.json"
expect_ok "batch-get-item" 'sorted(map(item, d["Responses"]["'$T'"]), key=lambda i: i["Song"]) == [{"Song": "s01", "Plays": 1}, {"Song": "s07", "Plays": 7}, {"Song": "t2", "Plays": 102}] and not d.get("UnprocessedKeys")'

# -------------------------------------------------------------------- query
ddb query --table-name "$T" --key-condition-expression 'Artist = :a' \
	--expression-attribute-values '{":a": {"S": "Band"}}'
expect_ok "query a partition" 'keys(d["Items"], "Song") == [("s%02d" % i,) for i in range(1, 13)] and d["Count"] == 12'

ddb query --table-name "$T" --key-condition-expression 'Artist = :a AND Song BETWEEN :lo AND :hi' \
	--filter-expression 'Plays >= :p' --page-size 3 \
	--expression-attribute-values '{":a": {"S": "Band"}, ":lo": {"S": "s03"}, ":hi": {"S": "s10"}, ":p": {"N": "5"}}'
expect_ok "query key condition + filter (server pages of 3)" 'keys(d["Items"], "Song") == [("s%02d" % i,) for i in range(5, 11)] and d["Count"] == 6 and d["ScannedCount"] == 8'

ddb query --table-name "$T" --key-condition-expression 'Artist = :a AND begins_with(Song, :p)' \
	--no-scan-index-forward --expression-attribute-values '{":a": {"S": "Band"}, ":p": {"S": "s1"}}'
expect_ok "query descending with begins_with" 'keys(d["Items"], "Song") == [("s12",), ("s11",), ("s10",)]'

ddb query --table-name "$T" --key-condition-expression 'Artist = :a' \
	--expression-attribute-values '{":a": {"S": "Band"}}' --max-items 5 --page-size 4
expect_ok "query --max-items 5 (page 1)" 'keys(d["Items"], "Song") == [("s%02d" % i,) for i in range(1, 6)] and d.get("NextToken")'
TOKEN=$(pyget 'd["NextToken"]')
ddb query --table-name "$T" --key-condition-expression 'Artist = :a' \
	--expression-attribute-values '{":a": {"S": "Band"}}' --max-items 5 --page-size 4 --starting-token "$TOKEN"
expect_ok "query --starting-token (page 2)" 'keys(d["Items"], "Song") == [("s%02d" % i,) for i in range(6, 11)] and d.get("NextToken")'
TOKEN=$(pyget 'd["NextToken"]')
ddb query --table-name "$T" --key-condition-expression 'Artist = :a' \
	--expression-attribute-values '{":a": {"S": "Band"}}' --max-items 5 --page-size 4 --starting-token "$TOKEN"
expect_ok "query --starting-token (last page)" 'keys(d["Items"], "Song") == [("s11",), ("s12",)] and not d.get("NextToken")'

ddb query --table-name "$T" --key-condition-expression 'Artist = :a' --select COUNT \
	--expression-attribute-values '{":a": {"S": "Band"}}'
expect_ok "query --select COUNT" 'd["Count"] == 12 and not d.get("Items")'

ddb query --table-name "$T" --key-condition-expression 'Artist = :a' --select COUNT --page-size 5 \
	--filter-expression 'Plays > :p' --expression-attribute-values '{":a": {"S": "Band"}, ":p": {"N": "9"}}'
expect_ok "query --select COUNT with filter across pages" 'd["Count"] == 3 and d["ScannedCount"] == 12'

ddb query --table-name "$T" --key-condition-expression 'Plays = :p' \
	--expression-attribute-values '{":p": {"N": "1"}}'
expect_err "query on a non-key attribute is refused" ValidationException

# --------------------------------------------------------------------- scan
ddb scan --table-name "$T"
expect_ok "scan" 'sorted(keys(d["Items"], "Artist", "Song")) == sorted([("Band", "s%02d" % i) for i in range(1, 13)] + [("Solo", "t%d" % i) for i in range(1, 4)]) and d["Count"] == 15'

ddb scan --table-name "$T" --total-segments 2 --segment 0 --page-size 2
SEG0=$OUT
RC0=$RC
ERR0=$ERR
ddb scan --table-name "$T" --total-segments 2 --segment 1 --page-size 2
if [[ $RC0 -ne 0 ]]; then
	fail "parallel scan (2 segments)" "segment 0: exit $RC0: $ERR0"
else
	OUT=$(python3 -c 'import json,sys; a=json.loads(sys.argv[1]); b=json.loads(sys.argv[2]); print(json.dumps({"s0": a["Items"], "s1": b["Items"]}))' "$SEG0" "$OUT" 2>/dev/null)
	expect_ok "parallel scan (2 segments) partitions the table" 'sorted(keys(d["s0"] + d["s1"], "Artist", "Song")) == sorted([("Band", "s%02d" % i) for i in range(1, 13)] + [("Solo", "t%d" % i) for i in range(1, 4)])'
fi

ddb scan --table-name "$T" --filter-expression 'Artist = :s AND Plays > :p' \
	--expression-attribute-values '{":s": {"S": "Solo"}, ":p": {"N": "101"}}' --projection-expression 'Song'
expect_ok "scan with filter and projection" 'sorted(map(item, d["Items"]), key=lambda i: i["Song"]) == [{"Song": "t2"}, {"Song": "t3"}] and d["ScannedCount"] == 15'

# ------------------------------------------------------ deletion protection
ddb update-table --table-name "$T" --deletion-protection-enabled
if [[ $RC -ne 0 && ( "$ERR" == *"Unknown options"* || "$ERR" == *"nknown parameter"* ) ]]; then
	skip "deletion protection" "this aws CLI is too old to know --deletion-protection-enabled"
else
	expect_ok "update-table --deletion-protection-enabled" 'd["TableDescription"]["DeletionProtectionEnabled"] is True'
	ddb delete-table --table-name "$T"
	if [[ $RC -ne 254 && $RC -ne 255 ]]; then
		fail "delete-table of a protected table is refused" "want a service error, got exit $RC" "stdout: $OUT" "stderr: $ERR"
	elif [[ "$ERR" != *"protect"* ]]; then
		fail "delete-table of a protected table is refused" "error does not mention deletion protection" "stderr: $ERR"
	else
		pass "delete-table of a protected table is refused"
	fi
	ddb describe-table --table-name "$T"
	expect_ok "protected table still there" 'd["Table"]["TableStatus"] == "ACTIVE" and d["Table"]["DeletionProtectionEnabled"] is True'
	ddb update-table --table-name "$T" --no-deletion-protection-enabled
	expect_ok "update-table --no-deletion-protection-enabled" 'd["TableDescription"]["DeletionProtectionEnabled"] is False'
fi

# --------------------------------------------------------------------- tags
ddb tag-resource --resource-arn "$TABLE_ARN" --tags Key=env,Value=test Key=team,Value=storage
if [[ $RC -eq 0 ]]; then pass "tag-resource"; else fail "tag-resource" "exit $RC: $ERR"; fi

ddb list-tags-of-resource --resource-arn "$TABLE_ARN"
expect_ok "list-tags-of-resource" 'sorted((t["Key"], t["Value"]) for t in d["Tags"]) == [("env", "test"), ("team", "storage")]'

ddb untag-resource --resource-arn "$TABLE_ARN" --tag-keys env
ddb list-tags-of-resource --resource-arn "$TABLE_ARN"
expect_ok "untag-resource" '[(t["Key"], t["Value"]) for t in d["Tags"]] == [("team", "storage")]'

ddb describe-limits
expect_ok "describe-limits" 'all(isinstance(d[k], int) and d[k] > 0 for k in ("AccountMaxReadCapacityUnits", "AccountMaxWriteCapacityUnits", "TableMaxReadCapacityUnits", "TableMaxWriteCapacityUnits"))'

# ----------------------------------------------------------------- backups
ddb scan --table-name "$T" --select COUNT
SRC_COUNT=$(pyget 'd["Count"]')
ddb create-backup --table-name "$T" --backup-name e2e-backup-1
expect_ok "create-backup" 'd["BackupDetails"]["BackupName"] == "e2e-backup-1" and d["BackupDetails"]["BackupStatus"] in ("CREATING", "AVAILABLE") and d["BackupDetails"]["BackupType"] == "USER" and d["BackupDetails"]["BackupArn"].startswith("'$TABLE_ARN'/backup/")'
BACKUP_ARN=$(pyget 'd["BackupDetails"]["BackupArn"]')
for _ in $(seq 1 300); do
	ddb describe-backup --backup-arn "$BACKUP_ARN"
	[[ $RC -eq 0 ]] && pyeval 'd["BackupDescription"]["BackupDetails"]["BackupStatus"] == "AVAILABLE"' && break
	sleep 0.1
done
expect_ok "describe-backup (AVAILABLE)" 'd["BackupDescription"]["BackupDetails"]["BackupStatus"] == "AVAILABLE" and d["BackupDescription"]["SourceTableDetails"]["TableName"] == "'$T'" and d["BackupDescription"]["SourceTableDetails"]["ItemCount"] == '"$SRC_COUNT"' and "SourceTableFeatureDetails" in d["BackupDescription"]'

ddb create-backup --table-name "$T" --backup-name 'bad name!'
expect_err "create-backup with an invalid name is refused" ValidationException
ddb create-backup --table-name e2e-no-such-table --backup-name x-backup
expect_err "create-backup of a missing table" TableNotFoundException

ddb list-backups --table-name "$T"
expect_ok "list-backups --table-name" '[b["BackupArn"] for b in d["BackupSummaries"]] == ["'$BACKUP_ARN'"] and d["BackupSummaries"][0]["BackupStatus"] == "AVAILABLE" and d["BackupSummaries"][0]["TableName"] == "'$T'"'
ddb list-backups --backup-type SYSTEM
expect_ok "list-backups --backup-type SYSTEM (none)" 'd["BackupSummaries"] == []'

# Change the source after the backup: the restore must not see it.
ddb put-item --table-name "$T" --item '{"Artist": {"S": "After"}, "Song": {"S": "Backup"}}'
ddb restore-table-from-backup --target-table-name "$T-restored" --backup-arn "$BACKUP_ARN"
expect_ok "restore-table-from-backup" 'd["TableDescription"]["TableName"] == "'$T'-restored" and d["TableDescription"]["TableStatus"] == "CREATING" and d["TableDescription"]["RestoreSummary"]["SourceBackupArn"] == "'$BACKUP_ARN'" and d["TableDescription"]["RestoreSummary"]["RestoreInProgress"] is True'
ddb wait table-exists --table-name "$T-restored"
if [[ $RC -eq 0 ]]; then pass "wait table-exists (restored table)"; else fail "wait table-exists (restored table)" "exit $RC: $ERR"; fi
ddb scan --table-name "$T-restored" --select COUNT
expect_ok "restored table holds the backup's items" 'd["Count"] == '"$SRC_COUNT"
ddb get-item --table-name "$T-restored" --key '{"Artist": {"S": "After"}, "Song": {"S": "Backup"}}'
expect_ok "restored table lacks writes made after the backup" '"Item" not in d'
ddb describe-table --table-name "$T-restored"
expect_ok "restored table: ACTIVE with RestoreSummary" 'd["Table"]["TableStatus"] == "ACTIVE" and d["Table"]["RestoreSummary"]["SourceTableArn"] == "'$TABLE_ARN'" and d["Table"]["RestoreSummary"]["RestoreInProgress"] is False and d["Table"]["ItemCount"] == '"$SRC_COUNT"
ddb restore-table-from-backup --target-table-name "$T-restored" --backup-arn "$BACKUP_ARN"
expect_err "restore onto an existing table is refused" TableAlreadyExistsException
ddb delete-table --table-name "$T-restored"

ddb delete-backup --backup-arn "$BACKUP_ARN"
expect_ok "delete-backup" 'd["BackupDescription"]["BackupDetails"]["BackupStatus"] == "DELETED"'
ddb describe-backup --backup-arn "$BACKUP_ARN"
expect_err "describe-backup of a deleted backup" BackupNotFoundException
ddb delete-backup --backup-arn "$BACKUP_ARN"
expect_err "delete-backup twice" BackupNotFoundException

# The ebbtide CLI's own backup commands against the same server.
if OUT=$("$BIN" backup create --endpoint-url "$ENDPOINT" --table "$T" --name e2e-cli-backup --wait --quiet 2>"$TMP/stderr"); then
	if "$BIN" backup list --endpoint-url "$ENDPOINT" --table "$T" 2>"$TMP/stderr" | grep -q e2e-cli-backup; then
		pass "ebbtide backup create --wait / backup list"
	else
		fail "ebbtide backup create --wait / backup list" "backup not listed" "$(cat "$TMP/stderr")"
	fi
else
	fail "ebbtide backup create --wait" "$(cat "$TMP/stderr")"
fi

# --------------------------------------------------- point-in-time recovery
# wait_pitr_latest EPOCH: poll describe-continuous-backups until the latest
# restorable time reaches EPOCH (seconds); leaves its output in OUT.
wait_pitr_latest() {
	for _ in $(seq 1 300); do
		ddb describe-continuous-backups --table-name "$T"
		[[ $RC -eq 0 ]] && pyeval 'ts(pitr()["LatestRestorableDateTime"]) >= '"$1" && return 0
		sleep 0.1
	done
	return 1
}
# wait_restored TABLE: poll describe-table until a restore target is ACTIVE
# (then `wait table-exists` answers at once instead of after its 20 s delay).
wait_restored() {
	for _ in $(seq 1 300); do
		ddb describe-table --table-name "$1"
		[[ $RC -eq 0 ]] && pyeval 'd["Table"]["TableStatus"] == "ACTIVE"' && return 0
		sleep 0.1
	done
	return 1
}

ddb describe-continuous-backups --table-name "$T"
expect_ok "describe-continuous-backups (PITR off)" 'd["ContinuousBackupsDescription"]["ContinuousBackupsStatus"] == "ENABLED" and pitr() == {"PointInTimeRecoveryStatus": "DISABLED"}'

# PITR_PERIOD: the check of RecoveryPeriodInDays. A CLI whose model predates
# it can neither send it nor show it (it drops members it does not know).
PITR_PERIOD='pitr()["RecoveryPeriodInDays"] == 7'
ddb update-continuous-backups --table-name "$T" --point-in-time-recovery-specification PointInTimeRecoveryEnabled=true,RecoveryPeriodInDays=7
if [[ $RC -ne 0 && "$ERR" == *"Unknown parameter"*"RecoveryPeriodInDays"* ]]; then
	skip "update-continuous-backups RecoveryPeriodInDays=7" "this aws CLI is too old to know RecoveryPeriodInDays (enabling with the default)"
	PITR_PERIOD='pitr().get("RecoveryPeriodInDays", 35) == 35'
	ddb update-continuous-backups --table-name "$T" --point-in-time-recovery-specification PointInTimeRecoveryEnabled=true
fi
expect_ok "update-continuous-backups (enable)" 'pitr()["PointInTimeRecoveryStatus"] == "ENABLED" and '"$PITR_PERIOD"' and ts(pitr()["EarliestRestorableDateTime"]) <= ts(pitr()["LatestRestorableDateTime"])'

ddb describe-continuous-backups --table-name "$T"
expect_ok "describe-continuous-backups (ENABLED)" 'd["ContinuousBackupsDescription"]["ContinuousBackupsStatus"] == "ENABLED" and pitr()["PointInTimeRecoveryStatus"] == "ENABLED" and '"$PITR_PERIOD"' and ts(pitr()["EarliestRestorableDateTime"]) <= ts(pitr()["LatestRestorableDateTime"])'
# The restore instant: the first whole second after the window's start (no
# write since PITR was enabled), once the window reaches it.
PITR_AT=$(pyget 'int(ts(pitr()["EarliestRestorableDateTime"])) + 1')
ddb scan --table-name "$T" --select COUNT
PITR_COUNT=$(pyget 'd["Count"]')
if wait_pitr_latest "$PITR_AT"; then pass "latest restorable time passes $PITR_AT"; else fail "latest restorable time passes $PITR_AT" "output: $OUT"; fi

# A write after the instant: in the latest restore, not in the one at PITR_AT.
ddb put-item --table-name "$T" --item '{"Artist": {"S": "After"}, "Song": {"S": "PITR"}}'
AFTER_PUT=$(python3 -c 'import time; print(time.time())')
if wait_pitr_latest "$AFTER_PUT"; then pass "latest restorable time passes the last write"; else fail "latest restorable time passes the last write" "output: $OUT"; fi

ddb restore-table-to-point-in-time --source-table-name "$T" --target-table-name "$T-pitr-latest" --use-latest-restorable-time
expect_ok "restore-table-to-point-in-time --use-latest-restorable-time" 'd["TableDescription"]["TableName"] == "'$T'-pitr-latest" and d["TableDescription"]["TableStatus"] == "CREATING" and d["TableDescription"]["RestoreSummary"]["SourceTableArn"] == "'$TABLE_ARN'" and "SourceBackupArn" not in d["TableDescription"]["RestoreSummary"] and d["TableDescription"]["RestoreSummary"]["RestoreInProgress"] is True and ts(d["TableDescription"]["RestoreSummary"]["RestoreDateTime"]) >= '"$AFTER_PUT"' - 0.001'
wait_restored "$T-pitr-latest"
ddb wait table-exists --table-name "$T-pitr-latest"
if [[ $RC -eq 0 ]]; then pass "wait table-exists (latest restore)"; else fail "wait table-exists (latest restore)" "exit $RC: $ERR"; fi
ddb scan --table-name "$T-pitr-latest" --select COUNT
expect_ok "latest restore holds every item" 'd["Count"] == '"$PITR_COUNT"' + 1'

ddb restore-table-to-point-in-time --source-table-name "$T" --target-table-name "$T-pitr-at" --restore-date-time "$PITR_AT"
expect_ok "restore-table-to-point-in-time --restore-date-time $PITR_AT" 'd["TableDescription"]["TableStatus"] == "CREATING" and d["TableDescription"]["RestoreSummary"]["SourceTableArn"] == "'$TABLE_ARN'" and ts(d["TableDescription"]["RestoreSummary"]["RestoreDateTime"]) == '"$PITR_AT"
wait_restored "$T-pitr-at"
ddb wait table-exists --table-name "$T-pitr-at"
if [[ $RC -eq 0 ]]; then pass "wait table-exists (restore to an instant)"; else fail "wait table-exists (restore to an instant)" "exit $RC: $ERR"; fi
ddb scan --table-name "$T-pitr-at" --select COUNT
expect_ok "restore to an instant holds the items of that instant" 'd["Count"] == '"$PITR_COUNT"
ddb get-item --table-name "$T-pitr-at" --key '{"Artist": {"S": "After"}, "Song": {"S": "PITR"}}'
expect_ok "restore to an instant lacks a later write" '"Item" not in d'
ddb describe-table --table-name "$T-pitr-at"
expect_ok "restored table: ACTIVE with RestoreSummary" 'd["Table"]["TableStatus"] == "ACTIVE" and d["Table"]["RestoreSummary"]["SourceTableArn"] == "'$TABLE_ARN'" and ts(d["Table"]["RestoreSummary"]["RestoreDateTime"]) == '"$PITR_AT"' and d["Table"]["ItemCount"] == '"$PITR_COUNT"

ddb restore-table-to-point-in-time --source-table-name "$T" --target-table-name "$T-pitr-bad" --restore-date-time 946684800
expect_err "restore-table-to-point-in-time before the window" InvalidRestoreTimeException
ddb restore-table-to-point-in-time --source-table-name "$T" --target-table-name "$T-pitr-at" --use-latest-restorable-time
expect_err "restore-table-to-point-in-time onto an existing table" TableAlreadyExistsException

ddb update-continuous-backups --table-name "$T" --point-in-time-recovery-specification PointInTimeRecoveryEnabled=false
expect_ok "update-continuous-backups (disable)" 'pitr() == {"PointInTimeRecoveryStatus": "DISABLED"}'
ddb describe-continuous-backups --table-name "$T"
expect_ok "describe-continuous-backups (DISABLED)" 'pitr()["PointInTimeRecoveryStatus"] == "DISABLED" and "EarliestRestorableDateTime" not in pitr()'
ddb restore-table-to-point-in-time --source-table-name "$T" --target-table-name "$T-pitr-bad" --use-latest-restorable-time
expect_err "restore-table-to-point-in-time with PITR disabled" PointInTimeRecoveryUnavailableException
ddb delete-table --table-name "$T-pitr-latest"
ddb delete-table --table-name "$T-pitr-at"

# ---------------------------------------------------------------- deletion
ddb delete-table --table-name "$T"
expect_ok "delete-table" 'd["TableDescription"]["TableName"] == "'$T'" and d["TableDescription"]["TableStatus"] == "DELETING"'

ddb wait table-not-exists --table-name "$T"
if [[ $RC -eq 0 ]]; then pass "wait table-not-exists"; else fail "wait table-not-exists" "exit $RC: $ERR"; fi

ddb describe-table --table-name "$T"
expect_err "describe-table of a deleted table" ResourceNotFoundException

ddb delete-table --table-name "$T2"
expect_ok "delete-table (second table)" 'd["TableDescription"]["TableName"] == "'$T2'"'
ddb wait table-not-exists --table-name "$T2"

ddb list-tables
expect_ok "list-tables after deletions" '"'$T'" not in d["TableNames"] and "'$T2'" not in d["TableNames"]'

# ------------------------------------------------------- graceful shutdown
kill -TERM "$SERVER_PID"
rc=""
for _ in $(seq 1 150); do
	if ! kill -0 "$SERVER_PID" 2>/dev/null; then
		wait "$SERVER_PID"
		rc=$?
		break
	fi
	sleep 0.1
done
if [[ "$rc" == "0" ]]; then
	pass "server exits 0 on SIGTERM"
	SERVER_PID=""
elif [[ -z "$rc" ]]; then
	fail "server exits 0 on SIGTERM" "still running 15s after SIGTERM"
else
	fail "server exits 0 on SIGTERM" "exit status $rc"
	SERVER_PID=""
fi

echo
if [[ $FAIL -gt 0 ]]; then
	echo "failed steps:"
	for n in "${FAILED_NAMES[@]}"; do echo "  - $n"; done
fi
echo "$PASS passed, $FAIL failed, $SKIP skipped"
[[ $FAIL -eq 0 ]]
