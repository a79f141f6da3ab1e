package data

import (
	"math/bits"
	"math/rand/v2"
)

// Order is the order in which an epoch visits n sequences: a permutation of
// 0..n-1 drawn from seed and epoch alone, so the same inputs give the same
// order on every machine and every run, and each epoch its own order. The
// shuffle is Fisher–Yates over PCG-DXSM with a bounded draw written here,
// so that it does not change with the standard library's Shuffle.
func Order(n int, seed uint64, epoch int) []int {
	r := rand.NewPCG(seed, 0x9e3779b97f4a7c15^uint64(epoch))
	p := make([]int, n)
	for i := range p {
		p[i] = i
	}
	for i := n - 1; i > 0; i-- {
		j := int(below(r, uint64(i+1)))
		p[i], p[j] = p[j], p[i]
	}
	return p
}

// below draws uniformly from [0, n) by Lemire's multiply-and-reject.
func below(r *rand.PCG, n uint64) uint64 {
	for {
		hi, lo := bits.Mul64(r.Uint64(), n)
		if lo >= n || lo >= -n%n {
			return hi
		}
	}
}
