// Package jobs runs long work (imports, training, evaluation) in the
// background: progress, cancellation through context, state kept in SQLite,
// and events for the UI through an interface the caller implements.
package jobs

import (
	"context"
	"errors"
	"fmt"
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

// Progress reports how far a job is: fraction in 0..1 and a short message.
type Progress func(fraction float64, message string)

// Func is the work itself. It must return soon after ctx is cancelled.
type Func func(ctx context.Context, progress Progress) error

// Runner starts jobs and tracks the running ones.
type Runner struct {
	st       *store.Store
	emit     Emitter
	throttle time.Duration

	mu      sync.Mutex
	cancels map[int64]context.CancelFunc
	wg      sync.WaitGroup
}

// NewRunner marks jobs a previous process left running as interrupted and
// returns a runner that records new ones in st.
func NewRunner(ctx context.Context, st *store.Store, emit Emitter) (*Runner, error) {
	if _, err := st.InterruptRunningJobs(ctx); err != nil {
		return nil, fmt.Errorf("jobs: mark interrupted jobs: %w", err)
	}
	return &Runner{st: st, emit: emit, throttle: 200 * time.Millisecond, cancels: map[int64]context.CancelFunc{}}, nil
}

// ErrNotRunning is returned when cancelling a job that is not running.
var ErrNotRunning = errors.New("job is not running")

// Start records a new job and runs fn in the background. The job ends when
// fn returns or when ctx or Cancel stops it.
func (r *Runner) Start(ctx context.Context, kind, title string, fn Func) (int64, error) {
	j := &store.Job{Kind: kind, Title: title, State: store.JobRunning}
	if err := r.st.CreateJob(ctx, j); err != nil {
		return 0, fmt.Errorf("jobs: start %s: %w", kind, err)
	}
	r.emit.Emit(Event, *j)
	ctx, cancel := context.WithCancel(ctx)
	r.mu.Lock()
	r.cancels[j.ID] = cancel
	r.mu.Unlock()
	r.wg.Add(1)
	go r.run(ctx, cancel, j, fn)
	return j.ID, nil
}

func (r *Runner) run(ctx context.Context, cancel context.CancelFunc, j *store.Job, fn Func) {
	defer r.wg.Done()
	defer cancel()
	var mu sync.Mutex // fn may report progress from several goroutines
	var last time.Time
	// Progress is recorded by a goroutine of its own: the job's work must
	// never wait on the database, which the job itself may be writing to.
	dirty := make(chan struct{}, 1)
	persisted := make(chan struct{})
	go func() {
		defer close(persisted)
		for range dirty {
			mu.Lock()
			snapshot := *j
			mu.Unlock()
			r.persist(&snapshot)
		}
	}()
	progress := func(fraction float64, message string) {
		mu.Lock()
		defer mu.Unlock()
		j.Progress, j.Message = min(max(fraction, 0), 1), message
		if time.Since(last) < r.throttle {
			return
		}
		last = time.Now()
		r.emit.Emit(Event, *j)
		select {
		case dirty <- struct{}{}:
		default: // a write is pending; it will take the latest state
		}
	}
	err := fn(ctx, progress)
	close(dirty)
	<-persisted

	now := time.Now().UTC()
	j.FinishedAt = &now
	switch {
	case err == nil:
		j.State, j.Progress = store.JobSucceeded, 1
	case ctx.Err() != nil && errors.Is(err, ctx.Err()):
		j.State = store.JobCancelled
	default:
		j.State, j.Error = store.JobFailed, err.Error()
	}
	r.mu.Lock()
	delete(r.cancels, j.ID)
	r.mu.Unlock()
	r.save(j)
}

// save persists and emits j.
func (r *Runner) save(j *store.Job) {
	r.persist(j)
	r.emit.Emit(Event, *j)
}

// persist writes j. A write that fails (disk full) must not stop the job:
// its state is still emitted.
func (r *Runner) persist(j *store.Job) {
	if err := r.st.SaveJob(context.Background(), j); err != nil && j.Error == "" {
		j.Message = "could not record progress: " + err.Error()
	}
}

// Cancel stops a running job.
func (r *Runner) Cancel(id int64) error {
	r.mu.Lock()
	cancel, ok := r.cancels[id]
	r.mu.Unlock()
	if !ok {
		return fmt.Errorf("jobs: cancel %d: %w", id, ErrNotRunning)
	}
	cancel()
	return nil
}

// Wait blocks until every started job has ended.
func (r *Runner) Wait() { r.wg.Wait() }

// Job returns a job's recorded state.
func (r *Runner) Job(ctx context.Context, id int64) (store.Job, error) {
	return r.st.Job(ctx, id)
}

// List returns the newest jobs first.
func (r *Runner) List(ctx context.Context, limit int) ([]store.Job, error) {
	return r.st.Jobs(ctx, limit)
}
