package main

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// timeArgHelp describes the TIME syntax parseTimeArg accepts, for flag help.
const timeArgHelp = `RFC 3339 ("2025-06-01T12:00:00Z"), relative to now ("-15m", "-2h30m", "-1d"), "now" or Unix seconds`

// parseTimeArg parses a TIME argument, relative to now:
//
//   - "now";
//   - RFC 3339, with or without fractional seconds: "2025-06-01T12:00:00Z",
//     "2025-06-01T14:00:00.5+02:00";
//   - a signed duration from now: "-15m", "-2h", "-1h30m", "+10s", with Go's
//     units (ns, us, ms, s, m, h) plus d (24 h) and w (7 d) as leading
//     terms: "-1d", "-1w2d", "-1.5d", "-1d12h";
//   - Unix seconds, possibly fractional: "1748779200", "1748779200.25".
//
// A duration needs its sign ("-15m" is 15 minutes ago), so that "15m" is
// not silently read either way.
func parseTimeArg(s string, now time.Time) (time.Time, error) {
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		return time.Time{}, fmt.Errorf("empty time")
	case strings.EqualFold(s, "now"):
		return now, nil
	case s[0] == '-' || s[0] == '+':
		d, err := parseRelative(s[1:])
		if err != nil {
			return time.Time{}, fmt.Errorf("time %q: %v", s, err)
		}
		if s[0] == '-' {
			d = -d
		}
		return now.Add(d), nil
	case isUnixSeconds(s):
		f, err := strconv.ParseFloat(s, 64)
		if err != nil || f > 1e12 {
			return time.Time{}, fmt.Errorf("time %q: Unix seconds out of range", s)
		}
		sec, frac := math.Modf(f)
		return time.Unix(int64(sec), int64(math.Round(frac*1e9))), nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err == nil {
		return t, nil
	}
	if _, derr := parseRelative(s); derr == nil {
		return time.Time{}, fmt.Errorf("time %q: a relative time needs a sign: -%s (ago) or +%s (from now)", s, s, s)
	}
	return time.Time{}, &timeSyntaxError{s}
}

// timeSyntaxError is a TIME argument of no syntax parseTimeArg knows.
type timeSyntaxError struct{ arg string }

// Error names the argument and the syntax expected.
func (e *timeSyntaxError) Error() string {
	return fmt.Sprintf("time %q: expected %s", e.arg, timeArgHelp)
}

// parseRelative parses an unsigned duration: optional leading week and day
// terms ("1w", "2d", "1.5d"), then a Go duration ("1h30m").
func parseRelative(s string) (time.Duration, error) {
	if s == "" {
		return 0, fmt.Errorf("empty duration")
	}
	var total float64 // nanoseconds
	rest := s
	for _, u := range []struct {
		suffix byte
		unit   time.Duration
	}{{'w', 7 * 24 * time.Hour}, {'d', 24 * time.Hour}} {
		i := 0
		for i < len(rest) && (rest[i] >= '0' && rest[i] <= '9' || rest[i] == '.') {
			i++
		}
		if i == 0 || i >= len(rest) || rest[i] != u.suffix {
			continue
		}
		n, err := strconv.ParseFloat(rest[:i], 64)
		if err != nil {
			return 0, fmt.Errorf("invalid duration %q", s)
		}
		total += n * float64(u.unit)
		rest = rest[i+1:]
	}
	if rest != "" {
		d, err := time.ParseDuration(rest)
		if err != nil || d < 0 {
			return 0, fmt.Errorf("invalid duration %q (units: w, d, h, m, s, ms)", s)
		}
		total += float64(d)
	}
	if total > float64(math.MaxInt64) {
		return 0, fmt.Errorf("duration %q too long", s)
	}
	return time.Duration(total), nil
}

// isUnixSeconds reports whether s is digits with at most one decimal point.
func isUnixSeconds(s string) bool {
	dot := false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
		case c == '.' && !dot && i > 0:
			dot = true
		default:
			return false
		}
	}
	return true
}

// latestTimeArg is the TIME of a point-in-time restore that names the
// table's latest restorable instant (UseLatestRestorableTime).
const latestTimeArg = "latest"

// restoreTimeArgHelp describes the TIME syntax parseRestoreTimeArg
// accepts, for flag help.
const restoreTimeArgHelp = `"latest" (the latest restorable time), ` + timeArgHelp

// parseRestoreTimeArg parses the TIME of a point-in-time restore: "latest"
// (any case; latest is true and t is zero) or any TIME parseTimeArg
// accepts, relative to now.
func parseRestoreTimeArg(s string, now time.Time) (t time.Time, latest bool, err error) {
	if strings.EqualFold(strings.TrimSpace(s), latestTimeArg) {
		return time.Time{}, true, nil
	}
	t, err = parseTimeArg(s, now)
	var se *timeSyntaxError
	if errors.As(err, &se) {
		return time.Time{}, false, fmt.Errorf("time %q: expected %s", se.arg, restoreTimeArgHelp)
	}
	return t, false, err
}
