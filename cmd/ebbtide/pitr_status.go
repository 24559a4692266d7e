package main

import (
	"fmt"
	"io"
	"math"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// instantLayout is RFC 3339 with milliseconds, the precision of the
// restorable window: "2026-11-24T00:31:02.114Z".
const instantLayout = "2006-01-02T15:04:05.000Z07:00"

// writePITRStatus prints a table's continuous-backups description for
// people, the times relative to now:
//
//	table: Music
//	status: ENABLED
//	recovery period: 35 days
//	earliest: 2026-11-24T00:12:40.003Z (18m22s ago)
//	latest: 2026-11-24T00:31:02.114Z (0.9s ago)
//
// A table without point-in-time recovery has just its name and "status:
// DISABLED".
func writePITRStatus(w io.Writer, table string, d *types.ContinuousBackupsDescription, now time.Time) error {
	status := "DISABLED"
	p := d.PointInTimeRecoveryDescription
	if p != nil && p.PointInTimeRecoveryStatus != "" {
		status = string(p.PointInTimeRecoveryStatus)
	}
	if _, err := fmt.Fprintf(w, "table: %s\nstatus: %s\n", table, status); err != nil {
		return err
	}
	if p == nil {
		return nil
	}
	if n := p.RecoveryPeriodInDays; n != nil {
		unit := "days"
		if *n == 1 {
			unit = "day"
		}
		fmt.Fprintf(w, "recovery period: %d %s\n", *n, unit)
	}
	for _, l := range []struct {
		name string
		t    *time.Time
	}{{"earliest", p.EarliestRestorableDateTime}, {"latest", p.LatestRestorableDateTime}} {
		if l.t == nil {
			continue
		}
		if _, err := fmt.Fprintf(w, "%s: %s (%s)\n", l.name, formatInstant(*l.t), formatAgo(now.Sub(*l.t))); err != nil {
			return err
		}
	}
	return nil
}

// formatInstant formats a restorable time: RFC 3339 in UTC with
// milliseconds.
func formatInstant(t time.Time) string {
	return t.UTC().Format(instantLayout)
}

// formatAgo words how long ago an instant d before now was: "0.9s ago",
// "42.3s ago", "18m22s ago", "5h3m ago", "2d4h ago"; "… ahead" for an
// instant after now (clock skew between client and server).
func formatAgo(d time.Duration) string {
	suffix := " ago"
	if d < 0 {
		d, suffix = -d, " ahead"
	}
	return formatAge(d) + suffix
}

// formatAge formats a non-negative age coarsely, more so the older it is.
func formatAge(d time.Duration) string {
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%.1fs", math.Floor(d.Seconds()*10)/10)
	case d < time.Hour:
		d = d.Truncate(time.Second)
		return fmt.Sprintf("%dm%ds", int(d/time.Minute), int(d%time.Minute/time.Second))
	case d < 48*time.Hour:
		d = d.Truncate(time.Minute)
		return fmt.Sprintf("%dh%dm", int(d/time.Hour), int(d%time.Hour/time.Minute))
	}
	d = d.Truncate(time.Hour)
	return fmt.Sprintf("%dd%dh", int(d/(24*time.Hour)), int(d%(24*time.Hour)/time.Hour))
}
