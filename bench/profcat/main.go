// Command profcat splits an Ebbtide server CPU profile into the categories
// docs/performance.md reports (HTTP, JSON decode, engine reads, commit, WAL,
// GC, ...). Every sample goes to the first category whose patterns all match
// some frame of its stack, so the shares add up to 100%.
//
//	go run ./bench/profcat BIN cpu.prof [cpu2.prof ...]
//
// It reads `go tool pprof -traces BIN PROFILE`; with several profiles it
// prints one column per profile.
package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// category is a named set of stack patterns that must all match.
type category struct {
	name     string
	patterns []*regexp.Regexp
}

func cat(name string, patterns ...string) category {
	c := category{name: name}
	for _, p := range patterns {
		c.patterns = append(c.patterns, regexp.MustCompile(p))
	}
	return c
}

// categories in priority order.
var categories = []category{
	cat("WAL write + fdatasync (Pebble LogWriter)", `LogWriter\)\.flushLoop`),
	cat("Pebble memtable flush / compaction", `pebble/v2\.\(\*DB\)\.(compact|flush|runCompaction)|compaction|flush1`),
	cat("GC (background mark / sweep)", `runtime\.gcBgMarkWorker|runtime\.bgsweep|runtime\.bgscavenge`),
	cat("JSON decode of the request (encoding/json + attr)", `internal/dynamodb\.decode$`),
	cat("engine read-before-write (Pebble Get + decode under the item lock)", `engine\.readItem`, `MutateMany`),
	cat("engine commit (batch build, Pebble commit pipeline, memtable insert)", `engine\.\(\*Engine\)\.apply`),
	cat("engine other write path (locks, prepare)", `MutateMany`),
	cat("engine GetItem (Pebble Get + decode)", `engine\.\(\*Engine\)\.GetItem`),
	cat("engine Query (iterator + decode)", `engine\.\(\*Engine\)\.Query`),
	cat("response encode (AppendItemJSON / encoding/json)", `server\.marshalResponse|server\.\(\*router\)\.writeError`),
	cat("expressions + validation", `internal/expr\.|dynamodb\.\(\*violations\)|dynamodb\.newExprContext|dynamodb\.checkExpressionParams`),
	cat("read request body (io.ReadAll)", `^io\.ReadAll$`),
	cat("write response into bufio (writeRaw: headers, CRC32)", `server\.writeRaw`),
	cat("request id (crypto/rand + base32)", `server\.newRequestID`),
	cat("other handler code (serveAPI)", `server\.\(\*router\)\.serveAPI`),
	cat("HTTP: read + parse request line and headers", `net/http\.\(\*conn\)\.readRequest`),
	cat("HTTP: flush response to the socket (write syscall)", `net/http\.\(\*response\)\.finishRequest|net/http\.\(\*conn\)\.finalFlush`),
	cat("HTTP: other per-connection work", `net/http\.\(\*conn\)\.serve`),
	cat("scheduler / netpoll", `runtime\.(schedule|findRunnable|netpoll|mcall|park_m|goexit0)`),
}

const otherName = "other (runtime, timers, …)"

// sampleLine is the first line of a stack in -traces output: "  10ms  func".
var sampleLine = regexp.MustCompile(`^\s*([0-9.]+)(s|ms|us|µs|ns)\s+(\S+)`)

func main() {
	if len(os.Args) < 3 {
		fmt.Fprintln(os.Stderr, "usage: profcat BIN PROFILE...")
		os.Exit(2)
	}
	bin, profiles := os.Args[1], os.Args[2:]
	shares := make([]map[string]float64, len(profiles))
	for i, p := range profiles {
		s, err := categorize(bin, p)
		if err != nil {
			fmt.Fprintf(os.Stderr, "%s: %v\n", p, err)
			os.Exit(1)
		}
		shares[i] = s
	}
	names := append([]string{}, otherName)
	for _, c := range categories {
		names = append(names, c.name)
	}
	sort.SliceStable(names, func(a, b int) bool { return shares[0][names[a]] > shares[0][names[b]] })

	fmt.Print("| category |")
	for _, p := range profiles {
		fmt.Printf(" %s |", strings.TrimSuffix(filepath.Base(p), ".cpu.prof"))
	}
	fmt.Print("\n|---|" + strings.Repeat("---|", len(profiles)) + "\n")
	for _, n := range names {
		fmt.Printf("| %s |", n)
		for _, s := range shares {
			if v := s[n]; v > 0 {
				fmt.Printf(" %.1f%% |", v)
			} else {
				fmt.Print(" – |")
			}
		}
		fmt.Println()
	}
}

// categorize returns each category's share (percent) of profile's samples.
func categorize(bin, profile string) (map[string]float64, error) {
	out, err := exec.Command("go", "tool", "pprof", "-traces", bin, profile).Output()
	if err != nil {
		return nil, err
	}
	sums := map[string]float64{}
	var total float64
	for _, block := range bytes.Split(out, []byte("-----------+-")) {
		v, frames := parseStack(block)
		if len(frames) == 0 {
			continue
		}
		total += v
		sums[classify(frames)] += v
	}
	if total == 0 {
		return nil, fmt.Errorf("no samples")
	}
	for k := range sums {
		sums[k] *= 100 / total
	}
	return sums, nil
}

// parseStack reads one -traces block: optional label lines, then
// "<value> <leaf frame>" and one caller frame per line.
func parseStack(block []byte) (float64, []string) {
	var v float64
	var frames []string
	sc := bufio.NewScanner(bytes.NewReader(block))
	for sc.Scan() {
		line := sc.Text()
		if frames == nil {
			m := sampleLine.FindStringSubmatch(line)
			if m == nil {
				continue // header or label line
			}
			n, _ := strconv.ParseFloat(m[1], 64)
			v = n * map[string]float64{"s": 1, "ms": 1e-3, "us": 1e-6, "µs": 1e-6, "ns": 1e-9}[m[2]]
			frames = append(frames, m[3])
			continue
		}
		if f := strings.Fields(line); len(f) > 0 {
			frames = append(frames, f[len(f)-1])
		}
	}
	return v, frames
}

func classify(frames []string) string {
next:
	for _, c := range categories {
		for _, p := range c.patterns {
			matched := false
			for _, f := range frames {
				if p.MatchString(f) {
					matched = true
					break
				}
			}
			if !matched {
				continue next
			}
		}
		return c.name
	}
	return otherName
}
