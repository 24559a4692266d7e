package main

import (
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

func TestWritePITRStatus(t *testing.T) {
	now := time.Date(2026, 11, 24, 0, 31, 3, 14e6, time.UTC)
	earliest := time.Date(2026, 11, 24, 0, 12, 40, 3e6, time.FixedZone("CET", 3600)) // printed in UTC
	latest := time.Date(2026, 11, 24, 0, 31, 2, 114e6, time.UTC)
	var b strings.Builder
	err := writePITRStatus(&b, "Music", &types.ContinuousBackupsDescription{
		ContinuousBackupsStatus: types.ContinuousBackupsStatusEnabled,
		PointInTimeRecoveryDescription: &types.PointInTimeRecoveryDescription{
			PointInTimeRecoveryStatus:  types.PointInTimeRecoveryStatusEnabled,
			RecoveryPeriodInDays:       aws.Int32(1),
			EarliestRestorableDateTime: &earliest,
			LatestRestorableDateTime:   &latest,
		},
	}, now)
	want := `table: Music
status: ENABLED
recovery period: 1 day
earliest: 2026-11-23T23:12:40.003Z (1h18m ago)
latest: 2026-11-24T00:31:02.114Z (0.9s ago)
`
	if err != nil || b.String() != want {
		t.Errorf("got (%v):\n%s\nwant:\n%s", err, b.String(), want)
	}

	b.Reset()
	err = writePITRStatus(&b, "Music", &types.ContinuousBackupsDescription{ContinuousBackupsStatus: types.ContinuousBackupsStatusEnabled}, now)
	if err != nil || b.String() != "table: Music\nstatus: DISABLED\n" {
		t.Errorf("without a PITR description (%v):\n%s", err, b.String())
	}
}

func TestFormatAgo(t *testing.T) {
	for _, tt := range []struct {
		d    time.Duration
		want string
	}{
		{0, "0.0s ago"},
		{900 * time.Millisecond, "0.9s ago"},
		{999 * time.Millisecond, "0.9s ago"},
		{42*time.Second + 370*time.Millisecond, "42.3s ago"},
		{59*time.Second + 990*time.Millisecond, "59.9s ago"},
		{time.Minute, "1m0s ago"},
		{18*time.Minute + 22*time.Second + 900*time.Millisecond, "18m22s ago"},
		{5*time.Hour + 3*time.Minute + 59*time.Second, "5h3m ago"},
		{47*time.Hour + 59*time.Minute, "47h59m ago"},
		{52 * time.Hour, "2d4h ago"},
		{35 * 24 * time.Hour, "35d0h ago"},
		{-200 * time.Millisecond, "0.2s ahead"},
	} {
		if got := formatAgo(tt.d); got != tt.want {
			t.Errorf("formatAgo(%v) = %q, want %q", tt.d, got, tt.want)
		}
	}
}

func TestFormatInstant(t *testing.T) {
	at := time.Date(2026, 11, 24, 1, 31, 2, 114_999_999, time.FixedZone("CET", 3600))
	if got := formatInstant(at); got != "2026-11-24T00:31:02.114Z" {
		t.Errorf("formatInstant = %q", got)
	}
}
