package plan

import (
	"math"
	"slices"
	"testing"

	"github.com/hone-ai/hone/backend/model"
)

func catalogueConfig(t testing.TB, key string) model.Config {
	t.Helper()
	m, ok, err := FindCatalogue(key)
	if err != nil || !ok {
		t.Fatalf("catalogue %q: %v", key, err)
	}
	return m.Config
}

// hfSettings are the settings of the published runs (transformers + PEFT):
// logits materialised, flash attention on, a QLoRA base's other weights in fp32.
func hfSettings(m Method, seq, rank int, targets []string, ckpt bool, opt Optimizer) Settings {
	return Settings{Method: m, SeqLen: seq, MicroBatch: 1, Rank: rank, Targets: targets, Checkpointing: ckpt,
		Optimizer: opt, ChunkedLoss: false, FlashAttention: true, UpcastFrozen: m == QLoRA}
}

var qv = []string{"q", "v"}

// Published peak memory of real runs (GiB); the estimate must be within ±15%.
func TestValidationTable(t *testing.T) {
	// Published figures are read off nvidia-smi or PyTorch: GiB.
	const GB = 1 << 30
	tests := []struct {
		name   string
		model  string
		s      Settings
		wantGB float64
		source string
	}{
		// 16 bytes/param plus activations: "100–120 GB" (HF efficient-training guide; ZeRO paper).
		{"full 7B", "llama-2-7b", hfSettings(Full, 512, 0, nil, true, AdamW32), 110, "HF single-GPU guide"},
		// QLoRA, Llama-2-7B, r=8, batch 1, flash attention (QLoRA/Unsloth measurements).
		{"QLoRA 7B 1K", "llama-2-7b", hfSettings(QLoRA, 1024, 8, Modules, true, AdamW32), 6, "QLoRA, flash attention"},
		{"QLoRA 7B 2K", "llama-2-7b", hfSettings(QLoRA, 2048, 8, Modules, true, AdamW32), 7, "QLoRA, flash attention"},
		{"QLoRA 7B 4K", "llama-2-7b", hfSettings(QLoRA, 4096, 8, Modules, true, AdamW32), 9, "QLoRA, flash attention"},
		{"QLoRA 7B 8K", "llama-2-7b", hfSettings(QLoRA, 8192, 8, Modules, true, AdamW32), 12, "QLoRA, flash attention"},
		// LoRA on a bf16 7B base at short context: "16–19 GB".
		{"LoRA 7B short", "llama-2-7b", hfSettings(LoRA, 512, 8, qv, false, AdamW32), 17.5, "PEFT LoRA, 512 tokens"},
		// The smallest QLoRA of an 8B model: about 6 GB (Unsloth's minimum for Llama 3.1 8B).
		{"QLoRA 8B minimum", "llama-3.1-8b", Settings{Method: QLoRA, SeqLen: 512, MicroBatch: 1, Rank: 8, Targets: qv,
			Checkpointing: true, Optimizer: AdamW8, ChunkedLoss: true, FlashAttention: true}, 6, "Unsloth"},
		// QLoRA of a 70B model: about 41 GB (Unsloth: Llama 3.1 70B in a 48 GB card).
		{"QLoRA 70B", "llama-3.1-70b", Settings{Method: QLoRA, SeqLen: 512, MicroBatch: 1, Rank: 8, Targets: qv,
			Checkpointing: true, Optimizer: AdamW8, ChunkedLoss: true, FlashAttention: true}, 41, "Unsloth"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := EstimateMemory(catalogueConfig(t, tt.model), tt.s)
			if err != nil {
				t.Fatal(err)
			}
			got := float64(e.Peak) / GB
			if math.Abs(got-tt.wantGB)/tt.wantGB > 0.15 {
				t.Errorf("peak %.2f GiB, published %.1f GiB (%s): off by %+.0f%%", got, tt.wantGB, tt.source, (got/tt.wantGB-1)*100)
			}
			t.Logf("peak %.2f GiB vs %.1f GiB published (%+.0f%%)", got, tt.wantGB, (got/tt.wantGB-1)*100)
		})
	}
}

func TestParamsMatchPublishedSizes(t *testing.T) {
	tests := map[string]float64{ // billions, from the model cards
		"smollm2-135m": 0.135, "smollm2-360m": 0.362, "smollm2-1.7b": 1.71, "qwen2.5-0.5b": 0.494, "qwen2.5-1.5b": 1.54,
		"qwen2.5-7b": 7.62, "qwen2.5-14b": 14.7, "qwen2.5-32b": 32.5, "qwen3-8b": 8.19, "llama-3.2-1b": 1.24,
		"llama-3.2-3b": 3.21, "llama-3.1-8b": 8.03, "llama-3.1-70b": 70.6, "llama-2-7b": 6.74, "llama-2-13b": 13.0,
		"mistral-7b-v0.3": 7.25, "gemma-2-9b": 9.24,
	}
	for key, want := range tests {
		lin, other := Params(catalogueConfig(t, key))
		got := float64(lin+other) / 1e9
		if math.Abs(got-want)/want > 0.02 {
			t.Errorf("%s: %.3fB parameters, model card says %.3fB", key, got, want)
		}
	}
}

// Memory grows with sequence length, batch and rank, and QLoRA < LoRA < full,
// for every catalogue model.
func TestEstimateProperties(t *testing.T) {
	models, err := Catalogue()
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range models {
		for _, method := range Methods {
			base := HoneDefaults(method)
			peak := func(mut func(*Settings)) int64 {
				s := base
				s.Targets = slices.Clone(base.Targets)
				mut(&s)
				e, err := EstimateMemory(m.Config, s)
				if err != nil {
					t.Fatalf("%s %s: %v", m.Key, method, err)
				}
				return e.Peak
			}
			p0 := peak(func(*Settings) {})
			if p := peak(func(s *Settings) { s.SeqLen *= 2 }); p <= p0 {
				t.Errorf("%s %s: doubling the sequence does not grow the peak", m.Key, method)
			}
			if p := peak(func(s *Settings) { s.MicroBatch *= 2 }); p <= p0 {
				t.Errorf("%s %s: doubling the batch does not grow the peak", m.Key, method)
			}
			if p := peak(func(s *Settings) { s.Checkpointing = false }); p <= p0 {
				t.Errorf("%s %s: checkpointing does not save memory", m.Key, method)
			}
			if method != Full {
				if p := peak(func(s *Settings) { s.Rank *= 2 }); p <= p0 {
					t.Errorf("%s %s: doubling the rank does not grow the peak", m.Key, method)
				}
			}
		}
		var peaks []int64
		for _, method := range Methods {
			e, _ := EstimateMemory(m.Config, HoneDefaults(method))
			peaks = append(peaks, e.Peak)
		}
		if !(peaks[0] > peaks[1] && peaks[1] > peaks[2]) {
			t.Errorf("%s: want full > LoRA > QLoRA, got %v", m.Key, peaks)
		}
	}
}

func TestEstimateRejectsBadInput(t *testing.T) {
	good := catalogueConfig(t, "llama-3.1-8b")
	bad := good
	bad.Layers = 0
	tests := []struct {
		name string
		c    model.Config
		mut  func(*Settings)
	}{
		{"negative sequence", good, func(s *Settings) { s.SeqLen = -5 }},
		{"absurd sequence", good, func(s *Settings) { s.SeqLen = 1 << 40 }},
		{"zero batch", good, func(s *Settings) { s.MicroBatch = 0 }},
		{"zero rank", good, func(s *Settings) { s.Rank = 0 }},
		{"unknown target", good, func(s *Settings) { s.Targets = []string{"qkv_proj"} }},
		{"unknown method", good, func(s *Settings) { s.Method = "dora" }},
		{"unknown optimizer", good, func(s *Settings) { s.Optimizer = "sgd" }},
		{"zero layers", bad, func(*Settings) {}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := HoneDefaults(QLoRA)
			tt.mut(&s)
			if e, err := EstimateMemory(tt.c, s); err == nil {
				t.Fatalf("no error; estimate %+v", e)
			}
		})
	}
}

// The whole catalogue, every method: the UI recomputes this on every change.
func BenchmarkEstimateCatalogue(b *testing.B) {
	models, _ := Catalogue()
	for b.Loop() {
		for _, m := range models {
			for _, method := range Methods {
				if _, err := EstimateMemory(m.Config, HoneDefaults(method)); err != nil {
					b.Fatal(err)
				}
			}
		}
	}
}
