package main

import (
	"os"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// CPU accounting for the report: how much CPU the load generator itself and
// the server (when its pid is known) used during the measured run. On a
// small machine the two share the cores, so "server cores used" says how
// much of the machine the server actually got.

// clockTick is USER_HZ, the unit of /proc/PID/stat times (100 on Linux).
const clockTick = 10 * time.Millisecond

// selfCPU returns the user+system CPU time this process has used.
func selfCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// procCPU returns the user+system CPU time of process pid from
// /proc/PID/stat (fields 14 and 15), or false when it cannot be read.
func procCPU(pid int) (time.Duration, bool) {
	if pid <= 0 {
		return 0, false
	}
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, false
	}
	// The command name (field 2) is in parentheses and may hold spaces.
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0, false
	}
	f := strings.Fields(s[i+1:]) // f[0] is field 3 (state)
	if len(f) < 13 {
		return 0, false
	}
	ut, err1 := strconv.ParseUint(f[11], 10, 64)
	st, err2 := strconv.ParseUint(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, false
	}
	return time.Duration(ut+st) * clockTick, true
}

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
	m := &cpuMeter{pid: pid, self0: selfCPU(), load0: loadAvg(), machine0: machineCPU()}
	m.server0, m.serverOK = procCPU(pid)
	return m
}

func (m *cpuMeter) stop() cpuUsage {
	u := cpuUsage{ClientSeconds: (selfCPU() - m.self0).Seconds(), LoadAvgStart: m.load0, LoadAvgEnd: loadAvg(),
		Cores: runtime.NumCPU()}
	if m.machine0 > 0 {
		u.MachineSeconds = (machineCPU() - m.machine0).Seconds()
	}
	if s, ok := procCPU(m.pid); ok && m.serverOK {
		u.ServerSeconds = (s - m.server0).Seconds()
	}
	return u
}

// loadAvg returns the 1-, 5- and 15-minute load averages from /proc/loadavg
// (zeros when unavailable): the report records them because other work on
// the machine skews a benchmark.
func loadAvg() [3]float64 {
	var la [3]float64
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return la
	}
	f := strings.Fields(string(b))
	for i := 0; i < 3 && i < len(f); i++ {
		la[i], _ = strconv.ParseFloat(f[i], 64)
	}
	return la
}

// machineCPU returns the busy CPU time of the whole machine (all CPUs:
// user, nice, system, irq, softirq, steal) from /proc/stat, or 0.
func machineCPU() time.Duration {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0
	}
	line, _, _ := strings.Cut(string(b), "\n")
	f := strings.Fields(line)
	if len(f) < 9 || f[0] != "cpu" {
		return 0
	}
	var busy uint64
	for i, v := range f[1:9] {
		if i == 3 || i == 4 { // idle, iowait
			continue
		}
		n, _ := strconv.ParseUint(v, 10, 64)
		busy += n
	}
	return time.Duration(busy) * clockTick
}
