package train

import (
	"fmt"
	"math"
)

// Schedule is the learning rate over a run, as transformers' schedulers
// compute it: a linear warm-up from 0 over Warmup steps, then "cosine"
// (get_cosine_schedule_with_warmup: half a cosine down to 0 at Total),
// "linear" (down to 0 at Total) or "constant".
type Schedule struct {
	Kind          string
	LR            float64
	Warmup, Total int
}

// At is the learning rate of optimizer step step (counting from 0).
func (s Schedule) At(step int) float64 {
	if step < s.Warmup {
		return s.LR * float64(step) / float64(max(1, s.Warmup))
	}
	rest := float64(step-s.Warmup) / float64(max(1, s.Total-s.Warmup))
	switch s.Kind {
	case "linear":
		return s.LR * max(0, 1-rest)
	case "constant":
		return s.LR
	}
	return s.LR * max(0, 0.5*(1+math.Cos(math.Pi*rest)))
}

func (s Schedule) check() error {
	switch s.Kind {
	case "cosine", "linear", "constant":
	default:
		return fmt.Errorf("schedule %q: want cosine, linear or constant", s.Kind)
	}
	if !(s.LR > 0) || math.IsInf(s.LR, 0) {
		return fmt.Errorf("learning rate %g: want a positive number", s.LR)
	}
	if s.Warmup < 0 || s.Total <= 0 {
		return fmt.Errorf("warm-up %d of %d steps", s.Warmup, s.Total)
	}
	return nil
}
