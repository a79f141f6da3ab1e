package train

import (
	"context"
	"fmt"
	"time"

	"github.com/hone-ai/hone/backend/engine"
	"github.com/hone-ai/hone/backend/hw"
)

// Preflight is what a few real steps at the run's shape measured, before
// any long wait: how long a step takes, how much memory the run needs
// against what is free, and the verdict the window shows ("fits, about 41
// min" or "does not fit: 9.1 GiB needed, 6.2 GiB free — try QLoRA").
type Preflight struct {
	StepSeconds float64   `json:"stepSeconds"` // one optimizer step (GradAccum micro-batches)
	TotalSteps  int       `json:"totalSteps"`
	Minutes     float64   `json:"minutes"`   // the whole run, evaluations included
	PeakBytes   int64     `json:"peakBytes"` // the process's peak while stepping
	FreeBytes   int64     `json:"freeBytes"` // what it may use: free memory and what it holds
	Fits        bool      `json:"fits"`
	Message     string    `json:"message"`
	Suggestion  string    `json:"suggestion,omitempty"`
	Retry       *Spec     `json:"retry,omitempty"`
	Data        DataStats `json:"data"`
	Warnings    []string  `json:"warnings,omitempty"`
}

// RunPreflight loads the run as Run would and times two micro-batches'
// forward and backward passes (the first pays for page faults, the second
// is measured) without an optimizer step: nothing is written.
func RunPreflight(ctx context.Context, env Env, spec Spec) (Preflight, error) {
	spec = spec.Defaults()
	if err := spec.Check(); err != nil {
		return Preflight{}, err
	}
	su, err := prepare(ctx, env, spec)
	if err != nil {
		return Preflight{}, err
	}
	tr, err := engine.NewTrainer(su.model, engine.TrainOptions{Base: spec.Method == MethodFull, Checkpoint: spec.Checkpointing})
	if err != nil {
		return Preflight{}, err
	}
	var micro float64
	for k := range 2 {
		if ctx.Err() != nil {
			return Preflight{}, ctx.Err()
		}
		b := su.source.next()
		began := time.Now()
		if n := countTargets(b); n > 0 {
			if _, _, err := tr.Accumulate(b, 1/float32(n)); err != nil {
				return Preflight{}, err
			}
		}
		if k == 1 {
			micro = time.Since(began).Seconds()
		}
	}
	p := Preflight{StepSeconds: micro * float64(spec.GradAccum), TotalSteps: su.totalSteps, PeakBytes: peakRSS(),
		Data: su.data, Warnings: su.warnings}
	evals := 0
	if spec.EvalEvery > 0 && su.eval != nil {
		evals = su.totalSteps/spec.EvalEvery + 1
	}
	// An evaluation pass is a forward pass a batch: about a third of a
	// training micro-batch's forward and backward.
	seconds := p.StepSeconds*float64(su.totalSteps) + float64(evals*len(su.eval))*micro/3
	p.Minutes = seconds / 60
	p.FreeBytes = availableBytes() + currentRSS()
	p.verdict(spec)
	return p, nil
}

// verdict fills Fits, Message and, when it does not fit, the suggestion.
func (p *Preflight) verdict(s Spec) {
	p.Fits = p.FreeBytes <= 0 || float64(p.PeakBytes) <= 0.9*float64(p.FreeBytes)
	if p.Fits {
		p.Message = fmt.Sprintf("fits: about %s for %d steps (%.2f s a step), peak %s of %s free", minutes(p.Minutes), p.TotalSteps,
			p.StepSeconds, hw.FormatBytes(uint64(p.PeakBytes)), hw.FormatBytes(uint64(max(p.FreeBytes, 0))))
		return
	}
	f := OutOfMemory(s)
	p.Message = fmt.Sprintf("does not fit: %s needed, %s free", hw.FormatBytes(uint64(p.PeakBytes)), hw.FormatBytes(uint64(p.FreeBytes)))
	p.Suggestion, p.Retry = f.Suggestion, f.Retry
}

func minutes(m float64) string {
	switch {
	case m < 1:
		return fmt.Sprintf("%.0f s", m*60)
	case m < 90:
		return fmt.Sprintf("%.0f min", m)
	}
	return fmt.Sprintf("%.1f h", m/60)
}
