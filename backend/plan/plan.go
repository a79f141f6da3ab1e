package plan

import (
	"fmt"
	"os"
	"strings"

	"github.com/hone-ai/hone/backend/hw"
	"github.com/hone-ai/hone/backend/model"
)

// Request is what the Plan screen and `hone plan` ask.
type Request struct {
	// Model is a catalogue key or name ("llama-3.1-8b"), a Hugging Face model
	// folder or config.json, or a .gguf file.
	Model string `json:"model"`
	// GPU is "" for the detected GPU with the most free memory, "gpu:N" for
	// detected GPU N, or a card key ("rtx4090") to plan for a card you do not have.
	GPU    string      `json:"gpu"`
	Tokens *TokenStats `json:"tokens,omitempty"`
	// What-if overrides of the recommended settings; zero keeps the recommendation.
	SeqLen        int       `json:"seqLen"`
	MicroBatch    int       `json:"microBatch"`
	Rank          int       `json:"rank"`
	Targets       []string  `json:"targets,omitempty"` // LoRA target modules, a subset of Modules
	Checkpointing *bool     `json:"checkpointing,omitempty"`
	Optimizer     Optimizer `json:"optimizer"`
	// Cost inputs; zero fields take DefaultCostInput's.
	Cost CostInput `json:"cost"`
}

// ModelInfo is the model a plan is for.
type ModelInfo struct {
	Name   string       `json:"name"`
	Source string       `json:"source"` // "catalogue" or the path
	Config model.Config `json:"config"`
	Params int64        `json:"params"`
}

// Result is a whole plan: the recommendation, the methods side by side at
// the chosen settings, and the cost.
type Result struct {
	Model          ModelInfo      `json:"model"`
	Target         Target         `json:"target"`
	Recommendation Recommendation `json:"recommendation"`
	Settings       Settings       `json:"settings"` // the recommendation with the what-if overrides
	Comparison     []Option       `json:"comparison"`
	Cost           *Cost          `json:"cost,omitempty"`
	CostError      string         `json:"costError,omitempty"`
}

// ResolveModel finds a model's config: a path on disk, else the catalogue.
func ResolveModel(name string) (ModelInfo, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return ModelInfo{}, fmt.Errorf("no model given: name a catalogue model (hone plan --list) or a model folder or .gguf file")
	}
	var info ModelInfo
	if _, err := os.Stat(name); err == nil {
		cfg, err := model.Load(name)
		if err != nil {
			return ModelInfo{}, err
		}
		info = ModelInfo{Name: cfg.Name, Source: name, Config: cfg}
	} else {
		m, ok, err := FindCatalogue(name)
		if err != nil {
			return ModelInfo{}, err
		}
		if !ok {
			return ModelInfo{}, fmt.Errorf("model %q: no such file or folder, and not in the catalogue (hone plan --list)", name)
		}
		info = ModelInfo{Name: m.Name, Source: "catalogue", Config: m.Config}
	}
	if err := info.Config.Validate(); err != nil {
		return ModelInfo{}, err
	}
	lin, other := Params(info.Config)
	info.Params = lin + other
	return info, nil
}

// ResolveTarget picks the GPU to plan for.
func ResolveTarget(gpu string, gpus []hw.GPU) (Target, error) {
	switch {
	case gpu == "":
		if len(gpus) == 0 {
			return Target{}, fmt.Errorf("no GPU in this machine: pick a card to plan for (--gpu %s)", strings.Join(cardKeys(), ", "))
		}
		best := gpus[0]
		for _, g := range gpus[1:] {
			if g.MemoryFree > best.MemoryFree {
				best = g
			}
		}
		return TargetFromGPU(best), nil
	case strings.HasPrefix(gpu, "gpu:"):
		for _, g := range gpus {
			if fmt.Sprintf("gpu:%d", g.Index) == gpu {
				return TargetFromGPU(g), nil
			}
		}
		return Target{}, fmt.Errorf("GPU %q: this machine has %d GPUs", gpu, len(gpus))
	}
	for _, c := range CardChoices() {
		if strings.EqualFold(c.Key, gpu) {
			return TargetFromCard(c), nil
		}
	}
	return Target{}, fmt.Errorf("GPU %q: want gpu:N for a GPU in this machine or one of %s", gpu, strings.Join(cardKeys(), ", "))
}

// Plan answers a request for the GPUs of this machine with these prices.
func Plan(req Request, gpus []hw.GPU, p Prices) (Result, error) {
	info, err := ResolveModel(req.Model)
	if err != nil {
		return Result{}, err
	}
	t, err := ResolveTarget(req.GPU, gpus)
	if err != nil {
		return Result{}, err
	}
	if req.Tokens != nil {
		if err := req.Tokens.validate(); err != nil {
			return Result{}, err
		}
	}
	rec, err := Recommend(info.Config, t, req.Tokens, p)
	if err != nil {
		return Result{}, err
	}
	res := Result{Model: info, Target: t, Recommendation: rec, Settings: rec.Settings}
	s := &res.Settings
	s.Targets = append([]string(nil), rec.Settings.Targets...)
	if req.SeqLen != 0 {
		s.SeqLen = req.SeqLen
	}
	if req.MicroBatch != 0 {
		s.MicroBatch = req.MicroBatch
	}
	if req.Rank != 0 {
		s.Rank = req.Rank
	}
	if len(req.Targets) > 0 {
		s.Targets = append([]string(nil), req.Targets...)
	}
	if req.Checkpointing != nil {
		s.Checkpointing = *req.Checkpointing
	}
	if req.Optimizer != "" {
		s.Optimizer = req.Optimizer
	}
	usable := int64(float64(t.Free) * safety)
	for _, m := range Methods {
		ms := *s
		ms.Method = m
		e, err := EstimateMemory(info.Config, ms)
		if err != nil {
			return Result{}, err
		}
		res.Comparison = append(res.Comparison, Option{Method: m, Estimate: e, Fits: e.Peak <= usable,
			Comfortable: float64(e.Peak) <= comfortable*float64(t.Free)})
	}

	in := withCostDefaults(req.Cost)
	in.Card, in.Local = t.Card, t.Local
	in.Estimate = rec.Estimate
	if rec.Cloud != nil {
		in.Card, in.Local = rec.Cloud.Card, false
	}
	if c, err := EstimateCost(in, p); err != nil {
		res.CostError = err.Error()
	} else {
		res.Cost = &c
	}
	return res, nil
}

func cardKeys() []string {
	var keys []string
	for _, c := range CardChoices() {
		keys = append(keys, c.Key)
	}
	return keys
}

func withCostDefaults(in CostInput) CostInput {
	d := DefaultCostInput()
	if in.Examples == 0 {
		in.Examples = d.Examples
	}
	if in.TokensPerExample == 0 {
		in.TokensPerExample = d.TokensPerExample
	}
	if in.Epochs == 0 {
		in.Epochs = d.Epochs
	}
	if in.CheckpointMinutes == 0 {
		in.CheckpointMinutes = d.CheckpointMinutes
	}
	if in.UseCases == 0 {
		in.UseCases = d.UseCases
	}
	return in
}

func (s TokenStats) validate() error {
	if s.Count < 0 || s.P50 < 0 || s.P50 > s.P95 || s.P95 > s.P99 || s.P99 > s.Max || s.Max > 1<<24 {
		return fmt.Errorf("token statistics %+v: want 0 ≤ p50 ≤ p95 ≤ p99 ≤ max ≤ 16M", s)
	}
	return nil
}
