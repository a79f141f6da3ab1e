package hw

import (
	"context"
	"fmt"
	"sync"

	"github.com/NVIDIA/go-nvml/pkg/nvml"
)

// NVML reads GPUs through the NVIDIA Management Library, loaded at run time.
//
// NVML is initialised once. When Init fails no other NVML function is ever
// called: with the library missing, any further call kills the process.
type NVML struct {
	once    sync.Once
	lib     nvml.Interface
	initErr string
}

// NewNVML returns a source that loads libnvidia-ml on first use.
func NewNVML() *NVML { return &NVML{} }

func (n *NVML) init() {
	lib := nvml.New()
	switch ret := lib.Init(); ret {
	case nvml.SUCCESS:
		n.lib = lib
	case nvml.ERROR_LIBRARY_NOT_FOUND:
		n.initErr = "no NVIDIA driver found (libnvidia-ml.so.1 is not installed)"
	case nvml.ERROR_DRIVER_NOT_LOADED:
		n.initErr = "the NVIDIA driver is installed but not loaded"
	case nvml.ERROR_NO_PERMISSION:
		n.initErr = "no permission to talk to the NVIDIA driver"
	default:
		n.initErr = "NVML failed to start: " + ret.Error()
	}
}

// Close shuts NVML down if it was started.
func (n *NVML) Close() {
	if n.lib != nil {
		n.lib.Shutdown()
	}
}

// GPUs lists every device NVML sees.
func (n *NVML) GPUs(ctx context.Context) GPUs {
	n.once.Do(n.init)
	out := GPUs{Source: "nvml"}
	if n.lib == nil {
		out.Unavailable = n.initErr
		return out
	}
	if v, ret := n.lib.SystemGetDriverVersion(); ret == nvml.SUCCESS {
		out.Driver.Version = v
	}
	if v, ret := n.lib.SystemGetCudaDriverVersion(); ret == nvml.SUCCESS {
		out.Driver.CUDAVersion = fmt.Sprintf("%d.%d", v/1000, v%1000/10)
	}
	count, ret := n.lib.DeviceGetCount()
	if ret != nvml.SUCCESS {
		out.Unavailable = "NVML could not count the GPUs: " + ret.Error()
		return out
	}
	for i := 0; i < count && ctx.Err() == nil; i++ {
		dev, ret := n.lib.DeviceGetHandleByIndex(i)
		if ret != nvml.SUCCESS {
			continue
		}
		out.Devices = append(out.Devices, readDevice(i, dev))
	}
	if len(out.Devices) == 0 {
		out.Unavailable = "the NVIDIA driver is loaded but reports no usable GPU"
	}
	return out
}

// readDevice fills what the device answers; a field a device does not
// support (power on some laptops, temperature in some VMs) stays zero.
func readDevice(index int, dev nvml.Device) GPU {
	g := GPU{Index: index}
	if v, ret := dev.GetName(); ret == nvml.SUCCESS {
		g.Name = v
	}
	if v, ret := dev.GetUUID(); ret == nvml.SUCCESS {
		g.UUID = v
	}
	if m, ret := dev.GetMemoryInfo(); ret == nvml.SUCCESS {
		g.MemoryTotal, g.MemoryUsed, g.MemoryFree = m.Total, m.Used, m.Free
	}
	if major, minor, ret := dev.GetCudaComputeCapability(); ret == nvml.SUCCESS {
		g.ComputeMajor, g.ComputeMinor = major, minor
	}
	if u, ret := dev.GetUtilizationRates(); ret == nvml.SUCCESS {
		g.UtilizationPct, g.MemoryUtilPct = int(u.Gpu), int(u.Memory)
	}
	if t, ret := dev.GetTemperature(nvml.TEMPERATURE_GPU); ret == nvml.SUCCESS {
		g.TemperatureC = int(t)
	}
	if mw, ret := dev.GetPowerUsage(); ret == nvml.SUCCESS {
		g.PowerDrawWatts = float64(mw) / 1000
	}
	if mw, ret := dev.GetEnforcedPowerLimit(); ret == nvml.SUCCESS {
		g.PowerLimitWatts = float64(mw) / 1000
	}
	return g
}
