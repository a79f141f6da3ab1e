package engine

import "testing"

// BenchmarkDecode reports stories260K's greedy decoding speed from BOS.
func BenchmarkDecode(b *testing.B) {
	m, tok := stories260K(b)
	const n = 200
	for b.Loop() {
		if _, err := m.Greedy([]int{tok.BOS()}, n, -1); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(n*float64(b.N)/b.Elapsed().Seconds(), "tokens/s")
}
