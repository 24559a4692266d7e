package main

import (
	"strings"
	"testing"
	"time"
)

func TestParseTimeArg(t *testing.T) {
	now := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Time
	}{
		{"now", now},
		{"NOW", now},
		{"2025-05-31T08:30:00Z", time.Date(2025, 5, 31, 8, 30, 0, 0, time.UTC)},
		{"2025-05-31T10:30:00.25+02:00", time.Date(2025, 5, 31, 8, 30, 0, 250e6, time.UTC)},
		{"-15m", now.Add(-15 * time.Minute)},
		{"-2h", now.Add(-2 * time.Hour)},
		{"-1h30m", now.Add(-90 * time.Minute)},
		{"+10s", now.Add(10 * time.Second)},
		{"-500ms", now.Add(-500 * time.Millisecond)},
		{"-1d", now.Add(-24 * time.Hour)},
		{"-1.5d", now.Add(-36 * time.Hour)},
		{"-1d12h", now.Add(-36 * time.Hour)},
		{"-1w", now.Add(-7 * 24 * time.Hour)},
		{"-1w2d3h", now.Add(-(9*24 + 3) * time.Hour)},
		{" -15m ", now.Add(-15 * time.Minute)},
		{"1748779200", time.Unix(1748779200, 0)},
		{"1748779200.25", time.Unix(1748779200, 250e6)},
	}
	for _, tt := range tests {
		got, err := parseTimeArg(tt.in, now)
		if err != nil {
			t.Errorf("parseTimeArg(%q): %v", tt.in, err)
			continue
		}
		if !got.Equal(tt.want) {
			t.Errorf("parseTimeArg(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestParseTimeArgErrors(t *testing.T) {
	now := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		in, wantErr string
	}{
		{"", "empty"},
		{"15m", "needs a sign: -15m"},
		{"2h", "needs a sign"},
		{"-", "empty duration"},
		{"-15", "invalid duration"},
		{"-15x", "invalid duration"},
		{"-1d-2h", "invalid duration"},
		{"-d", "invalid duration"},
		{"--15m", "invalid duration"},
		{"yesterday", "expected RFC 3339"},
		{"2025-06-01", "expected RFC 3339"},
		{"2025-06-01T12:00:00", "expected RFC 3339"},
		{"1e10", "expected RFC 3339"},
		{"99999999999999", "out of range"},
		{"-99999999w", "too long"},
	}
	for _, tt := range tests {
		got, err := parseTimeArg(tt.in, now)
		if err == nil {
			t.Errorf("parseTimeArg(%q) = %v, want an error", tt.in, got)
			continue
		}
		if !strings.Contains(err.Error(), tt.wantErr) {
			t.Errorf("parseTimeArg(%q) error %q, want it to contain %q", tt.in, err, tt.wantErr)
		}
	}
}

func TestParseRestoreTimeArg(t *testing.T) {
	now := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	for _, in := range []string{"latest", "LATEST", " Latest "} {
		at, latest, err := parseRestoreTimeArg(in, now)
		if err != nil || !latest || !at.IsZero() {
			t.Errorf("parseRestoreTimeArg(%q) = %v, %v, %v", in, at, latest, err)
		}
	}
	at, latest, err := parseRestoreTimeArg("-15m", now)
	if err != nil || latest || !at.Equal(now.Add(-15*time.Minute)) {
		t.Errorf("parseRestoreTimeArg(-15m) = %v, %v, %v", at, latest, err)
	}
	at, latest, err = parseRestoreTimeArg("2025-05-31T08:30:00.125Z", now)
	if err != nil || latest || !at.Equal(time.Date(2025, 5, 31, 8, 30, 0, 125e6, time.UTC)) {
		t.Errorf("parseRestoreTimeArg(RFC 3339) = %v, %v, %v", at, latest, err)
	}
	for _, tt := range []struct{ in, wantErr string }{
		{"latests", `time "latests": expected "latest" (the latest restorable time), RFC 3339`},
		{"15m", "needs a sign: -15m"},
		{"", "empty"},
	} {
		if _, _, err := parseRestoreTimeArg(tt.in, now); err == nil || !strings.Contains(err.Error(), tt.wantErr) {
			t.Errorf("parseRestoreTimeArg(%q): err = %v, want %q", tt.in, err, tt.wantErr)
		}
	}
}
