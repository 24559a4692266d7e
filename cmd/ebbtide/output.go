package main

import (
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/spf13/pflag"
)

// Output formats of --output.
const (
	outputText = "text"
	outputJSON = "json"
)

// addOutputFlag defines --output on f, bound to p.
func addOutputFlag(f *pflag.FlagSet, p *string) {
	f.StringVarP(p, "output", "o", outputText, "output format: text or json")
}

// checkOutput validates an --output value.
func checkOutput(format string) error {
	if format != outputText && format != outputJSON {
		return fmt.Errorf("--output must be text or json, not %q", format)
	}
	return nil
}

// writeJSON writes v as indented JSON and a newline.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// humanBytes formats a byte count with binary units: "512 B", "1.5 KiB",
// "20.0 MiB".
func humanBytes(n int64) string {
	const unit = 1024
	if n < unit && n > -unit {
		return fmt.Sprintf("%d B", n)
	}
	v := float64(n)
	units := []string{"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"}
	i := -1
	for (v >= unit || v <= -unit) && i < len(units)-1 {
		v /= unit
		i++
	}
	return fmt.Sprintf("%.1f %s", v, units[i])
}

// humanBytesPtr is humanBytes for an optional size, "-" when absent.
func humanBytesPtr(n *int64) string {
	if n == nil {
		return "-"
	}
	return humanBytes(*n)
}

// formatTime formats an optional time for people: RFC 3339 in the local
// time zone, "-" when absent.
func formatTime(t *time.Time) string {
	if t == nil || t.IsZero() {
		return "-"
	}
	return t.Local().Format(time.RFC3339)
}

// int64Value dereferences an optional count (0 when absent).
func int64Value(p *int64) int64 {
	if p == nil {
		return 0
	}
	return *p
}

// formatElapsed formats a duration for people: milliseconds under a
// second, tenths of a second above.
func formatElapsed(d time.Duration) string {
	if d < time.Second {
		return d.Round(time.Millisecond).String()
	}
	return d.Round(100 * time.Millisecond).String()
}
