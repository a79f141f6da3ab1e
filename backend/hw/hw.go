// Package hw describes the machine Hone runs on: its NVIDIA GPUs (through NVML),
// CPU, memory and the disk that holds the data folder (through gopsutil).
//
// A machine without an NVIDIA driver is a normal case, not an error: the report
// says "CPU only" and why.
package hw

import (
	"context"
	"fmt"
	"time"
)

// GPU is one NVIDIA device as NVML sees it. Fields NVML could not read are zero.
type GPU struct {
	Index           int     `json:"index"`
	Name            string  `json:"name"`
	UUID            string  `json:"uuid"`
	MemoryTotal     uint64  `json:"memoryTotal"` // bytes
	MemoryUsed      uint64  `json:"memoryUsed"`
	MemoryFree      uint64  `json:"memoryFree"`
	ComputeMajor    int     `json:"computeMajor"`
	ComputeMinor    int     `json:"computeMinor"`
	UtilizationPct  int     `json:"utilizationPct"`
	MemoryUtilPct   int     `json:"memoryUtilPct"`
	TemperatureC    int     `json:"temperatureC"`
	PowerDrawWatts  float64 `json:"powerDrawWatts"`
	PowerLimitWatts float64 `json:"powerLimitWatts"`
}

// ComputeCapability is the CUDA compute capability as "8.9".
func (g GPU) ComputeCapability() string {
	return fmt.Sprintf("%d.%d", g.ComputeMajor, g.ComputeMinor)
}

// Driver is what the NVIDIA driver reports about itself.
type Driver struct {
	Version     string `json:"version"`     // e.g. "550.54.14"
	CUDAVersion string `json:"cudaVersion"` // highest CUDA the driver supports, e.g. "12.4"
}

// CPU describes the processor.
type CPU struct {
	Model         string `json:"model"`
	PhysicalCores int    `json:"physicalCores"`
	LogicalCores  int    `json:"logicalCores"`
	AVX2          bool   `json:"avx2"`
	AVX512        bool   `json:"avx512"`
	FMA           bool   `json:"fma"`
	F16C          bool   `json:"f16c"`
}

// Memory is system RAM in bytes.
type Memory struct {
	Total     uint64 `json:"total"`
	Available uint64 `json:"available"`
}

// Disk is the file system that holds the data folder.
type Disk struct {
	Path  string `json:"path"`
	Total uint64 `json:"total"`
	Free  uint64 `json:"free"`
}

// GPUs is the result of asking a GPUSource: the devices, or why there are none.
type GPUs struct {
	Source  string `json:"source"` // "nvml", or "fake: ..." in tests and demos
	Devices []GPU  `json:"devices"`
	Driver  Driver `json:"driver"`
	// Unavailable is set when no GPU can be used: the reason, in plain words.
	Unavailable string `json:"unavailable,omitempty"`
}

// GPUSource lists the GPUs. NVML in production, a fixed list in tests.
type GPUSource interface {
	GPUs(ctx context.Context) GPUs
}

// Report is everything Hone knows about the machine at one moment.
type Report struct {
	Time    time.Time    `json:"time"`
	GPUs    []GPU        `json:"gpus"`
	Driver  Driver       `json:"driver"`
	GPUNote string       `json:"gpuNote,omitempty"` // "CPU only: <reason>" when there is no usable GPU
	Source  string       `json:"gpuSource"`
	CPU     CPU          `json:"cpu"`
	Memory  Memory       `json:"memory"`
	Disk    Disk         `json:"disk"`
	Device  DeviceChoice `json:"backend"` // "backend" in JSON: doctor --json and the window read it
}

// CPUOnly reports whether no GPU is usable.
func (r Report) CPUOnly() bool { return len(r.GPUs) == 0 }
