package core

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/hone-ai/hone/backend/compute/devices"
	"github.com/hone-ai/hone/backend/jobs"
	"github.com/hone-ai/hone/backend/store"
	"github.com/hone-ai/hone/backend/train"
)

// Job kinds of training, each run in a child process: a run, and the few
// measured steps before one.
const (
	KindTrain     = "train"
	KindPreflight = "preflight"
)

// trainInput is a train job's spec: the run it continues.
type trainInput struct {
	RunID int64 `json:"runId"`
}

// RunView is a run as the window and `hone run show` present it.
type RunView struct {
	store.Run
	Metrics []store.RunMetric `json:"metrics"`
}

// StartTrain records a new run of spec (defaults filled, checked) and
// starts it in a child process. A run of the same output folder that can
// resume (paused, failed, interrupted) is resumed instead: `hone train`
// given the same --out continues where it stopped. watch, if set, sees the
// job's updates.
func (h *Hone) StartTrain(ctx context.Context, spec train.Spec, watch func(store.Job)) (runID, jobID int64, err error) {
	if spec, _, err = h.TrainDefaults(ctx, spec); err != nil {
		return 0, 0, err
	}
	if spec.Now.IsZero() {
		spec.Now = time.Now().UTC().Truncate(time.Second) // the date a template prints, fixed for resumes
	}
	if spec.OutDir == "" {
		spec.OutDir = filepath.Join(h.DataDir, "runs", safeName(spec.Name, spec.Model))
	}
	if spec.OutDir, err = filepath.Abs(spec.OutDir); err != nil {
		return 0, 0, err
	}
	if spec.Name == "" {
		spec.Name = filepath.Base(spec.OutDir)
	}
	if err := spec.Check(); err != nil {
		return 0, 0, err
	}
	if _, err := h.Dataset(ctx, spec.Dataset); err != nil {
		return 0, 0, fmt.Errorf("run setting \"dataset\": %w", err)
	}
	if spec.EvalDataset != 0 {
		if _, err := h.Dataset(ctx, spec.EvalDataset); err != nil {
			return 0, 0, fmt.Errorf("run setting \"evalDataset\": %w", err)
		}
	}
	if err := h.deviceFree(ctx); err != nil {
		return 0, 0, err
	}
	if r, ok, err := h.runInFolder(ctx, spec.OutDir); err != nil || ok {
		if err != nil {
			return 0, 0, err
		}
		jobID, err = h.ResumeRun(ctx, r.ID, watch)
		return r.ID, jobID, err
	}
	raw, err := json.Marshal(spec)
	if err != nil {
		return 0, 0, err
	}
	r := store.Run{Name: spec.Name, State: store.RunRunning, Spec: raw, OutDir: spec.OutDir}
	if err := h.Store.CreateRun(ctx, &r); err != nil {
		return 0, 0, err
	}
	jobID, err = h.startRunJob(ctx, r, watch)
	return r.ID, jobID, err
}

// deviceFree refuses a second run while one trains: the device (today the
// CPU; one GPU, later) runs one at a time, and two would each take the
// other's memory and time.
func (h *Hone) deviceFree(ctx context.Context) error {
	rs, err := h.Store.Runs(ctx)
	if err != nil {
		return err
	}
	for _, r := range rs {
		if r.State == store.RunRunning || r.State == runPausing {
			return fmt.Errorf("run %d (%s) is training: one run at a time per device; pause it first", r.ID, r.Name)
		}
	}
	return nil
}

// runInFolder finds a resumable run writing to dir.
func (h *Hone) runInFolder(ctx context.Context, dir string) (store.Run, bool, error) {
	rs, err := h.Store.Runs(ctx)
	if err != nil {
		return store.Run{}, false, err
	}
	for _, r := range rs {
		if r.OutDir == dir {
			switch r.State {
			case store.RunSucceeded:
				return r, false, fmt.Errorf("run %d already trained into %s: choose another output folder", r.ID, dir)
			case store.RunRunning:
				return r, false, fmt.Errorf("run %d is training into %s right now", r.ID, dir)
			}
			return r, true, nil
		}
	}
	return store.Run{}, false, nil
}

// ResumeRun continues a paused, cancelled, failed or interrupted run from
// its last checkpoint.
func (h *Hone) ResumeRun(ctx context.Context, id int64, watch func(store.Job)) (int64, error) {
	r, err := h.Store.Run(ctx, id)
	if err != nil {
		return 0, err
	}
	switch r.State {
	case store.RunSucceeded, store.RunRunning:
		return 0, fmt.Errorf("run %d is %s: nothing to resume", id, r.State)
	}
	if err := h.deviceFree(ctx); err != nil {
		return 0, err
	}
	if err := h.Store.UpdateRun(ctx, id, map[string]any{"state": store.RunRunning, "error": "", "suggestion": ""}); err != nil {
		return 0, err
	}
	return h.startRunJob(ctx, r, watch)
}

// startRunJob starts the child that trains run r, and follows it: a child
// that dies (out of memory, killed) leaves the run failed with the reason.
func (h *Hone) startRunJob(ctx context.Context, r store.Run, watch func(store.Job)) (int64, error) {
	follow := func(j store.Job) {
		if j.Ended() {
			h.settleRun(context.Background(), r.ID, j)
		}
		if watch != nil {
			watch(j)
		}
	}
	// A run stops through PauseRun or CancelRun, which record why first; the
	// caller's context ending (an interrupted `hone train`) must not stop
	// the child before that, or a pause ends as a cancel (seen in CI).
	id, err := h.StartChildJob(context.WithoutCancel(ctx), KindTrain, "train "+r.Name, trainInput{RunID: r.ID}, follow)
	if err != nil {
		h.Store.UpdateRun(ctx, r.ID, map[string]any{"state": store.RunFailed, "error": err.Error()})
		return 0, err
	}
	return id, h.Store.UpdateRun(ctx, r.ID, map[string]any{"job_id": id})
}

// settleRun gives a run whose job ended a state, when the child could not
// (it died): the job's reason, and for a death by memory the suggestion.
func (h *Hone) settleRun(ctx context.Context, id int64, j store.Job) {
	r, err := h.Store.Run(ctx, id)
	if err != nil || r.State != store.RunRunning && r.State != runPausing {
		return
	}
	state, reason, suggestion := store.RunFailed, j.Error, ""
	switch {
	case j.State == store.JobCancelled && r.State == runPausing:
		state = store.RunPaused
	case j.State == store.JobCancelled:
		state = store.RunCancelled
	case j.State == store.JobInterrupted:
		state = store.RunInterrupted
	case outOfMemory(j.Error):
		var s train.Spec
		json.Unmarshal(r.Spec, &s)
		f := train.OutOfMemory(s)
		reason, suggestion = f.Reason, f.Suggestion
	}
	h.Store.UpdateRun(ctx, id, map[string]any{"state": state, "error": reason, "suggestion": suggestion})
}

// settleDeadRuns finds the runs whose process died with them (a crash, a
// reboot, a kill of the window): their job was just marked interrupted (or
// ended without the run hearing of it). They become interrupted — paused
// if a pause was under way — and the window offers to resume them.
func (h *Hone) settleDeadRuns(ctx context.Context) error {
	rs, err := h.Store.Runs(ctx)
	if err != nil {
		return err
	}
	for _, r := range rs {
		if r.State != store.RunRunning && r.State != runPausing {
			continue
		}
		var j store.Job
		if r.JobID != nil {
			if j, err = h.Store.Job(ctx, *r.JobID); err != nil {
				j.State = store.JobInterrupted // the job row is gone
			}
		}
		if r.JobID != nil && !j.Ended() {
			continue // alive: a run of another Hone beside this one
		}
		state := store.RunInterrupted
		if r.State == runPausing {
			state = store.RunPaused
		}
		if err := h.Store.UpdateRun(ctx, r.ID, map[string]any{"state": state}); err != nil {
			return err
		}
	}
	return nil
}

// pauseRuns marks this Hone's running runs as pausing before Close stops
// their jobs, so that they end paused (after a checkpoint), not cancelled.
func (h *Hone) pauseRuns() {
	ctx := context.Background()
	rs, err := h.Store.Runs(ctx)
	if err != nil {
		return
	}
	for _, r := range rs {
		if r.State != store.RunRunning || r.JobID == nil {
			continue
		}
		if j, err := h.Store.Job(ctx, *r.JobID); err == nil && !j.Ended() && h.Jobs.Running(*r.JobID) {
			h.Store.UpdateRun(ctx, r.ID, map[string]any{"state": runPausing})
		}
	}
}

// InterruptedRuns are the runs a crash or a closed window left half done:
// the window offers to resume them at start.
func (h *Hone) InterruptedRuns(ctx context.Context) ([]store.Run, error) {
	rs, err := h.Store.Runs(ctx)
	var out []store.Run
	for _, r := range rs {
		if r.State == store.RunInterrupted {
			out = append(out, r)
		}
	}
	return out, err
}

// runPausing marks a run whose user asked for a pause; the child reads it
// when it stops, and the run becomes paused.
const runPausing = "pausing"

// PauseRun stops a running run after a checkpoint; ResumeRun continues it.
func (h *Hone) PauseRun(ctx context.Context, id int64) error {
	return h.stopRun(ctx, id, runPausing)
}

// CancelRun stops a running run (its checkpoints stay: it can resume).
func (h *Hone) CancelRun(ctx context.Context, id int64) error {
	return h.stopRun(ctx, id, store.RunRunning)
}

func (h *Hone) stopRun(ctx context.Context, id int64, state string) error {
	r, err := h.Store.Run(ctx, id)
	if err != nil {
		return err
	}
	if r.State != store.RunRunning || r.JobID == nil {
		return fmt.Errorf("run %d is %s, not running", id, r.State)
	}
	if err := h.Store.UpdateRun(ctx, id, map[string]any{"state": state}); err != nil {
		return err
	}
	if h.Jobs.Running(*r.JobID) {
		return h.Jobs.Cancel(*r.JobID)
	}
	// Another Hone runs it (the window, seen from the command line): ask its
	// child to stop; that Hone settles the run when the child ends.
	j, err := h.Store.Job(ctx, *r.JobID)
	if err != nil {
		return err
	}
	if j.Ended() || j.PID == 0 || !jobs.Alive(j.PID) {
		return fmt.Errorf("run %d: its process is gone", id)
	}
	return jobs.Stop(j.PID)
}

// outOfMemory reads a dead child's reason: the kernel's OOM killer sends
// SIGKILL, and the Go runtime says so when an allocation fails.
func outOfMemory(reason string) bool {
	return strings.Contains(reason, "out of memory") || strings.Contains(reason, "signal 9")
}

// Runs lists the training runs, newest first.
func (h *Hone) Runs(ctx context.Context) ([]store.Run, error) { return h.Store.Runs(ctx) }

// Run is one run with its per-step metrics.
func (h *Hone) Run(ctx context.Context, id int64) (RunView, error) {
	r, err := h.Store.Run(ctx, id)
	if err != nil {
		return RunView{}, err
	}
	ms, err := h.Store.RunMetrics(ctx, id)
	return RunView{Run: r, Metrics: ms}, err
}

// Adapters lists the trained adapters, newest first.
func (h *Hone) Adapters(ctx context.Context) ([]store.Adapter, error) { return h.Store.Adapters(ctx) }

// trainJob is the child's side of a run: train it, and leave its row in
// the state it ended in.
func (h *Hone) trainJob(ctx context.Context, spec json.RawMessage, report jobs.Report) (any, error) {
	var in trainInput
	if err := json.Unmarshal(spec, &in); err != nil {
		return nil, err
	}
	r, err := h.Store.Run(ctx, in.RunID)
	if err != nil {
		return nil, err
	}
	var s train.Spec
	if err := json.Unmarshal(r.Spec, &s); err != nil {
		return nil, fmt.Errorf("run %d: %w", r.ID, err)
	}
	env := train.Env{Store: h.Store, Device: devices.Available()[0], RunID: r.ID, Version: h.Version,
		Report: func(p train.Progress) {
			report(jobs.Progress{Fraction: float64(p.Step) / float64(max(p.Total, 1)), Message: p.Message, Step: int64(p.Step), Metrics: p.Metrics})
		}}
	res, err := train.Run(ctx, env, s)
	fields := map[string]any{}
	var f *train.Failure
	switch {
	case err == nil:
		fields["state"] = store.RunSucceeded
	case errors.Is(err, train.ErrStopped):
		fields["state"] = store.RunCancelled
		if cur, _ := h.Store.Run(context.Background(), r.ID); cur.State == runPausing {
			fields["state"] = store.RunPaused
		}
		err = fmt.Errorf("%w: %w", err, ctx.Err())
	case errors.As(err, &f):
		fields["state"], fields["error"], fields["suggestion"] = store.RunFailed, f.Reason, f.Suggestion
		if f.Retry != nil {
			cur, _ := h.Store.Run(context.Background(), r.ID)
			var sum train.Summary
			json.Unmarshal(cur.Summary, &sum)
			sum.Retry = f.Retry
			if js, err := json.Marshal(sum); err == nil {
				fields["summary"] = string(js)
			}
		}
	default:
		fields["state"], fields["error"] = store.RunFailed, err.Error()
	}
	if uerr := h.Store.UpdateRun(context.Background(), r.ID, fields); uerr != nil && err == nil {
		err = uerr
	}
	return res, err
}

// safeName is a folder name for a run: its name, else the model's, and a
// number that makes it new.
func safeName(name, modelPath string) string {
	if name == "" {
		name = strings.TrimSuffix(filepath.Base(modelPath), filepath.Ext(modelPath))
	}
	var b strings.Builder
	for _, r := range name {
		if r == '-' || r == '_' || r == '.' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' {
			b.WriteRune(r)
		} else {
			b.WriteByte('-')
		}
	}
	return b.String() + "-" + strconv.FormatInt(int64(os.Getpid())%100000, 10) + "-" + strconv.FormatInt(nowUnix()%1000000, 10)
}

func nowUnix() int64 { return time.Now().Unix() }

// Preflight measures a few real steps of spec in a child process (it loads
// the model as the run would, and may run out of memory as the run would):
// step time, the whole run's time, peak memory against what is free.
func (h *Hone) Preflight(ctx context.Context, spec train.Spec) (train.Preflight, error) {
	spec = spec.Defaults()
	if spec.OutDir == "" {
		spec.OutDir = filepath.Join(h.DataDir, "runs", "preflight") // Check wants one; nothing is written there
	}
	if err := spec.Check(); err != nil {
		return train.Preflight{}, err
	}
	id, err := h.StartChildJob(ctx, KindPreflight, "measure a run", spec, nil)
	if err != nil {
		return train.Preflight{}, err
	}
	j, err := h.Jobs.Await(id)
	if err != nil {
		return train.Preflight{}, err
	}
	var p train.Preflight
	switch {
	case j.State == store.JobSucceeded:
		err = json.Unmarshal(j.Result, &p)
	case outOfMemory(j.Error):
		f := train.OutOfMemory(spec)
		p = train.Preflight{Message: "does not fit: the measurement ran out of memory", Suggestion: f.Suggestion, Retry: f.Retry}
	default:
		err = errors.New(j.Error)
	}
	return p, err
}

// preflightJob is the child's side of Preflight.
func (h *Hone) preflightJob(ctx context.Context, spec json.RawMessage, report jobs.Report) (any, error) {
	var s train.Spec
	if err := json.Unmarshal(spec, &s); err != nil {
		return nil, err
	}
	report(jobs.Progress{Message: "loading the model and the data"})
	return train.RunPreflight(ctx, train.Env{Store: h.Store, Device: devices.Available()[0], Version: h.Version}, s)
}

// TrainDefaults fills the settings a run's data and machine decide, where
// spec leaves them zero, and says why: the sequence length covers the
// dataset's 99th percentile in the model's own tokens (through its chat
// template), rounded up to a multiple of 64, within the model's context; a
// micro-batch holds about 2,048 tokens on the CPU; accumulation makes a
// step about 16 examples. The rest are train.Spec's defaults.
func (h *Hone) TrainDefaults(ctx context.Context, spec train.Spec) (train.Spec, []string, error) {
	var why []string
	if spec.SeqLen == 0 && spec.Model != "" && spec.Dataset > 0 {
		tl, err := h.CountTokens(ctx, spec.Dataset, spec.Model, 0)
		if err != nil {
			return spec, nil, err
		}
		seq := min(max(64, (tl.P99+63)/64*64), 4096)
		spec.SeqLen = seq
		why = append(why, fmt.Sprintf("sequence length %d: 99%% of the %d examples are %d tokens or fewer (longest %d)", seq, tl.Examples, tl.P99, tl.Max))
		if spec.MicroBatch == 0 {
			spec.MicroBatch = max(1, 2048/seq)
			why = append(why, fmt.Sprintf("micro-batch %d: about 2,048 tokens a pass on the CPU", spec.MicroBatch))
		}
		if spec.GradAccum == 0 {
			perRow := max(1, seq/max(tl.P50, 1))
			spec.GradAccum = max(1, (16+spec.MicroBatch*perRow-1)/(spec.MicroBatch*perRow))
			why = append(why, fmt.Sprintf("accumulation %d: about 16 examples a step (%d a row packed)", spec.GradAccum, perRow))
		}
	}
	return spec.Defaults(), why, nil
}
