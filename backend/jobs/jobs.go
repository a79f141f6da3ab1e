// Package jobs runs Hone's long work and keeps its record in SQLite's jobs
// table. It owns a job's life, not what a job does:
//
//   - A job is a row created "running", then reports structured Progress
//     (fraction, message, and the step and metrics a trainer or evaluator
//     fills), throttled into the row and emitted as "job" events; every
//     step's metrics also go to job_metrics. It ends succeeded with a JSON
//     result (the new dataset's id, final metrics), failed with the error,
//     or cancelled.
//   - Work runs in this process (Start: imports, downloads) or in a child
//     process of the same binary (StartChild: training, evaluation, serving,
//     which load GPU drivers and run for hours), so that a driver abort, an
//     out-of-memory kill or a kernel fault ends the job and not the window.
//     The child runs a KindFunc registered under the job's kind (RunChild),
//     writes the job's row itself and sends Messages, one JSON object a line
//     on its stdout, which the parent forwards as events. Cancel is SIGTERM,
//     then SIGKILL after a grace period; a child that dies without ending its
//     job has the job failed by the parent with the reason (the signal, or the
//     exit status and the end of its stderr).
//   - At start, jobs whose process is gone are marked interrupted; jobs of a
//     live Hone beside this one (the window while a command runs) are not.
//
// The window and the CLI reach it through backend/core; both watch a job the
// same way (Spec.Watch, Await) wherever it runs.
package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"sync"
	"time"

	"github.com/hone-ai/hone/backend/store"
)

// Emitter receives job updates; app/ forwards them to the window as events,
// the CLI prints them.
type Emitter interface {
	Emit(event string, data any)
}

// Event is the name of the event every job update is emitted under.
const Event = "job"

// Progress is one report of how far a job is.
type Progress struct {
	Fraction float64 `json:"fraction"` // 0..1
	Message  string  `json:"message"`
	// Step is the work's own count (a training step); a report with a step
	// is also kept in job_metrics with its Metrics.
	Step    int64         `json:"step,omitempty"`
	Metrics store.Metrics `json:"metrics,omitempty"` // loss, lr, tokensPerSec...
}

// Report is how work reports progress; it is safe to call from several
// goroutines and never waits on the database.
type Report func(Progress)

// Func is work run in this process. Its result, if not nil, is stored as
// the job's JSON result. It must return soon after ctx is cancelled.
type Func func(ctx context.Context, report Report) (any, error)

// KindFunc is work run in a child process: spec is the input the parent
// stored with the job. It must return soon after ctx is cancelled (SIGTERM).
type KindFunc func(ctx context.Context, spec json.RawMessage, report Report) (any, error)

// Kinds is the registry of work a child can run, by job kind.
type Kinds map[string]KindFunc

// Spec says what job to start.
type Spec struct {
	Kind  string
	Title string
	Run   Func // Start: the work
	Input any  // StartChild: the child's input, stored as the job's spec
	// Watch, if set, gets every update of this job besides the Emitter: the
	// CLI prints its own job's progress this way.
	Watch func(store.Job)
}

// Options configure a Runner.
type Options struct {
	// Child makes the command that runs job id in a child process: in Hone,
	// this binary's hidden `job-run --job ID`. Nil: StartChild refuses.
	Child func(id int64) *exec.Cmd
	// Kinds are the kinds a child can run; StartChild refuses others.
	Kinds Kinds
	// Grace is how long a cancelled child has to stop before it is killed.
	Grace time.Duration
}

// Runner starts jobs and tracks the running ones.
type Runner struct {
	st       *store.Store
	emit     Emitter
	opts     Options
	throttle time.Duration

	mu      sync.Mutex
	running map[int64]*running
	wg      sync.WaitGroup
}

// running is a started job: how to stop it, and a channel closed once its
// final state is recorded.
type running struct {
	cancel context.CancelFunc
	done   chan struct{}
}

// NewRunner marks jobs whose process is gone as interrupted and returns a
// runner that records new ones in st.
func NewRunner(ctx context.Context, st *store.Store, emit Emitter, opts Options) (*Runner, error) {
	if _, err := st.InterruptRunningJobs(ctx, os.Getpid(), Alive); err != nil {
		return nil, fmt.Errorf("jobs: mark interrupted jobs: %w", err)
	}
	if opts.Grace <= 0 {
		opts.Grace = 10 * time.Second
	}
	return &Runner{st: st, emit: emit, opts: opts, throttle: 200 * time.Millisecond, running: map[int64]*running{}}, nil
}

// ErrNotRunning is returned when cancelling a job that is not running.
var ErrNotRunning = errors.New("job is not running")

// Start records a new job and runs s.Run in this process, in the
// background. The job ends when Run returns or when ctx or Cancel stops it.
func (r *Runner) Start(ctx context.Context, s Spec) (int64, error) {
	if s.Run == nil {
		return 0, fmt.Errorf("jobs: start %s: no work given", s.Kind)
	}
	j := store.Job{Kind: s.Kind, Title: s.Title, State: store.JobRunning, PID: os.Getpid()}
	if err := r.st.CreateJob(ctx, &j); err != nil {
		return 0, fmt.Errorf("jobs: start %s: %w", s.Kind, err)
	}
	ctx, e := r.add(ctx, j.ID)
	emit := r.emitter(s.Watch)
	emit(j)
	t := newTracker(r.st, j, r.throttle, emit)
	go func() {
		defer r.finish(j.ID, e)
		res, err := s.Run(ctx, t.report)
		t.end(ctx, res, err)
	}()
	return j.ID, nil
}

// emitter sends a job update to the Emitter and to watch.
func (r *Runner) emitter(watch func(store.Job)) func(store.Job) {
	return func(j store.Job) {
		r.emit.Emit(Event, j)
		if watch != nil {
			watch(j)
		}
	}
}

// add registers a starting job and returns its context.
func (r *Runner) add(ctx context.Context, id int64) (context.Context, *running) {
	ctx, cancel := context.WithCancel(ctx)
	e := &running{cancel: cancel, done: make(chan struct{})}
	r.mu.Lock()
	r.running[id] = e
	r.mu.Unlock()
	r.wg.Add(1)
	return ctx, e
}

// finish forgets an ended job, whose final state is recorded.
func (r *Runner) finish(id int64, e *running) {
	e.cancel()
	r.mu.Lock()
	delete(r.running, id)
	r.mu.Unlock()
	close(e.done)
	r.wg.Done()
}

// Cancel stops a running job: its context is cancelled, and a child gets
// SIGTERM, then SIGKILL if it has not stopped after the grace period.
func (r *Runner) Cancel(id int64) error {
	r.mu.Lock()
	e, ok := r.running[id]
	r.mu.Unlock()
	if !ok {
		return fmt.Errorf("jobs: cancel %d: %w", id, ErrNotRunning)
	}
	e.cancel()
	return nil
}

// Await blocks until a job started here has ended and returns its final
// record; for any other job it returns the record as it is.
func (r *Runner) Await(id int64) (store.Job, error) {
	r.mu.Lock()
	e := r.running[id]
	r.mu.Unlock()
	if e != nil {
		<-e.done
	}
	return r.st.Job(context.Background(), id)
}

// Wait blocks until every started job has ended.
func (r *Runner) Wait() { r.wg.Wait() }

// Running reports whether job id runs under this runner (in process or in
// a child it started).
func (r *Runner) Running(id int64) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	_, ok := r.running[id]
	return ok
}

// Shutdown cancels every running job and waits for them to end: a window
// that closes does not leave work running unseen.
func (r *Runner) Shutdown() {
	r.mu.Lock()
	for _, e := range r.running {
		e.cancel()
	}
	r.mu.Unlock()
	r.wg.Wait()
}

// Job returns a job's recorded state.
func (r *Runner) Job(ctx context.Context, id int64) (store.Job, error) {
	return r.st.Job(ctx, id)
}

// List returns the newest jobs first.
func (r *Runner) List(ctx context.Context, limit int) ([]store.Job, error) {
	return r.st.Jobs(ctx, limit)
}

// Metrics returns a job's per-step metrics.
func (r *Runner) Metrics(ctx context.Context, id int64) ([]store.JobMetric, error) {
	return r.st.JobMetrics(ctx, id)
}
