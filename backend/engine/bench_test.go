package engine

import (
	"testing"

	"github.com/hone-ai/hone/backend/compute/cpu"
)

// BenchmarkDecode reports stories260K's greedy decoding speed from BOS.
func BenchmarkDecode(b *testing.B) {
	m, tok := stories260K(b, cpu.New())
	const n = 200
	for b.Loop() {
		if _, err := m.Greedy([]int{tok.BOS()}, n, -1); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(n*float64(b.N)/b.Elapsed().Seconds(), "tokens/s")
}
