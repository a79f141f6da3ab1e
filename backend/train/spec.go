// Package train runs fine-tuning: a Spec (base model, dataset, method,
// hyperparameters) becomes a run that encodes the data with the model's
// own chat template (backend/train/data), trains on the engine with
// gradient accumulation, clipping, a learning-rate schedule and periodic
// evaluation, writes crash-proof checkpoints from which a resumed run
// continues bit for bit on the same device, stops with a reason and a
// suggestion on out-of-memory, NaN, a changed base model or a full disk, and
// leaves a PEFT adapter with its contract. A run is a job in a child process
// (backend/core registers it); this package knows nothing of jobs beyond a
// progress callback, so tests drive it directly.
package train

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/hone-ai/hone/backend/engine"
)

// Methods: QLoRA on an NF4 base, LoRA on the base as stored (bf16 when its
// weights are 16-bit, f32 otherwise), full fine-tuning of every weight.
const (
	MethodQLoRA = "qlora"
	MethodLoRA  = "lora"
	MethodFull  = "full"
)

// Spec is everything a run is; it is stored with the run, and a checkpoint
// continues only the run whose math it describes (Fingerprint).
type Spec struct {
	Name        string `json:"name"`
	Model       string `json:"model"`       // HF folder, .gguf or llama2.c file
	Dataset     int64  `json:"dataset"`     // the training examples
	EvalDataset int64  `json:"evalDataset"` // held-out examples; 0: none
	Method      string `json:"method"`
	OutDir      string `json:"outDir"` // checkpoints, then the adapter

	Epochs      float64 `json:"epochs"`   // passes over the data
	MaxSteps    int     `json:"maxSteps"` // optimizer steps; 0: from Epochs
	SeqLen      int     `json:"seqLen"`
	MicroBatch  int     `json:"microBatch"` // rows of SeqLen tokens per forward pass
	GradAccum   int     `json:"gradAccum"`  // micro-batches per optimizer step
	LR          float64 `json:"lr"`
	Schedule    string  `json:"schedule"`    // cosine, linear or constant
	WarmupRatio float64 `json:"warmupRatio"` // share of the steps warming up
	WeightDecay float64 `json:"weightDecay"`
	MaxGradNorm float64 `json:"maxGradNorm"` // 0: no clipping
	Seed        uint64  `json:"seed"`

	Rank    int      `json:"rank"`
	Alpha   float64  `json:"alpha"`
	Dropout float64  `json:"dropout"`
	Targets []string `json:"targets,omitempty"` // PEFT names; empty: every linear

	AllTokens bool `json:"allTokens"` // loss on every token, not only the assistant's
	// Now is the time chat templates that print today's date see (Llama
	// 3.x's system prompt): fixed when the run is created, so that a resumed
	// run encodes the same tokens.
	Now     time.Time `json:"now"`
	TooLong string    `json:"tooLong"` // "truncate" or "drop" an example past SeqLen
	// Activation checkpointing: recompute each layer in the backward pass.
	Checkpointing bool `json:"checkpointing"`

	EvalEvery         int     `json:"evalEvery"`         // optimizer steps between evaluations; 0: at the end only (with an evaluation set)
	CheckpointEvery   int     `json:"checkpointEvery"`   // optimizer steps between checkpoints
	CheckpointMinutes float64 `json:"checkpointMinutes"` // and at least this often
	KeepCheckpoints   int     `json:"keepCheckpoints"`
}

// DefaultSpec is the settings a user of Unsloth or Axolotl would expect:
// one epoch, LoRA r=16, alpha 32, dropout 0.05 on every linear, lr 2e-4 with
// a 3% linear warm-up and cosine decay, no weight decay, clipping at 1,
// checkpoints every 100 steps or 10 minutes (the last 3 kept), an
// evaluation every 50 steps. Forms, `hone train`'s flags and settings files
// start from it; the data and the memory estimate then set the sequence
// length and the batch (backend/core).
func DefaultSpec() Spec {
	return Spec{WarmupRatio: 0.03, MaxGradNorm: 1, Dropout: 0.05, EvalEvery: 50}.Defaults()
}

// Defaults fills the zero fields that cannot be zero (a rank, a learning
// rate, a batch...) with DefaultSpec's values. Fields where zero is a
// choice — no warm-up, no weight decay, no clipping, no dropout, an
// evaluation at the end only — are left as they are.
func (s Spec) Defaults() Spec {
	set := func(p *float64, v float64) {
		if *p == 0 {
			*p = v
		}
	}
	seti := func(p *int, v int) {
		if *p == 0 {
			*p = v
		}
	}
	if s.Method == "" {
		s.Method = MethodLoRA
	}
	set(&s.Epochs, 1)
	seti(&s.SeqLen, 512)
	seti(&s.MicroBatch, 4)
	seti(&s.GradAccum, 4)
	set(&s.LR, 2e-4)
	if s.Schedule == "" {
		s.Schedule = "cosine"
	}
	if s.Seed == 0 {
		s.Seed = 42
	}
	seti(&s.Rank, 16)
	set(&s.Alpha, 2*float64(s.Rank))
	if s.TooLong == "" {
		s.TooLong = "truncate"
	}
	seti(&s.CheckpointEvery, 100)
	set(&s.CheckpointMinutes, 10)
	seti(&s.KeepCheckpoints, 3)
	return s
}

// Check names the first field a run cannot start with.
func (s Spec) Check() error {
	bad := func(field, format string, args ...any) error {
		return fmt.Errorf("run setting %q: %s", field, fmt.Sprintf(format, args...))
	}
	finite := func(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
	switch {
	case s.Model == "":
		return bad("model", "name a model folder or file")
	case s.Dataset <= 0:
		return bad("dataset", "name the dataset to train on")
	case s.OutDir == "":
		return bad("outDir", "name a folder for the checkpoints and the adapter")
	case !slices.Contains([]string{MethodQLoRA, MethodLoRA, MethodFull}, s.Method):
		return bad("method", "%q: want qlora, lora or full", s.Method)
	case !(s.Epochs > 0) || !finite(s.Epochs):
		return bad("epochs", "%g: want a positive number", s.Epochs)
	case s.MaxSteps < 0:
		return bad("maxSteps", "%d is negative", s.MaxSteps)
	case s.SeqLen < 8 || s.SeqLen > 1<<20:
		return bad("seqLen", "%d: want 8 to 1048576 tokens", s.SeqLen)
	case s.MicroBatch <= 0 || s.GradAccum <= 0:
		return bad("microBatch", "micro-batch %d × accumulation %d: want positive numbers", s.MicroBatch, s.GradAccum)
	case !(s.LR > 0) || !finite(s.LR):
		return bad("lr", "%g: want a positive number", s.LR)
	case !(s.WarmupRatio >= 0 && s.WarmupRatio < 1):
		return bad("warmupRatio", "%g: want a share in [0, 1)", s.WarmupRatio)
	case !(s.WeightDecay >= 0) || !finite(s.WeightDecay):
		return bad("weightDecay", "%g: want 0 or more", s.WeightDecay)
	case !(s.MaxGradNorm >= 0) || !finite(s.MaxGradNorm):
		return bad("maxGradNorm", "%g: want 0 (off) or more", s.MaxGradNorm)
	case s.Method != MethodFull && (s.Rank <= 0 || !(s.Alpha > 0) || !finite(s.Alpha)):
		return bad("rank", "rank %d, alpha %g: want positive numbers", s.Rank, s.Alpha)
	case !(s.Dropout >= 0 && s.Dropout < 1):
		return bad("dropout", "%g: want a probability in [0, 1)", s.Dropout)
	case s.TooLong != "truncate" && s.TooLong != "drop":
		return bad("tooLong", "%q: want truncate or drop", s.TooLong)
	case s.EvalEvery < 0 || s.CheckpointEvery <= 0 || !(s.CheckpointMinutes > 0) || s.KeepCheckpoints <= 0:
		return bad("checkpointEvery", "evaluate every %d, checkpoint every %d steps or %g minutes, keep %d: want positive numbers",
			s.EvalEvery, s.CheckpointEvery, s.CheckpointMinutes, s.KeepCheckpoints)
	}
	for _, t := range s.Targets {
		if !slices.Contains(engine.LinearNames[:], t) {
			return bad("targets", "%q: want some of %s", t, strings.Join(engine.LinearNames[:], ", "))
		}
	}
	return Schedule{s.Schedule, s.LR, 0, 1}.check()
}

// Fingerprint identifies the run's math: everything that changes what the
// steps compute (not where the output goes, nor how often it is saved or
// evaluated). A checkpoint resumes only the run of the same fingerprint.
func (s Spec) Fingerprint(baseSHA256 string) string {
	f := s
	f.Name, f.OutDir, f.Model = "", "", ""
	f.EvalDataset, f.EvalEvery, f.CheckpointEvery, f.CheckpointMinutes, f.KeepCheckpoints = 0, 0, 0, 0, 0
	js, _ := json.Marshal(struct {
		Spec Spec
		Base string
	}{f, baseSHA256})
	h := sha256.Sum256(js)
	return hex.EncodeToString(h[:])
}
