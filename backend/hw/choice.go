package hw

import (
	"fmt"
	"strconv"
	"strings"
)

// DeviceChoice is the compute device Hone will train and generate on, and
// why: the machine's pick between CUDA and the CPU. (The devices themselves
// are backend/compute's; backend/ as a whole is Hone's Go side.)
type DeviceChoice struct {
	Name   string `json:"name"` // "cuda" or "cpu"
	GPU    int    `json:"gpu"`  // device index when Name is "cuda", else -1
	Reason string `json:"reason"`
}

// Hone's CUDA kernels are compiled for sm_75 and newer with CUDA 12, which
// needs a driver from the 525 series or later.
const (
	minComputeMajor, minComputeMinor = 7, 5
	minCUDAMajor                     = 12
)

// ChooseDevice picks CUDA on the GPU with the most free memory when the
// hardware, the driver and this build allow it, and the CPU otherwise.
func ChooseDevice(g GPUs, cudaBuilt bool) DeviceChoice {
	cpu := func(reason string) DeviceChoice { return DeviceChoice{Name: "cpu", GPU: -1, Reason: reason} }
	if len(g.Devices) == 0 {
		return cpu(g.Unavailable)
	}
	best := -1
	for i, d := range g.Devices {
		if d.ComputeMajor < minComputeMajor || d.ComputeMajor == minComputeMajor && d.ComputeMinor < minComputeMinor {
			continue
		}
		if best < 0 || d.MemoryFree > g.Devices[best].MemoryFree {
			best = i
		}
	}
	if best < 0 {
		d := g.Devices[0]
		return cpu(fmt.Sprintf("%s has compute capability %s; Hone's CUDA kernels need %d.%d (Turing) or newer",
			d.Name, d.ComputeCapability(), minComputeMajor, minComputeMinor))
	}
	if major := cudaMajor(g.Driver.CUDAVersion); major < minCUDAMajor {
		return cpu(fmt.Sprintf("the NVIDIA driver (%s) supports CUDA %q; Hone needs CUDA %d or newer (driver 525+)",
			g.Driver.Version, g.Driver.CUDAVersion, minCUDAMajor))
	}
	d := g.Devices[best]
	if !cudaBuilt {
		return cpu(fmt.Sprintf("%s is usable, but this build of Hone has no CUDA backend yet", d.Name))
	}
	return DeviceChoice{Name: "cuda", GPU: d.Index, Reason: fmt.Sprintf("GPU %d, %s: %s free, compute capability %s",
		d.Index, d.Name, FormatBytes(d.MemoryFree), d.ComputeCapability())}
}

func cudaMajor(v string) int {
	major, _, _ := strings.Cut(v, ".")
	n, err := strconv.Atoi(major)
	if err != nil {
		return 0
	}
	return n
}

// FormatBytes prints a size in binary units, as "23.5 GiB".
func FormatBytes(b uint64) string {
	const unit = 1024
	if b < unit {
		return fmt.Sprintf("%d B", b)
	}
	div, exp := uint64(unit), 0
	for n := b / unit; n >= unit; n /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(b)/float64(div), "KMGTPE"[exp])
}
