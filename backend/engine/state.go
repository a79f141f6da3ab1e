package engine

import "fmt"

// TrainerState is what a checkpoint keeps of a trainer to continue it bit
// for bit: the optimizer's step count and the flat parameters and AdamW
// moments, in Params' order.
type TrainerState struct {
	Step      int
	Params    []float32
	Exp, Exp2 []float32 // AdamW's first and second moments
}

// State downloads the trainer's state.
func (t *Trainer) State() (TrainerState, error) {
	s := TrainerState{Step: t.step, Params: t.m.Host(t.w), Exp: t.m.Host(t.mom), Exp2: t.m.Host(t.vel)}
	return s, t.m.dev.Sync()
}

// Restore sets the trainer to a state State returned for the same
// parameters (same model, adapters and options).
func (t *Trainer) Restore(s TrainerState) error {
	n := t.w.Len()
	if len(s.Params) != n || len(s.Exp) != n || len(s.Exp2) != n || s.Step < 0 {
		return fmt.Errorf("engine: a state of %d parameters (step %d) for a trainer of %d", len(s.Params), s.Step, n)
	}
	t.m.dev.Upload(t.w, s.Params)
	t.m.dev.Upload(t.mom, s.Exp)
	t.m.dev.Upload(t.vel, s.Exp2)
	t.step = s.Step
	return t.m.dev.Sync()
}

// Steps is how many optimizer steps the trainer has taken.
func (t *Trainer) Steps() int { return t.step }

// Values downloads a parameter's values as Hugging Face stores them: the
// engine keeps Gemma's (1+w) norm weights with the 1 added (family.go),
// which this takes away again.
func (t *Trainer) Values(p *Param) []float32 {
	x := t.m.Host(p.W)
	if off := t.m.fam.normOffset; off != 0 && t.m.isNorm(p.W) {
		for i := range x {
			x[i] -= off
		}
	}
	return x
}

// isNorm reports whether w is one of the model's RMSNorm weights.
func (m *Model) isNorm(w *Tensor) bool {
	if w == m.norm {
		return true
	}
	for _, ly := range m.layers {
		for _, n := range ly.norm {
			if n == w {
				return true
			}
		}
	}
	return false
}
