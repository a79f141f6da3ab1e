package plan

import (
	"fmt"
	"slices"
	"strings"

	"github.com/hone-ai/hone/backend/model"
)

// Method is how the model is fine-tuned.
type Method string

const (
	Full  Method = "full"
	LoRA  Method = "lora"
	QLoRA Method = "qlora"
)

// Methods lists them, most memory first.
var Methods = []Method{Full, LoRA, QLoRA}

// Optimizer is the optimizer's state format.
type Optimizer string

const (
	AdamW32 Optimizer = "adamw32"
	AdamW8  Optimizer = "adamw8"
)

// Modules are the linear layers LoRA can adapt.
var Modules = []string{"q", "k", "v", "o", "gate", "up", "down"}

// Settings are the choices that decide memory.
type Settings struct {
	Method         Method    `json:"method"`
	SeqLen         int       `json:"seqLen"`
	MicroBatch     int       `json:"microBatch"`
	Rank           int       `json:"rank"`
	Targets        []string  `json:"targets"` // subset of Modules
	Checkpointing  bool      `json:"checkpointing"`
	Optimizer      Optimizer `json:"optimizer"`
	ChunkedLoss    bool      `json:"chunkedLoss"`
	FlashAttention bool      `json:"flashAttention"`
	// UpcastFrozen keeps the embeddings, output head and norms of a QLoRA
	// base in fp32, as transformers' prepare_model_for_kbit_training does.
	// Hone keeps them bf16; the validation table sets it for runs made that way.
	UpcastFrozen bool `json:"upcastFrozen"`
	// CPU estimates Hone's CPU engine instead of a GPU: activations, the
	// LoRA base and every frozen weight but NF4 in f32, the head's loss in
	// chunks of 64 MB, and the process's own baseline (Go runtime, tokenizer,
	// encoded data) in place of a CUDA context; no allocator fragmentation.
	CPU bool `json:"cpu,omitempty"`
}

// HoneDefaults are the settings of Hone's own trainer: chunked loss, tiled
// attention, LoRA r=16 on every linear layer, checkpointing on.
func HoneDefaults(m Method) Settings {
	return Settings{Method: m, SeqLen: 2048, MicroBatch: 1, Rank: 16, Targets: slices.Clone(Modules),
		Checkpointing: true, Optimizer: AdamW32, ChunkedLoss: true, FlashAttention: true}
}

// Validate rejects settings that would make the arithmetic meaningless.
func (s Settings) Validate() error {
	switch s.Method {
	case Full, LoRA, QLoRA:
	default:
		return fmt.Errorf("method %q: want full, lora or qlora", s.Method)
	}
	switch s.Optimizer {
	case AdamW32, AdamW8:
	default:
		return fmt.Errorf("optimizer %q: want adamw32 or adamw8", s.Optimizer)
	}
	if s.SeqLen < 1 || s.SeqLen > 1<<20 {
		return fmt.Errorf("sequence length %d: want 1 to 1048576", s.SeqLen)
	}
	if s.MicroBatch < 1 || s.MicroBatch > 4096 {
		return fmt.Errorf("micro-batch %d: want 1 to 4096", s.MicroBatch)
	}
	if s.Method != Full {
		if s.Rank < 1 || s.Rank > 4096 {
			return fmt.Errorf("LoRA rank %d: want 1 to 4096", s.Rank)
		}
		if len(s.Targets) == 0 {
			return fmt.Errorf("LoRA targets: want at least one of %s", strings.Join(Modules, ", "))
		}
		for _, t := range s.Targets {
			if !slices.Contains(Modules, t) {
				return fmt.Errorf("LoRA target %q: want one of %s", t, strings.Join(Modules, ", "))
			}
		}
	}
	return nil
}

// Line is one part of the memory breakdown.
type Line struct {
	Key   string `json:"key"`
	Label string `json:"label"`
	Bytes int64  `json:"bytes"`
}

// Estimate is the memory a training step needs.
type Estimate struct {
	Settings        Settings `json:"settings"`
	Params          int64    `json:"params"`
	TrainableParams int64    `json:"trainableParams"`
	Lines           []Line   `json:"lines"`
	// Stored activations both ways, whichever Settings.Checkpointing picked.
	ActivationsCheckpointed int64   `json:"activationsCheckpointed"`
	ActivationsFull         int64   `json:"activationsFull"`
	Total                   int64   `json:"total"` // every line at once: an upper bound
	Peak                    int64   `json:"peak"`  // the highest point of a step
	FLOPsPerToken           float64 `json:"flopsPerToken"`
}

// Line returns the bytes of the line with key, 0 if absent.
func (e Estimate) Line(key string) int64 {
	for _, l := range e.Lines {
		if l.Key == key {
			return l.Bytes
		}
	}
	return 0
}

const (
	cudaContext   = 500_000_000
	fragmentation = 0.10
	lossChunk     = 256
	// The CPU engine's loss chunk (backend/engine: 64 MB of logits) and the
	// process around it: Go runtime, tokenizer, the encoded dataset, the
	// backward pass's shared buffers. 100 MB puts the estimates of SmolLM2
	// LoRA and QLoRA, with and without checkpointing, within 0-5% of the
	// peaks a preflight measures (backend/train/estimate_test.go).
	cpuLossBytes  = 1 << 26
	cpuBaseline   = 100_000_000
	nf4BytesParam = 0.5 + 1.0/64 + 4.0/(64*256)
)

// linear is one adaptable weight matrix of a layer.
type linear struct {
	name    string
	in, out int64
}

func layerLinears(c model.Config) []linear {
	h, q, kv, i := int64(c.HiddenSize), int64(c.Heads*c.HeadDim), int64(c.KVHeads*c.HeadDim), int64(c.IntermediateSize)
	return []linear{{"q", h, q}, {"k", h, kv}, {"v", h, kv}, {"o", q, h}, {"gate", h, i}, {"up", h, i}, {"down", i, h}}
}

// Params counts the model's parameters: linear layers, embeddings (and the
// output head when untied) and RMSNorm weights.
func Params(c model.Config) (linearParams, otherParams int64) {
	for _, l := range layerLinears(c) {
		linearParams += l.in * l.out
	}
	linearParams *= int64(c.Layers)
	emb := int64(c.VocabSize) * int64(c.HiddenSize)
	if !c.TiedEmbeddings {
		emb *= 2
	}
	norms := int64(2*c.Layers+1) * int64(c.HiddenSize)
	return linearParams, emb + norms
}

// Estimate computes the memory of one training step of c with s.
func EstimateMemory(c model.Config, s Settings) (Estimate, error) {
	if err := c.Validate(); err != nil {
		return Estimate{}, err
	}
	if err := s.Validate(); err != nil {
		return Estimate{}, err
	}
	linParams, otherParams := Params(c)
	params := linParams + otherParams
	e := Estimate{Settings: s, Params: params}

	h, L := int64(c.HiddenSize), int64(c.Layers)
	B, T := int64(s.MicroBatch), int64(s.SeqLen)
	tokens := B * T

	// act is the bytes of an activation (and of a frozen 16-bit weight on
	// a GPU): bf16 there, f32 in the CPU engine.
	act := int64(2)
	if s.CPU {
		act = 4
	}
	var weights, loraParams int64
	switch s.Method {
	case Full:
		weights = params * 4
		e.TrainableParams = params
	case LoRA:
		weights = params * act
	case QLoRA:
		otherBytes := act
		if s.UpcastFrozen {
			otherBytes = 4
		}
		weights = int64(float64(linParams)*nf4BytesParam) + otherParams*otherBytes
	}
	perTokenLoRA := int64(0)
	if s.Method != Full {
		for _, l := range layerLinears(c) {
			if slices.Contains(s.Targets, l.name) {
				loraParams += int64(s.Rank) * (l.in + l.out)
				perTokenLoRA += int64(s.Rank)
			}
		}
		loraParams *= L
		e.TrainableParams = loraParams
	}
	optBytes := int64(8)
	if s.Optimizer == AdamW8 {
		optBytes = 2
	}

	// Activations kept for backward, bf16 (f32 on the CPU).
	// The MLP keeps 4 F-wide tensors in PyTorch (gate, up, silu(gate) and
	// the product); Hone's engine keeps 3, the SiLU fused into the product.
	mlp := int64(4)
	if s.CPU {
		mlp = 3
	}
	perTokenLayer := 4*h + 2*int64(c.Heads*c.HeadDim) + 2*int64(c.KVHeads*c.HeadDim) + mlp*int64(c.IntermediateSize) + perTokenLoRA
	if !s.FlashAttention {
		perTokenLayer += int64(c.Heads) * T
	}
	oneLayer := tokens * perTokenLayer * act
	e.ActivationsFull = L*oneLayer + tokens*2*h*act // + embedding output and final norm
	e.ActivationsCheckpointed = L*tokens*h*act + tokens*2*h*act
	activations, workspace := e.ActivationsFull, int64(0)
	if s.Checkpointing {
		activations = e.ActivationsCheckpointed
		workspace = 2 * oneLayer
	}
	if s.Method == QLoRA && !s.CPU { // the CPU engine dequantises a cache-sized block at a time
		var largest int64
		for _, l := range layerLinears(c) {
			largest = max(largest, l.in*l.out)
		}
		workspace += largest * 2 // one weight at a time, dequantised to bf16
	}
	if !s.FlashAttention {
		workspace += B * int64(c.Heads) * T * T * 4
	}

	V := int64(c.VocabSize)
	logits := tokens * V * 14
	switch {
	case s.CPU:
		logits = min(tokens, max(1, cpuLossBytes/(4*V))) * V * 4
	case s.ChunkedLoss:
		logits = min(tokens, lossChunk) * V * 4 // fp32, gradient written in place
	}

	trainable := e.TrainableParams
	grads := trainable * 4
	opt := trainable * optBytes
	transient := activations + max(logits, workspace)
	overhead := int64(cudaContext + fragmentation*float64(transient))
	if s.CPU {
		overhead = cpuBaseline
	}

	e.Lines = []Line{
		{"weights", "Base weights", weights},
		{"lora", "LoRA adapters", loraParams * 4},
		{"gradients", "Gradients", grads},
		{"optimizer", "Optimizer states", opt},
		{"activations", "Activations", activations},
		{"logits", "Logits and loss", logits},
		{"workspace", "Attention and recompute workspace", workspace},
		{"overhead", overheadLabel(s), overhead},
	}
	for _, l := range e.Lines {
		e.Total += l.Bytes
	}
	e.Peak = weights + loraParams*4 + grads + opt + activations + max(logits, workspace) + overhead

	// FLOPs per trained token.
	f := 4.0
	if s.Method == Full {
		f = 6
	}
	if s.Checkpointing {
		f += 2
	}
	e.FLOPsPerToken = f*float64(params) + 6*float64(L*T*int64(c.Heads*c.HeadDim))
	return e, nil
}

// overheadLabel names the memory around the tensors: CUDA's on a GPU, the
// process's own on the CPU.
func overheadLabel(s Settings) string {
	if s.CPU {
		return "Process baseline (runtime, tokenizer, data)"
	}
	return "CUDA context and allocator"
}
