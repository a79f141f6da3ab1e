package train

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"github.com/hone-ai/hone/backend/engine"
	"github.com/hone-ai/hone/backend/store"
	"github.com/hone-ai/hone/backend/testfiles"
)

// The loop's overhead, measured (a figure, not an assertion):
//
//	go test -run '^$' -bench LoopOverhead -benchtime 1x ./backend/train
//
// SmolLM2-135M, LoRA r=16 on every linear, micro-batches of 4×256 tokens
// of packed banking77 examples with every token a target (the shape of
// `make bench-engine`), GradAccum 1. "bare" steps the engine on the
// packer's batches as the engine benchmark does (accumulate, clip, AdamW);
// "loop" is train.Run on the same batches, with its metrics written to
// SQLite every step and a checkpoint every 4 steps. Each runs in its own
// process (runChild), so that its peak memory is its own, and the two
// alternate.

type overheadResult struct {
	StepSeconds []float64 // each measured step's wall time, the first (page faults) left out
	PeakBytes   int64
	CheckpointS float64 // loop: writing one checkpoint
	ResumeS     float64 // loop: reading it and restoring the trainer
}

const overheadSteps = 9

// overhead measures mode "bare" or "loop" in this (child) process.
func overhead(st *store.Store, mode string, s Spec) (overheadResult, error) {
	var r overheadResult
	var err error
	if mode == "bare" {
		err = bareSteps(st, s, &r)
	} else {
		err = loopSteps(st, s, &r)
	}
	if r.PeakBytes == 0 {
		r.PeakBytes = peakRSS()
	}
	return r, err
}

// bareSteps times the engine alone on the run's own batches.
func bareSteps(st *store.Store, s Spec, r *overheadResult) error {
	s = s.Defaults()
	su, err := prepare(context.Background(), env(st), s)
	if err != nil {
		return err
	}
	tr, err := engine.NewTrainer(su.model, engine.TrainOptions{AdamW: engine.AdamW{Beta1: 0.9, Beta2: 0.999, Eps: 1e-8}})
	if err != nil {
		return err
	}
	for step := range overheadSteps {
		began := time.Now()
		b := su.source.next()
		tr.ZeroGrad()
		if _, _, err := tr.Accumulate(b, 1/float32(countTargets(b))); err != nil {
			return err
		}
		tr.ClipGradNorm(1)
		if err := tr.Step(2e-4); err != nil {
			return err
		}
		if step > 0 {
			r.StepSeconds = append(r.StepSeconds, time.Since(began).Seconds())
		}
	}
	return nil
}

// loopSteps times train.Run's steps from report to report (data, metrics,
// checkpoints included), then a checkpoint's write and resume.
func loopSteps(st *store.Store, s Spec, r *overheadResult) error {
	run := store.Run{Name: "bench", State: store.RunRunning, Spec: store.JSON(`{}`), OutDir: s.OutDir}
	if err := st.CreateRun(context.Background(), &run); err != nil {
		return err
	}
	e := env(st)
	e.RunID = run.ID
	var last time.Time
	e.Report = func(p Progress) {
		now := time.Now()
		if p.Step > 1 {
			r.StepSeconds = append(r.StepSeconds, now.Sub(last).Seconds())
		}
		last = now
	}
	if _, err := Run(context.Background(), e, s); err != nil {
		return err
	}
	r.PeakBytes = peakRSS() // the run's; what follows loads the model again
	// A checkpoint of the finished run's shape, written and read back as a
	// resume does.
	su, err := prepare(context.Background(), env(st), s.Defaults())
	if err != nil {
		return err
	}
	tr, err := engine.NewTrainer(su.model, engine.TrainOptions{})
	if err != nil {
		return err
	}
	began := time.Now()
	dir, err := writeCheckpoint(s.OutDir, checkpointState{Step: 99}, tr, su.model)
	if err != nil {
		return err
	}
	r.CheckpointS = time.Since(began).Seconds()
	began = time.Now()
	_, ts, err := readCheckpoint(dir)
	if err == nil {
		err = tr.Restore(ts)
	}
	r.ResumeS = time.Since(began).Seconds()
	return err
}

func BenchmarkLoopOverhead(b *testing.B) {
	gguf := testfiles.SmolLM2GGUF(b)
	dbPath := filepath.Join(b.TempDir(), store.FileName)
	st := openStore(b, dbPath)
	d := importRows(b, st, 0, 600)
	st.Close()
	measure := func(mode string) overheadResult {
		s := Spec{Model: gguf, Dataset: d, Method: MethodLoRA, OutDir: b.TempDir(), SeqLen: 256, MicroBatch: 4, GradAccum: 1,
			MaxSteps: overheadSteps, AllTokens: true, CheckpointEvery: 4, EvalEvery: 0}
		out, err := startChild(b, childJob{Mode: mode, Store: dbPath, Spec: s}).Output()
		if err != nil {
			b.Fatalf("%s: %v", mode, err)
		}
		var r overheadResult
		if err := json.Unmarshal(out, &r); err != nil {
			b.Fatal(err)
		}
		return r
	}
	var bare, loop []float64
	var last overheadResult
	var barePeak int64
	for range 2 {
		rb := measure("bare")
		rl := measure("loop")
		bare, loop = append(bare, rb.StepSeconds...), append(loop, rl.StepSeconds...)
		barePeak, last = rb.PeakBytes, rl
	}
	mb, ml := median(bare), median(loop)
	fmt.Printf("SmolLM2-135M LoRA r=16, 4x256 tokens a step, %d steps x 2 alternating processes:\n", len(bare)/2)
	fmt.Printf("  bare engine step  %.3f s median (%.3f-%.3f)\n", mb, minOf(bare), maxOf(bare))
	fmt.Printf("  train.Run step    %.3f s median (%.3f-%.3f): data, metrics to SQLite, a checkpoint every 4 steps\n", ml, minOf(loop), maxOf(loop))
	fmt.Printf("  loop overhead     %+.1f%% of the step (target < 3%%)\n", 100*(ml/mb-1))
	fmt.Printf("  checkpoint write  %.0f ms; resume (read + restore) %.0f ms\n", 1000*last.CheckpointS, 1000*last.ResumeS)
	fmt.Printf("  peak RSS          run %.0f MiB, bare engine %.0f MiB\n", float64(last.PeakBytes)/(1<<20), float64(barePeak)/(1<<20))
}

func median(x []float64) float64 {
	y := append([]float64(nil), x...)
	sort.Float64s(y)
	return y[len(y)/2]
}

func minOf(x []float64) float64 {
	m := math.Inf(1)
	for _, v := range x {
		m = min(m, v)
	}
	return m
}

func maxOf(x []float64) float64 {
	m := math.Inf(-1)
	for _, v := range x {
		m = max(m, v)
	}
	return m
}
