// Package core is Hone's use-case layer: everything the window (app/) and
// the command line (app/cli) both do goes through a *Hone, so they run the
// same code and see the same data. It owns:
//
//   - opening Hone: the data folder, the database, the machine prober and the
//     job runner, with the start-up repairs (jobs of dead processes marked
//     interrupted, datasets a killed import left half-written removed);
//   - the use cases: doctor, plan, datasets (import as a job with a
//     structured result, report, fix, split, mix, export, delete), models
//     (scan, folders, download as a job), and starting jobs, in this process
//     or in a child process of this binary (the hidden `hone job-run`);
//   - the registry of the work a child process can run (Options.Kinds).
//
// It holds no presentation: app/ turns results into Wails bindings and
// events, app/cli into text and JSON.
package core

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/hone-ai/hone/backend/datadir"
	"github.com/hone-ai/hone/backend/dataset"
	"github.com/hone-ai/hone/backend/hw"
	"github.com/hone-ai/hone/backend/jobs"
	"github.com/hone-ai/hone/backend/plan"
	"github.com/hone-ai/hone/backend/store"
)

// Options says where Hone keeps its data and which GPUs it sees.
type Options struct {
	DataDir string // empty: datadir.Resolve decides
	Getenv  func(string) string
	// FakeGPUs replaces NVML by a fixed list (hw.ParseFake syntax), for tests
	// and for trying the UI on a machine without the card.
	FakeGPUs  string
	CUDABuilt bool
	Version   string
	Events    jobs.Emitter
	// Kinds add jobs a child process can run to Hone's own (training...),
	// or replace them by name: tests register theirs here.
	Kinds jobs.Kinds
	// ForChild opens Hone inside a child process that runs one job: the
	// parent is alive and owns the start-up repairs, so they are skipped,
	// and there is no job runner.
	ForChild bool
}

// Hone is an opened data folder with its services.
type Hone struct {
	Version string
	DataDir string
	Store   *store.Store
	Prober  *hw.Prober
	Jobs    *jobs.Runner
	getenv  func(string) string
	kinds   jobs.Kinds
	closers []func()
	// chat serves base models and their adapters to the chat (chat.go);
	// nil: the chat's use cases answer ErrChatUnavailable.
	chat     generatorSource
	server   *chatServer // the child `hone serve` behind chat, when Open made it
	chatBusy chatLocks
}

// Open prepares the data folder and opens the database. Errors wrap
// datadir.ErrNotWritable, store.ErrCorrupt or store.ErrNewerSchema so that
// callers can tell the user what to do.
func Open(ctx context.Context, o Options) (*Hone, error) {
	if o.Getenv == nil {
		o.Getenv = os.Getenv
	}
	dir, err := datadir.Resolve(o.DataDir, o.Getenv)
	if err != nil {
		return nil, err
	}
	if err := datadir.Prepare(dir); err != nil {
		return nil, err
	}
	var gpus hw.GPUSource
	h := &Hone{Version: o.Version, DataDir: dir, getenv: o.Getenv}
	if o.FakeGPUs != "" {
		f, err := hw.ParseFake(o.FakeGPUs)
		if err != nil {
			return nil, err
		}
		gpus = f
	} else {
		n := hw.NewNVML()
		h.closers = append(h.closers, n.Close)
		gpus = n
	}
	h.Prober = hw.NewProber(gpus, dir, o.CUDABuilt)
	if h.Store, err = store.Open(ctx, filepath.Join(dir, store.FileName)); err != nil {
		h.Close()
		return nil, err
	}
	h.closers = append(h.closers, func() { h.Store.Close() })
	kinds := h.childKinds()
	for k, f := range o.Kinds {
		kinds[k] = f
	}
	o.Kinds = kinds
	h.kinds = o.Kinds
	if o.ForChild {
		return h, nil
	}
	if err := h.repair(ctx); err != nil {
		h.Close()
		return nil, err
	}
	if h.Jobs, err = jobs.NewRunner(ctx, h.Store, o.Events, jobs.Options{Child: h.childCommand(o), Kinds: o.Kinds}); err != nil {
		h.Close()
		return nil, err
	}
	if err := h.settleDeadRuns(ctx); err != nil {
		h.Close()
		return nil, err
	}
	cs := &chatServer{dataDir: dir}
	h.chat, h.server = chatSource{h: h, s: cs}, cs
	h.closers = append(h.closers, cs.stop)
	return h, nil
}

// repair removes the datasets an import killed halfway left invisible. A
// live Hone beside this one (the window while a command runs) may be
// importing right now: then the repair waits for a start with none.
func (h *Hone) repair(ctx context.Context) error {
	live, err := h.Store.LiveJobs(ctx, os.Getpid(), jobs.Alive)
	if err != nil || live > 0 {
		return err
	}
	_, err = dataset.Cleanup(ctx, h.Store)
	return err
}

// Close cancels running jobs, waits for them to record their end, and
// releases everything Open took.
func (h *Hone) Close() {
	if h.Jobs != nil {
		h.pauseRuns() // closing the window pauses training: it resumes from here
		h.Jobs.Shutdown()
	}
	for i := len(h.closers) - 1; i >= 0; i-- {
		h.closers[i]()
	}
	h.closers = nil
}

// Doctor is the report `hone doctor` prints and the System screen shows.
type Doctor struct {
	hw.Report
	Version  string   `json:"version"`
	DataDir  string   `json:"dataDir"`
	Database Database `json:"database"`
}

// Database describes the opened database file.
type Database struct {
	Path          string `json:"path"`
	SchemaVersion int    `json:"schemaVersion"`
	Health        string `json:"health"` // "ok" or what quick_check found
}

// Doctor probes the machine and checks the database.
func (h *Hone) Doctor(ctx context.Context) (Doctor, error) {
	r, err := h.Prober.Probe(ctx)
	if err != nil {
		return Doctor{}, err
	}
	db, err := h.DatabaseInfo(ctx)
	if err != nil {
		return Doctor{}, err
	}
	return Doctor{Report: r, Version: h.Version, DataDir: h.DataDir, Database: db}, nil
}

// DatabaseInfo reads the schema version and runs SQLite's quick_check.
func (h *Hone) DatabaseInfo(ctx context.Context) (Database, error) {
	db := Database{Path: h.Store.Path, Health: "ok"}
	v, err := h.Store.Version(ctx)
	if err != nil {
		return Database{}, fmt.Errorf("read schema version: %w", err)
	}
	db.SchemaVersion = v
	if err := h.Store.Check(ctx); err != nil {
		db.Health = err.Error()
	}
	return db, nil
}

// PlanForDataset plans for the token lengths of a dataset, counted with the
// model's own tokenizer and chat template: the model must be on disk.
func (h *Hone) PlanForDataset(ctx context.Context, req plan.Request, datasetID int64) (plan.Result, error) {
	if _, err := os.Stat(req.Model); err != nil {
		return plan.Result{}, fmt.Errorf("token lengths need the model's tokenizer: give a model folder or .gguf file, not %q", req.Model)
	}
	tl, err := dataset.CountTokens(ctx, h.Store, datasetID, req.Model, 1<<20)
	if err != nil {
		return plan.Result{}, err
	}
	if tl.Examples == 0 {
		return plan.Result{}, fmt.Errorf("dataset %d: no example could be rendered with this model's template: %s", datasetID, tl.FirstError)
	}
	req.Tokens = &plan.TokenStats{Count: tl.Examples, P50: tl.P50, P95: tl.P95, P99: tl.P99, Max: tl.Max}
	return h.Plan(ctx, req)
}

// Plan answers a planning request for this machine's GPUs with the prices
// in the data folder.
func (h *Hone) Plan(ctx context.Context, req plan.Request) (plan.Result, error) {
	r, err := h.Prober.Probe(ctx)
	if err != nil {
		return plan.Result{}, err
	}
	prices, err := plan.LoadPrices(h.DataDir)
	if err != nil {
		return plan.Result{}, err
	}
	return plan.Plan(req, r.GPUs, prices)
}

// PlanChoices is what a plan can be made for: catalogue models, the cards
// one can pick, and the GPUs in this machine.
type PlanChoices struct {
	Models     []plan.CatalogueModel `json:"models"`
	Cards      []hw.Card             `json:"cards"`
	GPUs       []hw.GPU              `json:"gpus"`
	PricesFile string                `json:"pricesFile"`
}

// PlanChoices lists them.
func (h *Hone) PlanChoices(ctx context.Context) (PlanChoices, error) {
	models, err := plan.Catalogue()
	if err != nil {
		return PlanChoices{}, err
	}
	r, err := h.Prober.Probe(ctx)
	if err != nil {
		return PlanChoices{}, err
	}
	return PlanChoices{Models: models, Cards: hw.Cards(), GPUs: r.GPUs, PricesFile: filepath.Join(h.DataDir, plan.PricesFile)}, nil
}
