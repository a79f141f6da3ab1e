package hw

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/shirou/gopsutil/v4/cpu"
	"github.com/shirou/gopsutil/v4/disk"
	"github.com/shirou/gopsutil/v4/mem"
)

// Prober builds Reports. CPU facts are read once; GPUs, memory and disk on
// every call, since they change while a job runs.
type Prober struct {
	gpus      GPUSource
	dataDir   string
	cudaBuilt bool

	cpuOnce sync.Once
	cpu     CPU
	cpuErr  error
}

// NewProber reports on the given GPU source and the disk holding dataDir.
// cudaBuilt says whether this binary carries the CUDA backend.
func NewProber(gpus GPUSource, dataDir string, cudaBuilt bool) *Prober {
	return &Prober{gpus: gpus, dataDir: dataDir, cudaBuilt: cudaBuilt}
}

// Probe reads the machine now.
func (p *Prober) Probe(ctx context.Context) (Report, error) {
	p.cpuOnce.Do(func() { p.cpu, p.cpuErr = readCPU(ctx) })
	if p.cpuErr != nil {
		return Report{}, p.cpuErr
	}
	g := p.gpus.GPUs(ctx)
	r := Report{
		Time:   time.Now(),
		GPUs:   g.Devices,
		Driver: g.Driver,
		Source: g.Source,
		CPU:    p.cpu,
		Device: ChooseDevice(g, p.cudaBuilt),
	}
	if r.GPUs == nil {
		r.GPUs = []GPU{} // JSON "gpus": [] rather than null
	}
	if len(g.Devices) == 0 {
		r.GPUNote = "CPU only: " + g.Unavailable
	}
	vm, err := mem.VirtualMemoryWithContext(ctx)
	if err != nil {
		return Report{}, fmt.Errorf("read memory: %w", err)
	}
	r.Memory = Memory{Total: vm.Total, Available: vm.Available}
	du, err := disk.UsageWithContext(ctx, p.dataDir)
	if err != nil {
		return Report{}, fmt.Errorf("read free disk at %s: %w", p.dataDir, err)
	}
	r.Disk = Disk{Path: p.dataDir, Total: du.Total, Free: du.Free}
	return r, nil
}

// Watch probes every interval until ctx ends and hands each report to emit.
// A failed probe is skipped: one bad read must not end a telemetry stream.
func (p *Prober) Watch(ctx context.Context, interval time.Duration, emit func(Report)) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if r, err := p.Probe(ctx); err == nil {
			emit(r)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func readCPU(ctx context.Context) (CPU, error) {
	infos, err := cpu.InfoWithContext(ctx)
	if err != nil || len(infos) == 0 {
		return CPU{}, fmt.Errorf("read CPU info: %w", err)
	}
	c := CPU{Model: infos[0].ModelName}
	flags := infos[0].Flags
	c.AVX2 = slices.Contains(flags, "avx2")
	c.AVX512 = slices.Contains(flags, "avx512f")
	c.FMA = slices.Contains(flags, "fma")
	c.F16C = slices.Contains(flags, "f16c")
	if c.LogicalCores, err = cpu.CountsWithContext(ctx, true); err != nil {
		return CPU{}, fmt.Errorf("count logical cores: %w", err)
	}
	// Some VMs hide the core topology; fall back to the logical count.
	if c.PhysicalCores, err = cpu.CountsWithContext(ctx, false); err != nil || c.PhysicalCores == 0 {
		c.PhysicalCores = c.LogicalCores
	}
	return c, nil
}
