package train

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"github.com/hone-ai/hone/backend/compute"
	"github.com/hone-ai/hone/backend/engine"
	"github.com/hone-ai/hone/backend/internal/fsutil"
	"github.com/hone-ai/hone/backend/store"
)

// Env is what a run needs from its host: the database (datasets in, run
// metrics and the adapter record out), the device, the run's row, and
// where progress goes.
type Env struct {
	Store  *store.Store
	Device compute.Device
	RunID  int64
	// Report receives every step's progress (the job's, in a child).
	Report func(Progress)
	// Paused tells a stop the user asked for as a pause from a cancel;
	// nil: every stop is a cancel.
	Paused  func() bool
	Version string // Hone's, for the adapter's contract
}

// Progress is one report: the step, and the metrics of it.
type Progress struct {
	Step, Total int
	Message     string
	Metrics     map[string]float64
}

// Result is what a finished run made.
type Result struct {
	AdapterID int64              `json:"adapterId"`
	Path      string             `json:"path"`
	Steps     int                `json:"steps"`
	Metrics   map[string]float64 `json:"metrics"`
	Warnings  []string           `json:"warnings,omitempty"`
}

// loop is one run in progress.
type loop struct {
	env     Env
	spec    Spec
	setup   *setup
	tr      *engine.Trainer
	state   checkpointState
	sched   Schedule
	total   int
	last    time.Time          // when the last checkpoint was written
	lastAt  int                // its step
	metrics map[string]float64 // the step's, recorded once evaluated
	best    string             // the checkpoint with the lowest evaluation loss
	warn    []string
	start   time.Time
}

// Run trains spec on env's device until the end, a failure (*Failure), or
// ctx's cancellation (ErrStopped, after a checkpoint). A run whose output
// folder holds a checkpoint of the same run continues from it.
func Run(ctx context.Context, env Env, spec Spec) (Result, error) {
	spec = spec.Defaults()
	if err := spec.Check(); err != nil {
		return Result{}, err
	}
	if err := os.MkdirAll(spec.OutDir, 0o755); err != nil {
		return Result{}, writeFailed(spec, spec.OutDir, err)
	}
	su, err := prepare(ctx, env, spec)
	if err != nil {
		return Result{}, err
	}
	l := &loop{env: env, spec: spec, setup: su, start: time.Now(), warn: su.warnings}
	if err := l.begin(ctx); err != nil {
		return Result{}, err
	}
	for l.state.Step < l.total {
		if ctx.Err() != nil {
			return Result{}, l.stop()
		}
		if err := l.step(); err != nil {
			return Result{}, err
		}
		if err := l.after(ctx); err != nil {
			return Result{}, err
		}
	}
	return l.finish(ctx)
}

// begin builds the trainer and resumes from the output folder's last
// checkpoint of this run, or starts at step 0.
func (l *loop) begin(ctx context.Context) error {
	s, su := l.spec, l.setup
	tr, err := engine.NewTrainer(su.model, engine.TrainOptions{Base: s.Method == MethodFull, Checkpoint: s.Checkpointing,
		AdamW: engine.AdamW{Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, WeightDecay: float32(s.WeightDecay)}})
	if err != nil {
		return err
	}
	l.tr = tr
	l.total = su.totalSteps
	l.sched = Schedule{Kind: s.Schedule, LR: s.LR, Warmup: int(math.Ceil(s.WarmupRatio * float64(l.total))), Total: l.total}
	l.state = checkpointState{RunHash: su.fingerprint, BaseSHA256: su.baseSHA256, DataDigest: su.digest}
	clearLeftovers(s.OutDir)
	dir, st, ts, err := latestCheckpoint(s.OutDir)
	if err != nil {
		return writeFailed(s, "the output folder", err)
	}
	if dir != "" {
		if st.BaseSHA256 != su.baseSHA256 {
			return &Failure{Reason: fmt.Sprintf("the base model changed since this run started (%s: sha256 %.12s…, the checkpoint's %.12s…)", s.Model, su.baseSHA256, st.BaseSHA256),
				Suggestion: "put the original model back to resume, or start a new run in another output folder"}
		}
		if st.DataDigest != su.digest {
			return &Failure{Reason: "the training data changed since this run started (the dataset, the tokenizer or the chat template gives other tokens)",
				Suggestion: "resume with the data the run started with, or start a new run in another output folder"}
		}
		if st.RunHash != su.fingerprint {
			return &Failure{Reason: fmt.Sprintf("%s holds a checkpoint of another run (other settings, data or base model)", s.OutDir),
				Suggestion: "choose an empty output folder, or resume that run with its own settings"}
		}
		if err := tr.Restore(ts); err != nil {
			return err
		}
		if err := su.source.seek(st.Cursor); err != nil {
			return err
		}
		l.state = st
		l.lastAt = st.Step
		if l.env.Store != nil && l.env.RunID != 0 {
			// Steps a run that died recorded past its checkpoint come again.
			if err := l.env.Store.TrimRunMetrics(ctx, l.env.RunID, int64(st.Step)); err != nil {
				return err
			}
		}
	}
	l.last = time.Now()
	if err := l.writeSummary(dir != ""); err != nil {
		return err
	}
	raw, _ := json.MarshalIndent(s, "", "  ")
	if err := fsutil.WriteFile(filepath.Join(s.OutDir, "run.json"), append(raw, '\n')); err != nil {
		return writeFailed(s, "run.json", err)
	}
	return nil
}

// Summary is what a run knows of itself once it starts, kept with its row:
// the data as encoded, the steps ahead, the warnings.
type Summary struct {
	Data       DataStats `json:"data"`
	TotalSteps int       `json:"totalSteps"`
	Resumed    bool      `json:"resumed"` // from a checkpoint
	FromStep   int       `json:"fromStep"`
	Warnings   []string  `json:"warnings,omitempty"`
	Retry      *Spec     `json:"retry,omitempty"` // set by the host when the run failed with a suggestion
}

// writeSummary records the run's summary with its row.
func (l *loop) writeSummary(resumed bool) error {
	if l.env.Store == nil || l.env.RunID == 0 {
		return nil
	}
	js, err := json.Marshal(Summary{Data: l.setup.data, TotalSteps: l.total, Resumed: resumed, FromStep: l.state.Step, Warnings: l.warn})
	if err != nil {
		return err
	}
	return l.env.Store.UpdateRun(context.Background(), l.env.RunID, map[string]any{"summary": string(js), "total_steps": l.total})
}

// step runs one optimizer step: GradAccum micro-batches, clipping, AdamW.
func (l *loop) step() error {
	s, tr := l.spec, l.tr
	began := time.Now()
	batches := make([]engine.Batch, 0, s.GradAccum)
	targets, tokens := 0, 0
	for k := range s.GradAccum {
		b := l.setup.source.next()
		b.Seed = mix(s.Seed, uint64(l.state.Step), uint64(k))
		batches = append(batches, b)
		targets += countTargets(b)
		tokens += b.B * b.T
	}
	tr.ZeroGrad()
	sum := 0.0
	if targets > 0 {
		for _, b := range batches {
			part, _, err := tr.Accumulate(b, 1/float32(targets))
			if err != nil {
				return err
			}
			sum += part
		}
	}
	loss := sum / float64(max(targets, 1))
	if math.IsNaN(loss) || math.IsInf(loss, 0) {
		return diverged(s, "training loss", l.state.Step+1, loss)
	}
	clip := s.MaxGradNorm
	if clip == 0 {
		clip = math.Inf(1) // no clipping; the norm is still a metric
	}
	norm := tr.ClipGradNorm(clip)
	if math.IsNaN(norm) || math.IsInf(norm, 0) {
		return diverged(s, "gradient norm", l.state.Step+1, norm)
	}
	lr := l.sched.At(l.state.Step)
	if err := tr.Step(float32(lr)); err != nil {
		return err
	}
	took := time.Since(began).Seconds()
	l.state.Step++
	l.state.Tokens += int64(tokens)
	l.state.Seconds += took
	l.state.Cursor = l.setup.source.cursor()
	m := map[string]float64{"step": float64(l.state.Step), "loss": loss, "lr": lr, "gradNorm": norm,
		"tokensPerSec": float64(tokens) / took, "stepSeconds": took, "peakBytes": float64(peakRSS()),
		"targets": float64(targets), "epoch": l.setup.source.epoch()}
	l.metrics = m
	return nil
}

// record stores a step's metrics with the run and reports them.
func (l *loop) record(m map[string]float64) error {
	st := l.state
	if l.env.Store != nil && l.env.RunID != 0 {
		ms := []store.RunMetric{{RunID: l.env.RunID, Step: int64(st.Step), Metrics: m}}
		if err := l.env.Store.AddRunMetrics(context.Background(), ms); err != nil {
			return err
		}
		if err := l.env.Store.UpdateRun(context.Background(), l.env.RunID, map[string]any{"step": st.Step, "total_steps": l.total}); err != nil {
			return err
		}
	}
	if l.env.Report != nil {
		eta := ""
		if st.Step > 0 {
			left := time.Duration(l.state.Seconds / float64(st.Step) * float64(l.total-st.Step) * float64(time.Second))
			eta = ", about " + left.Round(time.Second).String() + " left"
		}
		msg := fmt.Sprintf("step %d of %d, loss %.4f%s", st.Step, l.total, m["loss"], eta)
		if v, ok := m["evalLoss"]; ok {
			msg += fmt.Sprintf(", eval loss %.4f", v)
		}
		l.env.Report(Progress{Step: st.Step, Total: l.total, Message: msg, Metrics: m})
	}
	return nil
}

// after evaluates and checkpoints when it is time.
func (l *loop) after(ctx context.Context) error {
	s, step := l.spec, l.state.Step
	end := step == l.total
	evaluated := false
	if l.setup.eval != nil && ((s.EvalEvery > 0 && step%s.EvalEvery == 0) || end) {
		loss, err := l.evaluate(ctx)
		if err != nil {
			return err
		}
		l.state.Evals = append(l.state.Evals, evalPoint{Step: step, Loss: loss})
		l.noteMemorising()
		l.metrics["evalLoss"] = loss
		evaluated = true
	}
	if err := l.record(l.metrics); err != nil {
		return err
	}
	due := step%s.CheckpointEvery == 0 || time.Since(l.last) >= time.Duration(s.CheckpointMinutes*float64(time.Minute))
	if due || end || evaluated {
		return l.checkpoint()
	}
	return nil
}

// checkpoint writes one at the current step and keeps the last few and the
// best by evaluation loss.
func (l *loop) checkpoint() error {
	dir, err := writeCheckpoint(l.spec.OutDir, l.state, l.tr, l.setup.model)
	if err != nil {
		return writeFailed(l.spec, "a checkpoint", err)
	}
	// The checkpoint's host copies (parameters, moments, adapter, encoded:
	// ~160 MB at SmolLM2 r=16) are garbage the pacer lets pile up to the
	// size of the live heap, mostly weights: three checkpoints took a run's
	// peak RSS from the bare engine's 1,731 MiB to 2,221. Collected now, the
	// next checkpoint reuses their memory; the heap being nearly
	// pointer-free floats, a collection costs milliseconds.
	runtime.GC()
	l.last, l.lastAt = time.Now(), l.state.Step
	if best := bestEval(l.state.Evals); best != nil && best.Step == l.state.Step {
		l.best = dir
	}
	if err := prune(l.spec.OutDir, l.spec.KeepCheckpoints, l.best); err != nil {
		return writeFailed(l.spec, "the output folder", err)
	}
	return nil
}

// stop is a pause or a cancel: a checkpoint unless the last one is at this
// step, then ErrStopped.
func (l *loop) stop() error {
	if l.state.Step > l.lastAt {
		if err := l.checkpoint(); err != nil {
			return err
		}
	}
	return ErrStopped
}

// evaluate is the mean loss over the evaluation examples (no dropout).
func (l *loop) evaluate(ctx context.Context) (float64, error) {
	sum, n := 0.0, 0
	for _, b := range l.setup.eval {
		if ctx.Err() != nil {
			return 0, ctx.Err()
		}
		part, k, err := l.tr.LossSum(b)
		if err != nil {
			return 0, err
		}
		sum, n = sum+part, n+k
	}
	loss := sum / float64(max(n, 1))
	if math.IsNaN(loss) || math.IsInf(loss, 0) {
		return 0, diverged(l.spec, "evaluation loss", l.state.Step, loss)
	}
	return loss, nil
}

// noteMemorising warns, once, when the evaluation loss rose at two
// evaluations in a row: the model is starting to memorise the training
// examples, and the best checkpoint so far is kept.
func (l *loop) noteMemorising() {
	e := l.state.Evals
	if len(e) < 3 || !(e[len(e)-1].Loss > e[len(e)-2].Loss && e[len(e)-2].Loss > e[len(e)-3].Loss) {
		return
	}
	best := bestEval(e)
	w := fmt.Sprintf("the evaluation loss rose at two evaluations in a row (steps %d and %d): the model is starting to memorise the training set; the best checkpoint, step %d (eval loss %.4f), is kept",
		e[len(e)-2].Step, e[len(e)-1].Step, best.Step, best.Loss)
	for _, old := range l.warn {
		if len(old) > 40 && old[:40] == w[:40] {
			return
		}
	}
	l.warn = append(l.warn, w)
}

func bestEval(e []evalPoint) *evalPoint {
	var best *evalPoint
	for i := range e {
		if best == nil || e[i].Loss < best.Loss {
			best = &e[i]
		}
	}
	return best
}

// finish saves the adapter (or, for full fine-tuning, the weights) and
// records it with its contract.
func (l *loop) finish(ctx context.Context) (Result, error) {
	s, su := l.spec, l.setup
	path := filepath.Join(s.OutDir, "adapter")
	var err error
	if s.Method == MethodFull {
		path = filepath.Join(s.OutDir, "model")
		err = saveWeights(path, l.tr, su)
	} else {
		err = su.model.SaveLoRA(path)
	}
	if err != nil {
		return Result{}, writeFailed(s, path, err)
	}
	metrics := map[string]float64{"steps": float64(l.state.Step), "tokens": float64(l.state.Tokens), "seconds": l.state.Seconds}
	if ms, err := l.lastMetrics(ctx); err == nil {
		for k, v := range ms {
			metrics[k] = v
		}
	}
	if b := bestEval(l.state.Evals); b != nil {
		metrics["bestEvalLoss"], metrics["bestEvalStep"] = b.Loss, float64(b.Step)
	}
	res := Result{Path: path, Steps: l.state.Step, Metrics: metrics, Warnings: l.warn}
	if l.env.Store != nil {
		id, err := recordAdapter(ctx, l.env, s, su, path, metrics)
		if err != nil {
			return res, err
		}
		res.AdapterID = id
	}
	return res, nil
}

// lastMetrics are the final loss and evaluation loss.
func (l *loop) lastMetrics(ctx context.Context) (map[string]float64, error) {
	out := map[string]float64{}
	if l.env.Store == nil || l.env.RunID == 0 {
		return out, errors.New("no store")
	}
	ms, err := l.env.Store.RunMetrics(ctx, l.env.RunID)
	if err != nil {
		return out, err
	}
	for _, m := range ms {
		if v, ok := m.Metrics["loss"]; ok {
			out["loss"] = v
		}
		if v, ok := m.Metrics["evalLoss"]; ok {
			out["evalLoss"] = v
		}
	}
	return out, nil
}

// mix is splitmix64 over a seed and two counters: each optimizer step's
// micro-batches get their own dropout seeds, the same on a resumed run.
func mix(seed, a, b uint64) uint64 {
	z := seed ^ (a+1)*0x9e3779b97f4a7c15 ^ (b+1)*0xc2b2ae3d27d4eb4f
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	return z ^ z>>31
}

func countTargets(b engine.Batch) int {
	n := 0
	for _, y := range b.Targets {
		if y >= 0 {
			n++
		}
	}
	return n
}
