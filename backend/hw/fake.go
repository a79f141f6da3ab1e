package hw

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// Fake is a fixed list of GPUs, for tests and for trying the UI on a machine
// without the card. Its source name says it is fake wherever it is shown.
type Fake struct {
	Spec    string
	Devices []GPU
	Driver  Driver
}

// GPUs returns the fixed list.
func (f Fake) GPUs(context.Context) GPUs {
	out := GPUs{Source: "fake: " + f.Spec, Devices: append([]GPU(nil), f.Devices...), Driver: f.Driver}
	if len(out.Devices) == 0 {
		out.Unavailable = "no GPU in the fake list"
	}
	return out
}

const mib = 1 << 20

// fakeModels are common cards with their real VRAM (as NVML reports it),
// compute capability and board power limit.
var fakeModels = map[string]GPU{
	"rtx3060": {Name: "NVIDIA GeForce RTX 3060", MemoryTotal: 12288 * mib, ComputeMajor: 8, ComputeMinor: 6, PowerLimitWatts: 170},
	"rtx3090": {Name: "NVIDIA GeForce RTX 3090", MemoryTotal: 24576 * mib, ComputeMajor: 8, ComputeMinor: 6, PowerLimitWatts: 350},
	"rtx4090": {Name: "NVIDIA GeForce RTX 4090", MemoryTotal: 24564 * mib, ComputeMajor: 8, ComputeMinor: 9, PowerLimitWatts: 450},
	"a6000":   {Name: "NVIDIA RTX A6000", MemoryTotal: 49140 * mib, ComputeMajor: 8, ComputeMinor: 6, PowerLimitWatts: 300},
	"l40s":    {Name: "NVIDIA L40S", MemoryTotal: 46068 * mib, ComputeMajor: 8, ComputeMinor: 9, PowerLimitWatts: 350},
	"a100-80": {Name: "NVIDIA A100-SXM4-80GB", MemoryTotal: 81920 * mib, ComputeMajor: 8, ComputeMinor: 0, PowerLimitWatts: 400},
	"h100":    {Name: "NVIDIA H100 80GB HBM3", MemoryTotal: 81559 * mib, ComputeMajor: 9, ComputeMinor: 0, PowerLimitWatts: 700},
	"h200":    {Name: "NVIDIA H200", MemoryTotal: 143771 * mib, ComputeMajor: 9, ComputeMinor: 0, PowerLimitWatts: 700},
	"gtx1080": {Name: "NVIDIA GeForce GTX 1080", MemoryTotal: 8192 * mib, ComputeMajor: 6, ComputeMinor: 1, PowerLimitWatts: 180},
}

// FakeModels lists the names ParseFake accepts.
func FakeModels() []string {
	names := make([]string, 0, len(fakeModels))
	for n := range fakeModels {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// ParseFake builds a fake source from a spec such as "rtx4090" or
// "2xrtx4090,h100": idle cards with a recent driver.
func ParseFake(spec string) (Fake, error) {
	f := Fake{Spec: spec, Driver: Driver{Version: "fake", CUDAVersion: "12.4"}}
	for _, part := range strings.Split(spec, ",") {
		part = strings.ToLower(strings.TrimSpace(part))
		n := 1
		if i := strings.Index(part, "x"); i > 0 {
			if c, err := strconv.Atoi(part[:i]); err == nil {
				n, part = c, part[i+1:]
			}
		}
		model, ok := fakeModels[part]
		if !ok || n < 1 || n > 16 {
			return Fake{}, fmt.Errorf("fake GPU %q: want [Nx]MODEL with N in 1..16 and MODEL one of %s", part, strings.Join(FakeModels(), ", "))
		}
		for range n {
			g := model
			g.Index = len(f.Devices)
			g.UUID = fmt.Sprintf("GPU-fake-%s-%d", part, g.Index)
			g.MemoryUsed = 512 * mib // the driver and display hold a little, as on a real idle card
			g.MemoryFree = g.MemoryTotal - g.MemoryUsed
			g.TemperatureC = 35
			g.PowerDrawWatts = 30
			f.Devices = append(f.Devices, g)
		}
	}
	return f, nil
}
