package procstat

import (
	"os"
	"testing"
)

// The readers work on this process (the tests run on Linux) and return
// zeros for a pid that cannot exist.
func TestReadersOnSelf(t *testing.T) {
	pid := os.Getpid()
	if _, err := os.Stat("/proc/self/stat"); err != nil {
		t.Skip("no /proc")
	}
	rss, hwm, err := readStatus(pid)
	if err != nil || rss == 0 || hwm < rss {
		t.Errorf("readStatus = %d, %d, %v", rss, hwm, err)
	}
	if _, ok := ProcessCPU(pid); !ok {
		t.Error("ProcessCPU(self) failed")
	}
	if d, ok := ProcessCPU(0); ok || d != 0 {
		t.Errorf("ProcessCPU(0) = %v, %v", d, ok)
	}
	if MachineCPU() <= 0 {
		t.Error("MachineCPU = 0")
	}

	s := NewRSSSampler(pid)
	s.Start()
	defer s.Stop()
	if s.Current() == 0 || s.Peak() < s.Current() {
		t.Errorf("sampler: current %d, peak %d", s.Current(), s.Peak())
	}
	s.Mark()
	if s.Peak() == 0 {
		t.Error("peak after Mark = 0")
	}

	none := NewRSSSampler(0)
	none.Start()
	none.Stop()
	if none.Peak() != 0 || none.HWM() != 0 {
		t.Error("a sampler of pid 0 reported memory")
	}
}
