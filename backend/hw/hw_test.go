package hw

import (
	"bufio"
	"context"
	"os"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestParseFake(t *testing.T) {
	tests := []struct {
		spec    string
		count   int
		name    string
		total   uint64
		wantErr bool
	}{
		{spec: "rtx4090", count: 1, name: "NVIDIA GeForce RTX 4090", total: 24564 * mib},
		{spec: "2xrtx4090", count: 2, name: "NVIDIA GeForce RTX 4090", total: 24564 * mib},
		{spec: "h100, rtx3060", count: 2, name: "NVIDIA H100 80GB HBM3", total: 81559 * mib},
		{spec: "rtx9999", wantErr: true},
		{spec: "0xrtx4090", wantErr: true},
		{spec: "", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.spec, func(t *testing.T) {
			f, err := ParseFake(tt.spec)
			if tt.wantErr {
				if err == nil {
					t.Fatalf("ParseFake(%q) = %+v, want an error", tt.spec, f)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			g := f.GPUs(context.Background())
			if len(g.Devices) != tt.count || g.Devices[0].Name != tt.name || g.Devices[0].MemoryTotal != tt.total {
				t.Fatalf("got %+v", g.Devices)
			}
			for i, d := range g.Devices {
				if d.Index != i || d.MemoryUsed+d.MemoryFree != d.MemoryTotal {
					t.Errorf("device %d inconsistent: %+v", i, d)
				}
			}
			if !strings.HasPrefix(g.Source, "fake") {
				t.Errorf("source %q does not say it is fake", g.Source)
			}
		})
	}
}

func TestChooseDevice(t *testing.T) {
	two, _ := ParseFake("rtx3060,rtx4090")
	old, _ := ParseFake("gtx1080")
	oldDriver, _ := ParseFake("rtx4090")
	oldDriver.Driver.CUDAVersion = "11.8"
	tests := []struct {
		name       string
		gpus       GPUs
		cudaBuilt  bool
		wantName   string
		wantGPU    int
		wantReason string
	}{
		{"no driver", GPUs{Unavailable: "no NVIDIA driver found"}, true, "cpu", -1, "no NVIDIA driver found"},
		{"too old a GPU", old.GPUs(context.Background()), true, "cpu", -1, "compute capability 6.1"},
		{"too old a driver", oldDriver.GPUs(context.Background()), true, "cpu", -1, "CUDA 12 or newer"},
		{"no CUDA backend in this build", two.GPUs(context.Background()), false, "cpu", -1, "no CUDA backend yet"},
		{"most free memory wins", two.GPUs(context.Background()), true, "cuda", 1, "RTX 4090"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := ChooseDevice(tt.gpus, tt.cudaBuilt)
			if b.Name != tt.wantName || b.GPU != tt.wantGPU || !strings.Contains(b.Reason, tt.wantReason) {
				t.Fatalf("got %+v, want %s on %d with reason containing %q", b, tt.wantName, tt.wantGPU, tt.wantReason)
			}
		})
	}
}

func TestFormatBytes(t *testing.T) {
	tests := map[uint64]string{0: "0 B", 1023: "1023 B", 1024: "1.0 KiB", 24564 * mib: "24.0 GiB", 3 << 40: "3.0 TiB"}
	for in, want := range tests {
		if got := FormatBytes(in); got != want {
			t.Errorf("FormatBytes(%d) = %q, want %q", in, got, want)
		}
	}
}

// cpuinfoModel reads the first "model name" line, as the kernel reports it.
func cpuinfoModel(t *testing.T) string {
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		t.Skip("no /proc/cpuinfo on this system")
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	t.Skip("no model name in /proc/cpuinfo")
	return ""
}

func TestProbeWithFakeGPUs(t *testing.T) {
	f, _ := ParseFake("2xrtx4090")
	dir := t.TempDir()
	r, err := NewProber(f, dir, false).Probe(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(r.GPUs) != 2 || r.CPUOnly() || r.GPUNote != "" {
		t.Fatalf("want 2 GPUs and no CPU-only note, got %d GPUs, note %q", len(r.GPUs), r.GPUNote)
	}
	if want := cpuinfoModel(t); r.CPU.Model != want {
		t.Errorf("CPU model %q, /proc/cpuinfo says %q", r.CPU.Model, want)
	}
	if r.CPU.LogicalCores < 1 || r.CPU.PhysicalCores < 1 || r.CPU.PhysicalCores > r.CPU.LogicalCores {
		t.Errorf("core counts %+v", r.CPU)
	}
	if r.Memory.Total == 0 || r.Memory.Available == 0 || r.Memory.Available > r.Memory.Total {
		t.Errorf("memory %+v", r.Memory)
	}
	if r.Disk.Path != dir || r.Disk.Total == 0 || r.Disk.Free > r.Disk.Total {
		t.Errorf("disk %+v", r.Disk)
	}
}

// On a machine without the NVIDIA driver NVML must fail cleanly, and asking
// again must not call into the missing library (that would kill this test).
func TestNVMLWithoutDriver(t *testing.T) {
	if _, err := os.Stat("/dev/nvidiactl"); err == nil {
		t.Skip("this machine has an NVIDIA driver")
	}
	n := NewNVML()
	defer n.Close()
	for range 2 {
		g := n.GPUs(context.Background())
		if len(g.Devices) != 0 || g.Unavailable == "" {
			t.Fatalf("got %+v, want no devices and a reason", g)
		}
	}
	r, err := NewProber(n, t.TempDir(), true).Probe(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(r.GPUNote, "CPU only: ") || r.Device.Name != "cpu" || r.GPUs == nil {
		t.Fatalf("report %+v", r)
	}
}

func TestWatchStopsWithContext(t *testing.T) {
	f, _ := ParseFake("rtx4090")
	p := NewProber(f, t.TempDir(), false)
	ctx, cancel := context.WithCancel(context.Background())
	var mu sync.Mutex
	var got []Report
	done := make(chan struct{})
	go func() {
		p.Watch(ctx, 10*time.Millisecond, func(r Report) {
			mu.Lock()
			got = append(got, r)
			n := len(got)
			mu.Unlock()
			if n == 3 {
				cancel()
			}
		})
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Watch did not stop after cancel")
	}
	mu.Lock()
	defer mu.Unlock()
	if len(got) < 3 || !got[2].Time.After(got[0].Time) {
		t.Fatalf("want 3 reports in time order, got %d", len(got))
	}
}
