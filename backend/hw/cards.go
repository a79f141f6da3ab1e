package hw

import (
	"sort"
	"strings"
)

// Card is a GPU model as sold: what planning needs to know about a card the
// user does not have in the machine, and what fake GPUs are made of.
type Card struct {
	Key          string  `json:"key"`  // short name: "rtx4090"
	Name         string  `json:"name"` // as NVML reports it
	Memory       uint64  `json:"memory"`
	ComputeMajor int     `json:"computeMajor"`
	ComputeMinor int     `json:"computeMinor"`
	PowerWatts   float64 `json:"powerWatts"` // board power limit
	// BF16TFLOPS is dense BF16 tensor throughput with FP32 accumulation,
	// from NVIDIA's datasheets and architecture whitepapers.
	BF16TFLOPS float64 `json:"bf16Tflops"`
}

const mib = 1 << 20

// cards are common cards with their real VRAM (as NVML reports it).
var cards = []Card{
	{"gtx1080", "NVIDIA GeForce GTX 1080", 8192 * mib, 6, 1, 180, 0},
	{"rtx3060", "NVIDIA GeForce RTX 3060", 12288 * mib, 8, 6, 170, 25.6},
	{"rtx3090", "NVIDIA GeForce RTX 3090", 24576 * mib, 8, 6, 350, 71},
	{"rtx4090", "NVIDIA GeForce RTX 4090", 24564 * mib, 8, 9, 450, 165.2},
	{"rtx5090", "NVIDIA GeForce RTX 5090", 32607 * mib, 12, 0, 575, 209.5},
	{"a6000", "NVIDIA RTX A6000", 49140 * mib, 8, 6, 300, 154.8},
	{"l40s", "NVIDIA L40S", 46068 * mib, 8, 9, 350, 362},
	{"a100-40", "NVIDIA A100-SXM4-40GB", 40960 * mib, 8, 0, 400, 312},
	{"a100-80", "NVIDIA A100-SXM4-80GB", 81920 * mib, 8, 0, 400, 312},
	{"h100", "NVIDIA H100 80GB HBM3", 81559 * mib, 9, 0, 700, 989},
	{"h200", "NVIDIA H200", 143771 * mib, 9, 0, 700, 989},
}

// Cards lists the known cards, smallest memory first.
func Cards() []Card {
	out := append([]Card(nil), cards...)
	sort.SliceStable(out, func(i, j int) bool { return out[i].Memory < out[j].Memory })
	return out
}

// CardByKey finds a card by its key ("rtx4090"), case-insensitively.
func CardByKey(key string) (Card, bool) {
	for _, c := range cards {
		if strings.EqualFold(c.Key, key) {
			return c, true
		}
	}
	return Card{}, false
}

// CardKeys lists the keys, for messages.
func CardKeys() []string {
	keys := make([]string, len(cards))
	for i, c := range cards {
		keys[i] = c.Key
	}
	return keys
}
