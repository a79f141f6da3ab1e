package plan

import (
	"fmt"
	"math"
	"slices"
	"sort"

	"github.com/hone-ai/hone/backend/hw"
	"github.com/hone-ai/hone/backend/model"
)

// Target is the GPU a plan is for: one in this machine, or a card picked
// from the list.
type Target struct {
	Card     hw.Card `json:"card"`
	Free     int64   `json:"free"` // bytes Hone may use now
	InUse    int64   `json:"inUse"`
	Local    bool    `json:"local"`
	GPUIndex int     `json:"gpuIndex"` // -1 for a picked card
}

// TargetFromGPU plans for a detected GPU, taking throughput from the card
// list when the model is known.
func TargetFromGPU(g hw.GPU) Target {
	card := hw.Card{Key: "", Name: g.Name, Memory: g.MemoryTotal, ComputeMajor: g.ComputeMajor,
		ComputeMinor: g.ComputeMinor, PowerWatts: g.PowerLimitWatts}
	for _, c := range hw.Cards() {
		if c.Name == g.Name {
			card = c
			card.Memory = g.MemoryTotal
			break
		}
	}
	return Target{Card: card, Free: int64(g.MemoryFree), InUse: int64(g.MemoryUsed), Local: true, GPUIndex: g.Index}
}

// TargetFromCard plans for a whole, idle card.
func TargetFromCard(c hw.Card) Target {
	return Target{Card: c, Free: int64(c.Memory), GPUIndex: -1}
}

// TokenStats describes a dataset's lengths in tokens of the chosen model.
type TokenStats struct {
	Count int `json:"count"`
	P50   int `json:"p50"`
	P95   int `json:"p95"`
	P99   int `json:"p99"`
	Max   int `json:"max"`
}

// Option is one method at the recommended settings.
type Option struct {
	Method      Method   `json:"method"`
	Estimate    Estimate `json:"estimate"`
	Fits        bool     `json:"fits"`
	Comfortable bool     `json:"comfortable"`
}

// CloudPick is the cheapest rented GPU that fits, when nothing fits here.
type CloudPick struct {
	Card         hw.Card  `json:"card"`
	PricePerHour float64  `json:"pricePerHour"`
	RunCost      float64  `json:"runCost"` // on-demand, for the default cost input
	Estimate     Estimate `json:"estimate"`
}

// Recommendation is what Hone suggests, and why.
type Recommendation struct {
	Settings    Settings   `json:"settings"`
	Estimate    Estimate   `json:"estimate"`
	GradAccum   int        `json:"gradAccum"`
	Epochs      float64    `json:"epochs"`
	FitsLocally bool       `json:"fitsLocally"`
	Reasons     []string   `json:"reasons"`
	Methods     []Option   `json:"methods"`
	Cloud       *CloudPick `json:"cloud,omitempty"`
}

const (
	// Plans keep 10% of free memory spare; a method is comfortable below 70%.
	safety      = 0.90
	comfortable = 0.70
	// Sequences per optimizer step, a common default for small datasets.
	effectiveBatch = 16
)

// gb prints bytes in GiB, the unit nvidia-smi and PyTorch report.
func gb(b int64) string { return hw.FormatBytes(uint64(max(b, 0))) }

// Recommend picks the method and settings for c on t.
func Recommend(c model.Config, t Target, stats *TokenStats, p Prices) (Recommendation, error) {
	if err := c.Validate(); err != nil {
		return Recommendation{}, err
	}
	if t.Free <= 0 {
		return Recommendation{}, fmt.Errorf("%s has no free memory", t.Card.Name)
	}
	r := Recommendation{Epochs: 1}
	usable := int64(float64(t.Free) * safety)
	seq := 2048
	if stats != nil && stats.Count > 0 {
		seq = roundUp(stats.P99, 256)
	}
	if c.MaxPositions > 0 {
		seq = min(seq, c.MaxPositions)
	}
	seq = min(max(seq, 128), 1<<20)

	estimate := func(m Method, seq, rank, batch int, ckpt bool) Estimate {
		s := HoneDefaults(m)
		s.SeqLen, s.Rank, s.MicroBatch, s.Checkpointing = seq, rank, batch, ckpt
		e, err := EstimateMemory(c, s)
		if err != nil { // settings built here are always valid
			panic(err)
		}
		return e
	}

	lora := estimate(LoRA, seq, 16, 1, true)
	qlora := estimate(QLoRA, seq, 16, 1, true)
	full := estimate(Full, seq, 16, 1, true)
	have := fmt.Sprintf("%s free", gb(t.Free))
	if t.InUse > 0 {
		have = fmt.Sprintf("%s, but %s are in use", gb(t.Free+t.InUse), gb(t.InUse))
	}
	method, rank, wantSeq := QLoRA, 16, seq
	switch {
	case float64(lora.Peak) <= comfortable*float64(t.Free):
		method = LoRA
		r.Reasons = append(r.Reasons, fmt.Sprintf("LoRA on a bf16 base: it needs %s of the %s, with room to spare; QLoRA would save memory at some cost in speed and quality.", gb(lora.Peak), have))
	case qlora.Peak <= usable:
		r.Reasons = append(r.Reasons, fmt.Sprintf("QLoRA: LoRA on this model needs %s, you have %s; that leaves too little headroom (Hone keeps 30%%), and QLoRA needs %s.", gb(lora.Peak), have, gb(qlora.Peak)))
	default:
		// Shrink until QLoRA fits: rank, then sequence length.
		for ; rank > 8 && estimate(QLoRA, seq, rank, 1, true).Peak > usable; rank /= 2 {
		}
		for ; seq > 512 && estimate(QLoRA, seq, rank, 1, true).Peak > usable; seq /= 2 {
		}
		if estimate(QLoRA, seq, rank, 1, true).Peak <= usable {
			r.Reasons = append(r.Reasons, fmt.Sprintf("QLoRA at rank %d and %d tokens: that is what fits in %s (at %d tokens and rank 16 it needs %s).", rank, seq, have, wantSeq, gb(qlora.Peak)))
		}
	}
	if float64(full.Peak) <= comfortable*float64(t.Free) {
		r.Reasons = append(r.Reasons, fmt.Sprintf("Full fine-tuning would also fit (%s): worth a try for a model this small when you have many examples.", gb(full.Peak)))
	}

	// Checkpointing off when a useful batch fits without it; then the
	// largest micro-batch that stays comfortable, or batch 1 if it only fits.
	best := func(ckpt bool) (int, Estimate) {
		for b := effectiveBatch; b > 1; b /= 2 {
			if e := estimate(method, seq, rank, b, ckpt); float64(e.Peak) <= comfortable*float64(t.Free) {
				return b, e
			}
		}
		if e := estimate(method, seq, rank, 1, ckpt); e.Peak <= usable {
			return 1, e
		}
		return 0, Estimate{}
	}
	bOff, eOff := best(false)
	bOn, eOn := best(true)
	switch {
	case bOff >= 4 || (bOff > 0 && bOff >= bOn):
		r.Settings, r.Estimate = eOff.Settings, eOff
		r.Reasons = append(r.Reasons, "Gradient checkpointing off: the activations fit, so nothing is computed twice.")
	case bOn > 0:
		r.Settings, r.Estimate = eOn.Settings, eOn
		r.Reasons = append(r.Reasons, fmt.Sprintf("Gradient checkpointing on: it keeps %s of activations instead of %s.",
			gb(eOn.ActivationsCheckpointed), gb(eOn.ActivationsFull)))
	default:
		// Nothing fits here: plan the wanted settings on a rented GPU.
		r.Settings, r.Estimate = qlora.Settings, qlora
		smallest := estimate(QLoRA, seq, rank, 1, true)
		pick, err := cheapestCloud(c, qlora.Settings, p)
		if err != nil {
			r.Reasons = append(r.Reasons, fmt.Sprintf("Nothing fits on %s (%s): even QLoRA at rank %d and %d tokens needs %s, and no cloud GPU in prices.json fits either.",
				t.Card.Name, have, rank, seq, gb(smallest.Peak)))
			break
		}
		r.Cloud = &pick
		r.Settings, r.Estimate = pick.Estimate.Settings, pick.Estimate
		r.Reasons = append(r.Reasons, fmt.Sprintf("Nothing fits on %s (%s): even QLoRA at rank %d and %d tokens needs %s. The cheapest cloud GPU that fits is the %s at $%.2f/h (about $%.2f for a default run, on demand).",
			t.Card.Name, have, rank, seq, gb(smallest.Peak), pick.Card.Name, pick.PricePerHour, pick.RunCost))
	}
	r.FitsLocally = r.Cloud == nil && r.Estimate.Peak <= usable
	if r.FitsLocally || r.Cloud != nil {
		r.GradAccum = int(math.Ceil(float64(effectiveBatch) / float64(r.Settings.MicroBatch)))
		r.Reasons = append(r.Reasons, fmt.Sprintf("Micro-batch %d × gradient accumulation %d = %d sequences per step.",
			r.Settings.MicroBatch, r.GradAccum, r.Settings.MicroBatch*r.GradAccum))
	}
	if stats != nil && stats.Count > 0 {
		switch {
		case r.Settings.SeqLen >= stats.Max:
			r.Reasons = append(r.Reasons, fmt.Sprintf("Sequence length %d holds every one of your %d examples (longest %d tokens).",
				r.Settings.SeqLen, stats.Count, stats.Max))
		case r.Settings.SeqLen >= stats.P99:
			r.Reasons = append(r.Reasons, fmt.Sprintf("Sequence length %d holds at least 99%% of your %d examples; the longest (%d tokens) will be truncated.",
				r.Settings.SeqLen, stats.Count, stats.Max))
		default:
			r.Reasons = append(r.Reasons, fmt.Sprintf("Sequence length %d is all that fits: more than 1%% of your examples are longer (99th percentile %d tokens) and will be truncated.",
				r.Settings.SeqLen, stats.P99))
		}
	}
	r.Reasons = append(r.Reasons, "One epoch: on a few thousand examples more epochs mostly memorise; evaluate before adding more.")

	for _, m := range Methods {
		e := estimate(m, r.Settings.SeqLen, r.Settings.Rank, r.Settings.MicroBatch, r.Settings.Checkpointing)
		r.Methods = append(r.Methods, Option{Method: m, Estimate: e, Fits: e.Peak <= usable,
			Comfortable: float64(e.Peak) <= comfortable*float64(t.Free)})
	}

	return r, nil
}

// cheapestCloud finds the rentable card with the cheapest default training
// run that fits QLoRA (or LoRA, when that fits comfortably there).
func cheapestCloud(c model.Config, s Settings, p Prices) (CloudPick, error) {
	var picks []CloudPick
	for _, card := range hw.Cards() {
		price, ok := p.CloudPerHour[card.Key]
		if !ok || card.BF16TFLOPS <= 0 {
			continue
		}
		t := TargetFromCard(card)
		for _, m := range []Method{LoRA, QLoRA} {
			ss := s
			ss.Method, ss.Targets = m, slices.Clone(Modules)
			e, err := EstimateMemory(c, ss)
			if err != nil || e.Peak > int64(float64(t.Free)*safety) || (m == LoRA && float64(e.Peak) > comfortable*float64(t.Free)) {
				continue
			}
			in := DefaultCostInput()
			in.Estimate, in.Card = e, card
			cost, err := EstimateCost(in, p)
			if err != nil {
				continue
			}
			picks = append(picks, CloudPick{Card: card, PricePerHour: price, RunCost: cost.Training.OnDemand, Estimate: e})
			break
		}
	}
	if len(picks) == 0 {
		return CloudPick{}, fmt.Errorf("no cloud GPU fits")
	}
	sort.SliceStable(picks, func(i, j int) bool {
		if picks[i].RunCost != picks[j].RunCost {
			return picks[i].RunCost < picks[j].RunCost
		}
		return picks[i].PricePerHour < picks[j].PricePerHour
	})
	return picks[0], nil
}

func roundUp(n, to int) int { return (n + to - 1) / to * to }

// CardChoices are the cards a plan can be made for: those with tensor cores.
func CardChoices() []hw.Card {
	var out []hw.Card
	for _, c := range hw.Cards() {
		if c.BF16TFLOPS > 0 {
			out = append(out, c)
		}
	}
	return out
}
