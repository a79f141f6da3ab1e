package app

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/hone-ai/hone/backend/core"
	"github.com/hone-ai/hone/backend/dataset"
	"github.com/hone-ai/hone/backend/hw"
	"github.com/hone-ai/hone/backend/model"
	"github.com/hone-ai/hone/backend/plan"
	"github.com/hone-ai/hone/backend/store"
	"github.com/hone-ai/hone/backend/train"
	"github.com/shirou/gopsutil/v4/cpu"
)

// Train is the Train screen: the form's choices and defaults, a pre-flight
// of the settings, runs started, paused, resumed and cancelled, their
// metrics, the adapters they made, and the machine while they train. A
// run's job (kind "train", in a child process) sends its steps as "job"
// events like any other job.
type Train struct {
	shell *Shell
	h     *core.Hone
	cpu   cpuMeter
}

// TrainChoices is what the form offers: the models on this machine, the
// datasets, and the settings a run gets when the user changes nothing.
type TrainChoices struct {
	Models []model.Found `json:"models"`
	// ModelsError says why the scan of the model folders failed; the form
	// still takes a path.
	ModelsError string            `json:"modelsError,omitempty"`
	Datasets    []dataset.Dataset `json:"datasets"`
	Defaults    train.Spec        `json:"defaults"`
}

// Started names the run a start made (or resumed) and the job training it.
type Started struct {
	RunID int64 `json:"runId"`
	JobID int64 `json:"jobId"`
}

// RunDetail is a run with its per-step metrics and the warnings its last
// job ended with. (Named fields, not core.RunView embedded: Wails' binding
// generator leaves out the types of an embedded struct's fields.)
type RunDetail struct {
	Run     store.Run         `json:"run"`
	Metrics []store.RunMetric `json:"metrics"`
	// Warnings come from the run's Summary when the run wrote one, else
	// from its last job's result (train.Result.Warnings).
	Warnings []string `json:"warnings"`
}

// Preflight is what the form shows before Start: the settings as the run
// will take them, the first one it cannot start with, and the memory
// estimate of a step against the device that will train.
type Preflight struct {
	Spec    train.Spec `json:"spec"`
	Problem string     `json:"problem,omitempty"`
	// Estimate of the method in Spec; nil with EstimateError when the model
	// cannot be read.
	Estimate      *plan.Estimate `json:"estimate,omitempty"`
	EstimateError string         `json:"estimateError,omitempty"`
	// Device is where the run will train ("CPU" or "GPU 0 · NVIDIA ..."),
	// Free the memory free there (RAM on the CPU), Fits whether the peak
	// stays within 90% of it.
	Device string `json:"device"`
	Free   uint64 `json:"free"`
	Fits   bool   `json:"fits"`
}

// Telemetry is the machine while a run trains: the System screen's report
// and the share of the CPU in use since the previous reading.
type Telemetry struct {
	Report hw.Report `json:"report"`
	CPUPct float64   `json:"cpuPct"` // 0..100 over all cores; -1 on the first reading
}

// DefaultSpec is what a run gets for the fields the user leaves empty.
func (t *Train) DefaultSpec() train.Spec { return train.DefaultSpec() }

// Choices lists the models on this machine and the datasets. A failed
// model scan is reported beside the datasets, not instead of them.
func (t *Train) Choices() (TrainChoices, error) {
	c := TrainChoices{Defaults: t.DefaultSpec(), Models: []model.Found{}}
	ds, err := t.h.Datasets(t.shell.ctx)
	if err != nil {
		return c, fmt.Errorf("list the datasets: %w", err)
	}
	c.Datasets = ds
	if ms, err := t.h.Models(t.shell.ctx); err != nil {
		c.ModelsError = err.Error()
	} else {
		c.Models = ms
	}
	return c, nil
}

// Preflight checks spec as StartTrain would and estimates its memory.
func (t *Train) Preflight(spec train.Spec) (Preflight, error) {
	ctx := t.shell.ctx
	spec = spec.Defaults()
	if spec.OutDir == "" {
		spec.OutDir = "(in the data folder)" // StartTrain picks it; Check only wants one
	}
	p := Preflight{Spec: spec, Problem: t.problem(ctx, spec)}
	r, err := t.h.Prober.Probe(ctx)
	if err != nil {
		return p, err
	}
	p.Device, p.Free = trainingDevice(r)
	if spec.Model == "" {
		return p, nil
	}
	e, err := estimate(spec, p.Device == "CPU")
	if err != nil {
		p.EstimateError = err.Error()
		return p, nil
	}
	p.Estimate = &e
	p.Fits = float64(e.Peak) <= 0.9*float64(p.Free)
	return p, nil
}

// problem is the first setting a run of spec cannot start with, in the
// form's order, or "": StartTrain's checks, and the model's file, whose
// absence would fail the run in its child at once.
func (t *Train) problem(ctx context.Context, spec train.Spec) string {
	if err := spec.Check(); err != nil {
		return err.Error()
	}
	if _, err := os.Stat(spec.Model); err != nil {
		return fmt.Sprintf("run setting \"model\": %v", err)
	}
	if _, err := t.h.Dataset(ctx, spec.Dataset); err != nil {
		return fmt.Sprintf("run setting \"dataset\": %v", err)
	}
	if spec.EvalDataset != 0 {
		if _, err := t.h.Dataset(ctx, spec.EvalDataset); err != nil {
			return fmt.Sprintf("run setting \"evalDataset\": %v", err)
		}
	}
	return ""
}

// trainingDevice is the device a run trains on and its free memory.
func trainingDevice(r hw.Report) (string, uint64) {
	if r.Device.Name == "cuda" {
		for _, g := range r.GPUs {
			if g.Index == r.Device.GPU {
				return fmt.Sprintf("GPU %d · %s", g.Index, g.Name), g.MemoryFree
			}
		}
	}
	return "CPU", r.Memory.Available
}

// estimate is the planner's memory estimate of one step of spec on Hone's
// own trainer (chunked loss, tiled attention, AdamW 32-bit), on the CPU
// engine's terms (f32, no CUDA context) when that is where it trains.
func estimate(s train.Spec, onCPU bool) (plan.Estimate, error) {
	info, err := plan.ResolveModel(s.Model)
	if err != nil {
		return plan.Estimate{}, err
	}
	set := plan.HoneDefaults(plan.Method(s.Method))
	set.SeqLen, set.MicroBatch, set.Rank, set.Checkpointing, set.CPU = s.SeqLen, s.MicroBatch, s.Rank, s.Checkpointing, onCPU
	if len(s.Targets) > 0 {
		set.Targets = s.Targets
	}
	return plan.EstimateMemory(info.Config, set)
}

// Measure runs two real micro-batches of spec in a child process and says
// what they measured: step time, the run's minutes, peak memory against
// free, and whether it fits (core.Preflight; seconds, a model load).
func (t *Train) Measure(spec train.Spec) (train.Preflight, error) {
	return t.h.Preflight(t.shell.ctx, spec)
}

// StartTrain records a run of spec and starts it in a child process (or
// resumes the stopped run that writes to the same output folder).
func (t *Train) StartTrain(spec train.Spec) (Started, error) {
	if spec.Now.IsZero() {
		// Fixed once, so that a resumed run renders the same dates.
		spec.Now = time.Now().UTC().Truncate(time.Second)
	}
	run, job, err := t.h.StartTrain(t.shell.ctx, spec, nil)
	return Started{RunID: run, JobID: job}, err
}

// PauseRun stops a run after a checkpoint; ResumeRun continues it.
func (t *Train) PauseRun(id int64) error { return t.h.PauseRun(t.shell.ctx, id) }

// ResumeRun continues a paused, cancelled, failed or interrupted run; it
// returns the new job's id.
func (t *Train) ResumeRun(id int64) (int64, error) { return t.h.ResumeRun(t.shell.ctx, id, nil) }

// CancelRun stops a run; its checkpoints stay, so it can still resume.
func (t *Train) CancelRun(id int64) error { return t.h.CancelRun(t.shell.ctx, id) }

// Runs lists the runs, newest first.
func (t *Train) Runs() ([]store.Run, error) {
	rs, err := t.h.Runs(t.shell.ctx)
	if rs == nil {
		rs = []store.Run{}
	}
	return rs, err
}

// Run is one run with its metrics and warnings.
func (t *Train) Run(id int64) (RunDetail, error) {
	v, err := t.h.Run(t.shell.ctx, id)
	if err != nil {
		return RunDetail{}, err
	}
	if v.Metrics == nil {
		v.Metrics = []store.RunMetric{}
	}
	d := RunDetail{Run: v.Run, Metrics: v.Metrics, Warnings: warningsOf(v.Summary)}
	if d.Warnings == nil && v.JobID != nil {
		if j, err := t.h.Jobs.Job(t.shell.ctx, *v.JobID); err == nil {
			d.Warnings = warningsOf(j.Result)
		}
	}
	if d.Warnings == nil {
		d.Warnings = []string{}
	}
	return d, nil
}

// warningsOf reads the "warnings" list of a JSON document; nil when it has none.
func warningsOf(doc []byte) []string {
	var w struct {
		Warnings []string `json:"warnings"`
	}
	if len(doc) == 0 || json.Unmarshal(doc, &w) != nil {
		return nil
	}
	return w.Warnings
}

// Adapters lists the trained adapters, newest first.
func (t *Train) Adapters() ([]store.Adapter, error) {
	as, err := t.h.Adapters(t.shell.ctx)
	if as == nil {
		as = []store.Adapter{}
	}
	return as, err
}

// Telemetry reads the machine now; the screen asks once a second while a
// run trains (a probe costs a few milliseconds of one core).
func (t *Train) Telemetry() (Telemetry, error) {
	r, err := t.h.Prober.Probe(t.shell.ctx)
	if err != nil {
		return Telemetry{}, err
	}
	return Telemetry{Report: r, CPUPct: t.cpu.read()}, nil
}

// cpuMeter turns the machine's cumulative CPU times into the share busy
// since the previous reading. (hw.Report has no CPU load yet.)
type cpuMeter struct {
	mu         sync.Mutex
	busy, idle float64
	ok         bool
}

func (m *cpuMeter) read() float64 {
	ts, err := cpu.Times(false)
	if err != nil || len(ts) == 0 {
		return -1
	}
	idle := ts[0].Idle + ts[0].Iowait
	busy := ts[0].Total() - idle
	m.mu.Lock()
	defer m.mu.Unlock()
	pct := busyShare(m.busy, m.idle, busy, idle, m.ok)
	m.busy, m.idle, m.ok = busy, idle, true
	return pct
}

// busyShare is the busy share in percent between two readings of the
// cumulative times; -1 without a previous reading or time between them.
func busyShare(busy0, idle0, busy1, idle1 float64, had bool) float64 {
	db, di := busy1-busy0, idle1-idle0
	if !had || db < 0 || di < 0 || db+di <= 0 {
		return -1
	}
	return 100 * db / (db + di)
}
