package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/hone-ai/hone/backend/store"
)

// tracker keeps one running job's row: the work reports progress, the
// tracker emits it and writes it, and end records the outcome. The same
// tracker serves a job in this process and one in a child, which writes its
// own row.
type tracker struct {
	st       *store.Store
	throttle time.Duration
	emit     func(store.Job) // called with mu held: updates go out in order

	mu    sync.Mutex
	j     store.Job
	last  time.Time
	steps []store.JobMetric // per-step metrics not yet written
	// Progress is written by a goroutine of its own: the work must never
	// wait on the database, which the work itself may be writing to.
	dirty     chan struct{}
	persisted chan struct{}
}

func newTracker(st *store.Store, j store.Job, throttle time.Duration, emit func(store.Job)) *tracker {
	t := &tracker{st: st, throttle: throttle, emit: emit, j: j, dirty: make(chan struct{}, 1), persisted: make(chan struct{})}
	go t.persistLoop()
	return t
}

func (t *tracker) persistLoop() {
	defer close(t.persisted)
	for range t.dirty {
		t.mu.Lock()
		snapshot, steps := t.j, t.steps
		t.steps = nil
		t.mu.Unlock()
		t.persist(&snapshot, steps)
	}
}

// report records p; the row and the events follow at most every throttle,
// but every step's metrics are kept.
func (t *tracker) report(p Progress) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.j.Progress, t.j.Message = min(max(p.Fraction, 0), 1), p.Message
	if p.Step > 0 {
		t.j.Step = p.Step
		t.steps = append(t.steps, store.JobMetric{JobID: t.j.ID, Step: p.Step, Metrics: p.Metrics, CreatedAt: time.Now().UTC()})
	}
	if p.Metrics != nil {
		t.j.Metrics = p.Metrics
	}
	if time.Since(t.last) < t.throttle {
		return
	}
	t.last = time.Now()
	t.emit(t.j)
	select {
	case t.dirty <- struct{}{}:
	default: // a write is pending; it will take the latest state
	}
}

// end records the outcome of the work: succeeded with its result, cancelled
// when ctx was cancelled and the work returned that, else failed. It returns
// the final row.
func (t *tracker) end(ctx context.Context, result any, err error) store.Job {
	close(t.dirty)
	<-t.persisted
	t.mu.Lock()
	defer t.mu.Unlock()
	if err == nil && result != nil {
		b, merr := json.Marshal(result)
		if merr != nil {
			err = fmt.Errorf("record the result: %w", merr)
		}
		t.j.Result = b
	}
	now := time.Now().UTC()
	t.j.FinishedAt = &now
	switch {
	case err == nil:
		t.j.State, t.j.Progress = store.JobSucceeded, 1
	case ctx.Err() != nil && errors.Is(err, ctx.Err()):
		t.j.State = store.JobCancelled
	default:
		t.j.State, t.j.Error = store.JobFailed, err.Error()
	}
	steps := t.steps
	t.steps = nil
	t.persist(&t.j, steps)
	t.emit(t.j)
	return t.j
}

// persist writes j and steps' metrics. A write that fails (disk full) must
// not stop the job: its state is still emitted.
func (t *tracker) persist(j *store.Job, steps []store.JobMetric) {
	ctx := context.Background()
	err := t.st.AddJobMetrics(ctx, steps)
	if err == nil {
		err = t.st.SaveJob(ctx, j)
	}
	if err != nil && j.Error == "" {
		j.Message = "could not record progress: " + err.Error()
	}
}
