package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os/exec"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// Server CPU profiles of backups and restores split into categories, as
// bench/profcat does for the API path (whose categories do not cover the
// backup and restore code). Each sample goes to the first category whose
// pattern matches a frame of its stack or one of its pprof labels (Pebble
// labels its flushes and compactions), so the shares add up to 100 %.

type profCategory struct {
	name string
	re   *regexp.Regexp
}

var profCategories = func() []profCategory {
	var cs []profCategory
	for _, c := range [][2]string{
		{"HTTP API requests (GetItem, PutItem, Describe*, …)", `net/http\.\(\*conn\)\.serve`},
		{"zstd compress (new chunks)", `zstd\.\(\*Encoder\)|zstd\.\(\*doubleFastEncoder\)|zstd\.\(\*blockEnc\)|huff0\.\(\*Scratch\)\.compress`},
		{"zstd decompress", `zstd\.\(\*Decoder\)|zstd\.\(\*blockDec\)|zstd\.\(\*frameDec\)|huff0\..*[Dd]ecompress`},
		{"AES-GCM seal/open", `aes/gcm|cipher\.\(\*gcm`},
		{"chunk object write (create, write, fsync, rename)", `blob\.\(\*FS\)\.(put|Put)`},
		{"chunk object read", `blob\.\(\*FS\)\.(Get|get)`},
		{"chunk probe (stat)", `blob\.\(\*FS\)\.Size`},
		{"chunk id HMAC-SHA256", `chunkIDHasher|hmac`},
		{"content-defined chunker (Rabin)", `restic/chunker`},
		{"stream SHA-256 / framing copy (repo Writer)", `repo\.\(\*Writer\)\.(pipeline|Add|write|flush)`},
		{"restore: item decode (attr.DecodeItem)", `attr\.DecodeItem`},
		{"restore: batch commit (WAL write, memtable insert)", `engine\.\(\*Loader\)\.commit|pebble/v2\.\(\*DB\)\.commitWrite|pebble/v2\.\(\*DB\)\.Apply`},
		{"restore: item re-encode (attr.AppendItem in Loader.Add)", `attr\.AppendItem|attr\.appendValueMap`},
		{"restore: Loader.Add other (keys, bookkeeping, batch Set)", `engine\.\(\*Loader\)\.Add`},
		{"restore: record parse / stream check", `repo\.\(\*recordParser\)|repo\.\(\*Repo\)\.ReadManifest`},
		{"Pebble WAL writer (LogWriter flush loop)", `LogWriter\)\.flushLoop`},
		{"Pebble memtable flush (incl. snappy)", `pebble/v2\.\(\*DB\)\.flush|^pebble:\s+flush`},
		{"Pebble compaction (incl. snappy)", `pebble/v2\.\(\*DB\)\.(compact|runCompaction)|^pebble:\s+compact`},
		{"backup: table scan (Pebble snapshot iterator)", `engine\.\(\*TableSnapshot\)\.Items`},
		{"GC (background mark / sweep)", `runtime\.gcBgMarkWorker|runtime\.bgsweep|runtime\.bgscavenge`},
		{"scheduler / netpoll", `runtime\.(schedule|findRunnable|netpoll|mcall|park_m|goexit0)`},
	} {
		cs = append(cs, profCategory{c[0], regexp.MustCompile(c[1])})
	}
	return cs
}()

// sampleLine is the first line of a stack in -traces output: "  10ms  func".
var sampleLine = regexp.MustCompile(`^\s*([0-9.]+)(s|ms|us|µs|ns)\s+(\S+)`)

// categorizeProfile returns the CPU seconds of each category in a profile
// and the total, from `go tool pprof -traces BIN PROFILE`.
func categorizeProfile(ctx context.Context, bin, prof string) (map[string]float64, float64, error) {
	out, err := exec.CommandContext(ctx, "go", "tool", "pprof", "-traces", bin, prof).Output()
	if err != nil {
		return nil, 0, fmt.Errorf("go tool pprof -traces: %w", err)
	}
	unit := map[string]float64{"s": 1, "ms": 1e-3, "us": 1e-6, "µs": 1e-6, "ns": 1e-9}
	shares := map[string]float64{}
	var total float64
	for _, block := range strings.Split(string(out), "-----------+") {
		var labels, frames []string
		var v float64
		sc := bufio.NewScanner(strings.NewReader(block))
		for sc.Scan() {
			line := sc.Text()
			if m := sampleLine.FindStringSubmatch(line); m != nil && v == 0 {
				f, _ := strconv.ParseFloat(m[1], 64)
				v = f * unit[m[2]]
				frames = append(frames, m[3])
				continue
			}
			t := strings.TrimSpace(line)
			switch {
			case t == "" || strings.HasPrefix(t, "---"):
			case v == 0:
				labels = append(labels, t) // pprof labels precede the sample line
			default:
				frames = append(frames, t)
			}
		}
		if v == 0 {
			continue
		}
		name := "other"
	find:
		for _, c := range profCategories {
			for _, f := range append(frames, labels...) {
				if c.re.MatchString(f) {
					name = c.name
					break find
				}
			}
		}
		shares[name] += v
		total += v
	}
	return shares, total, nil
}

// writeCategories writes a profile's categories, largest first, as a
// Markdown table.
func writeCategories(w io.Writer, name string, shares map[string]float64, total float64) {
	names := make([]string, 0, len(shares))
	for n := range shares {
		names = append(names, n)
	}
	sort.Slice(names, func(i, j int) bool { return shares[names[i]] > shares[names[j]] })
	var b bytes.Buffer
	fmt.Fprintf(&b, "| category | %s (%.1f s CPU) |\n|---|---|\n", name, total)
	for _, n := range names {
		fmt.Fprintf(&b, "| %s | %.1f%% |\n", n, 100*shares[n]/total)
	}
	_, _ = w.Write(b.Bytes())
}
