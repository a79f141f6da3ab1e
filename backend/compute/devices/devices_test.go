package devices

import (
	"testing"

	"github.com/hone-ai/hone/backend/compute/computetest"
)

// TestConformance runs the whole op suite on every device of this build.
func TestConformance(t *testing.T) {
	for _, dev := range Available() {
		t.Run(dev.Name(), func(t *testing.T) { computetest.Run(t, dev) })
	}
}

// BenchmarkOps times every op at a real model's shapes on every device:
// go test -run '^$' -bench Ops ./backend/compute/devices
func BenchmarkOps(b *testing.B) {
	for _, dev := range Available() {
		b.Run(dev.Name(), func(b *testing.B) { computetest.Bench(b, dev) })
	}
}
