package main

import (
	"runtime"
	"time"

	"github.com/ebbtide/ebbtide/bench/internal/procstat"
)

// CPU accounting for the report: how much CPU the load generator itself and
// the server (when its pid is known) used during the measured run. On a
// small machine the two share the cores, so "server cores used" says how
// much of the machine the server actually got.

// cpuUsage is CPU used by the client and the server over an interval.
type cpuUsage struct {
	ClientSeconds float64 `json:"client_cpu_seconds"`
	ServerSeconds float64 `json:"server_cpu_seconds,omitempty"`
	// MachineSeconds is the CPU time all processes used (from /proc/stat):
	// what is left after the client and the server is other work on the
	// machine, competing with the run.
	MachineSeconds float64    `json:"machine_cpu_seconds,omitempty"`
	Cores          int        `json:"cores"`
	LoadAvgStart   [3]float64 `json:"loadavg_start"` // machine load averages at start
	LoadAvgEnd     [3]float64 `json:"loadavg_end"`   // and at the end of the run
}

// cpuMeter measures cpuUsage between start and stop.
type cpuMeter struct {
	pid            int
	self0, server0 time.Duration
	serverOK       bool
	load0          [3]float64
	machine0       time.Duration
}

func startCPUMeter(pid int) *cpuMeter {
	m := &cpuMeter{pid: pid, self0: procstat.SelfCPU(), load0: procstat.LoadAvg(), machine0: procstat.MachineCPU()}
	m.server0, m.serverOK = procstat.ProcessCPU(pid)
	return m
}

func (m *cpuMeter) stop() cpuUsage {
	u := cpuUsage{ClientSeconds: (procstat.SelfCPU() - m.self0).Seconds(), LoadAvgStart: m.load0, LoadAvgEnd: procstat.LoadAvg(),
		Cores: runtime.NumCPU()}
	if m.machine0 > 0 {
		u.MachineSeconds = (procstat.MachineCPU() - m.machine0).Seconds()
	}
	if s, ok := procstat.ProcessCPU(m.pid); ok && m.serverOK {
		u.ServerSeconds = (s - m.server0).Seconds()
	}
	return u
}
