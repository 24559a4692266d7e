package main

import (
	"fmt"
	"runtime"
	"time"

	"github.com/ebbtide/ebbtide/bench/internal/procstat"
)

// Resource accounting of the server and the machine over a phase, from
// bench/internal/procstat: the server's peak RSS (sampled every 100 ms), its
// CPU time and the bytes it read from and wrote to the disk, the CPU time of
// this tool, the busy time of the whole machine (what the server and this
// tool did not use is other work, which skews a benchmark) and the load
// average.

// procCPU returns the CPU time pid has used, 0 when it cannot be read.
func procCPU(pid int) time.Duration {
	d, _ := procstat.ProcessCPU(pid)
	return d
}

// loadAvg1 returns the 1-minute load average.
func loadAvg1() float64 { return procstat.LoadAvg()[0] }

// Usage is what the server, this tool and the rest of the machine used
// over a window.
type Usage struct {
	Seconds          float64 `json:"seconds"`
	ServerCPUSeconds float64 `json:"server_cpu_seconds"`
	ServerCores      float64 `json:"server_cores"`
	ToolCores        float64 `json:"tool_cores"`
	OtherCores       float64 `json:"other_procs_cores"`
	ServerPeakRSS    uint64  `json:"server_peak_rss_bytes"`
	ServerReadBytes  uint64  `json:"server_disk_read_bytes"`
	ServerWriteBytes uint64  `json:"server_disk_write_bytes"`
	LoadAvgStart     float64 `json:"loadavg1_start"`
	LoadAvgEnd       float64 `json:"loadavg1_end"`
}

// meter measures a Usage between start and stop.
type meter struct {
	pid                   int
	rss                   *procstat.RSSSampler
	t0                    time.Time
	server0, self0, mach0 time.Duration
	rd0, wr0              uint64
	load0                 float64
}

func startMeter(pid int, rss *procstat.RSSSampler) *meter {
	m := &meter{pid: pid, rss: rss, t0: time.Now(), server0: procCPU(pid), self0: procstat.SelfCPU(),
		mach0: procstat.MachineCPU(), load0: loadAvg1()}
	m.rd0, m.wr0 = procstat.ProcessIO(pid)
	rss.Mark()
	return m
}

func (m *meter) stop() Usage {
	el := time.Since(m.t0).Seconds()
	server := (procCPU(m.pid) - m.server0).Seconds()
	self := (procstat.SelfCPU() - m.self0).Seconds()
	mach := (procstat.MachineCPU() - m.mach0).Seconds()
	rd, wr := procstat.ProcessIO(m.pid)
	u := Usage{Seconds: el, ServerCPUSeconds: server, ServerPeakRSS: m.rss.Peak(),
		ServerReadBytes: rd - m.rd0, ServerWriteBytes: wr - m.wr0,
		LoadAvgStart: m.load0, LoadAvgEnd: loadAvg1()}
	if el > 0 {
		u.ServerCores = server / el
		u.ToolCores = self / el
		u.OtherCores = max(mach-server-self, 0) / el
	}
	return u
}

// String is the one-line form of a Usage in the text report.
func (u Usage) String() string {
	return fmt.Sprintf("server %.2f cores (%.1f s CPU), peak RSS %s, disk read %s / written %s; tool %.2f cores; other processes %.2f cores; load avg %.1f→%.1f (%d cores)",
		u.ServerCores, u.ServerCPUSeconds, humanBytes(u.ServerPeakRSS), humanBytes(u.ServerReadBytes), humanBytes(u.ServerWriteBytes),
		u.ToolCores, u.OtherCores, u.LoadAvgStart, u.LoadAvgEnd, runtime.NumCPU())
}

// waitQuiet waits until the server has used less than 0.05 cores over a
// second (background flushes and compactions of the previous phase have
// ended), at most limit; it returns how long it waited.
func waitQuiet(pid int, limit time.Duration) time.Duration {
	start := time.Now()
	for time.Since(start) < limit {
		c0 := procCPU(pid)
		time.Sleep(time.Second)
		if (procCPU(pid) - c0) < 50*time.Millisecond {
			break
		}
	}
	return time.Since(start)
}

// idleOther is the CPU other processes may use for the machine to count
// as idle (cores).
const idleOther = 0.15

// waitIdleMachine waits until processes other than the server and this
// tool have used less than idleOther cores over 2 s, at most limit. It
// returns how long it waited and the other processes' last reading.
func waitIdleMachine(pid int, limit time.Duration) (time.Duration, float64) {
	start := time.Now()
	var other float64
	for {
		m0, s0, t0, w0 := procstat.MachineCPU(), procCPU(pid), procstat.SelfCPU(), time.Now()
		time.Sleep(2 * time.Second)
		busy := (procstat.MachineCPU() - m0) - (procCPU(pid) - s0) - (procstat.SelfCPU() - t0)
		other = max(busy.Seconds(), 0) / time.Since(w0).Seconds()
		if other < idleOther || time.Since(start) >= limit {
			return time.Since(start), other
		}
	}
}
