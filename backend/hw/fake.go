package hw

import (
	"context"
	"fmt"
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
		card, ok := CardByKey(part)
		if !ok || n < 1 || n > 16 {
			return Fake{}, fmt.Errorf("fake GPU %q: want [Nx]MODEL with N in 1..16 and MODEL one of %s", part, strings.Join(CardKeys(), ", "))
		}
		for range n {
			g := GPU{Name: card.Name, MemoryTotal: card.Memory, ComputeMajor: card.ComputeMajor,
				ComputeMinor: card.ComputeMinor, PowerLimitWatts: card.PowerWatts}
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
