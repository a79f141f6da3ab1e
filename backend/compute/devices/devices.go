// Package devices lists the compute devices this build carries, so that
// tests run every kernel and model check on each of them (the spirit of
// llama.cpp's test-backend-ops) and the app can pick one. A CUDA device
// joins the list the day it exists; until then the CPU is the only one.
package devices

import (
	"github.com/hone-ai/hone/backend/compute"
	"github.com/hone-ai/hone/backend/compute/cpu"
)

// Available returns the devices usable on this machine, the CPU last: it
// is always there.
func Available() []compute.Device {
	return []compute.Device{cpu.New()}
}
