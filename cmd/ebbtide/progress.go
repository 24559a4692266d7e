package main

import (
	"io"
	"time"

	"github.com/schollz/progressbar/v3"
)

// progress draws a progress bar, or a spinner when the total is unknown, on
// the command's stderr while a long operation runs. It is cleared when the
// operation ends, so only the result remains. A quiet progress draws
// nothing. Its methods are safe on a nil progress.
type progress struct {
	bar     *progressbar.ProgressBar
	total   int64
	spinner bool
}

// newProgress starts a bar counting to total (a spinner if total <= 0)
// labelled desc, on w (nothing at all when quiet).
func newProgress(w io.Writer, quiet bool, total int64, desc string) *progress {
	if quiet {
		return &progress{}
	}
	opts := []progressbar.Option{
		progressbar.OptionSetWriter(w),
		progressbar.OptionSetDescription(desc),
		progressbar.OptionSetWidth(30),
		progressbar.OptionSetElapsedTime(true),
		progressbar.OptionThrottle(100 * time.Millisecond),
		progressbar.OptionClearOnFinish(),
		progressbar.OptionSpinnerType(14),
	}
	p := &progress{total: total, spinner: total <= 0}
	if p.spinner {
		total = -1
	} else {
		opts = append(opts, progressbar.OptionShowCount())
	}
	p.bar = progressbar.NewOptions64(total, opts...)
	_ = p.bar.RenderBlank()
	return p
}

// set moves the bar to n (clamped to the total). A spinner has no count to
// move: it shows desc as its label instead (when desc is not empty).
func (p *progress) set(n int64, desc string) {
	if p == nil || p.bar == nil {
		return
	}
	if p.spinner {
		if desc != "" {
			p.bar.Describe(desc)
		}
		return
	}
	_ = p.bar.Set64(min(max(n, 0), p.total))
}

// stop clears the bar (and stops a spinner's animation).
func (p *progress) stop() {
	if p == nil || p.bar == nil {
		return
	}
	_ = p.bar.Finish()
	p.bar = nil
}
