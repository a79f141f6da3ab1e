package dataset

import (
	"hash/fnv"
	"math/rand/v2"
)

// Near-duplicates by MinHash over character 5-grams of the normalised text,
// with locality-sensitive hashing: 16 bands of 8 hashes make pairs above a
// Jaccard similarity of about 0.7 likely candidates; a candidate counts when
// its signatures agree on at least 80% of the hashes.
const (
	shingle     = 5
	bands       = 16
	bandRows    = 8
	numHashes   = bands * bandRows
	nearJaccard = 0.8
)

type minhasher struct{ a, b [numHashes]uint64 }

// newMinhasher draws the hash family from a fixed seed: reports are repeatable.
func newMinhasher() *minhasher {
	r := rand.New(rand.NewPCG(1, 2))
	m := &minhasher{}
	for i := range numHashes {
		m.a[i] = r.Uint64() | 1
		m.b[i] = r.Uint64()
	}
	return m
}

// signature of a normalised text; texts shorter than a shingle are one shingle.
func (m *minhasher) signature(text []byte) [numHashes]uint32 {
	var sig [numHashes]uint32
	for i := range sig {
		sig[i] = ^uint32(0)
	}
	add := func(s []byte) {
		h := fnv.New64a()
		h.Write(s)
		x := h.Sum64()
		for i := range numHashes {
			if v := uint32((m.a[i]*x + m.b[i]) >> 32); v < sig[i] {
				sig[i] = v
			}
		}
	}
	if len(text) <= shingle {
		add(text)
		return sig
	}
	for i := 0; i+shingle <= len(text); i++ {
		add(text[i : i+shingle])
	}
	return sig
}

func agreement(a, b *[numHashes]uint32) float64 {
	same := 0
	for i := range a {
		if a[i] == b[i] {
			same++
		}
	}
	return float64(same) / numHashes
}

// nearGroups returns groups (indexes into sigs) of near-duplicate texts.
func nearGroups(sigs [][numHashes]uint32) [][]int {
	parent := make([]int, len(sigs))
	for i := range parent {
		parent[i] = i
	}
	var find func(int) int
	find = func(i int) int {
		for parent[i] != i {
			parent[i] = parent[parent[i]]
			i = parent[i]
		}
		return i
	}
	for b := range bands {
		buckets := map[uint64][]int{}
		for i := range sigs {
			h := fnv.New64a()
			for _, v := range sigs[i][b*bandRows : (b+1)*bandRows] {
				h.Write([]byte{byte(v), byte(v >> 8), byte(v >> 16), byte(v >> 24)})
			}
			k := h.Sum64()
			// Compare with the latest few only: a crowded bucket of short
			// texts must not make this quadratic.
			bucket := buckets[k]
			for _, j := range bucket[max(0, len(bucket)-32):] {
				if find(i) != find(j) && agreement(&sigs[i], &sigs[j]) >= nearJaccard {
					parent[find(i)] = find(j)
					break
				}
			}
			buckets[k] = append(buckets[k], i)
		}
	}
	byRoot := map[int][]int{}
	for i := range sigs {
		byRoot[find(i)] = append(byRoot[find(i)], i)
	}
	var groups [][]int
	for i := range sigs { // in first-seen order, for stable reports
		if g := byRoot[find(i)]; len(g) > 1 && g[0] == i {
			groups = append(groups, g)
		}
	}
	return groups
}
