package jobs

import (
	"context"
	"errors"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/hone-ai/hone/backend/store"
)

type recorder struct {
	mu   sync.Mutex
	jobs []store.Job
}

func (r *recorder) Emit(event string, data any) {
	if event != Event {
		return
	}
	r.mu.Lock()
	r.jobs = append(r.jobs, data.(store.Job))
	r.mu.Unlock()
}

func (r *recorder) last() store.Job {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.jobs[len(r.jobs)-1]
}

func newRunner(t *testing.T) (*Runner, *store.Store, *recorder) {
	t.Helper()
	st, err := store.Open(context.Background(), filepath.Join(t.TempDir(), store.FileName))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	rec := &recorder{}
	r, err := NewRunner(context.Background(), st, rec, Options{})
	if err != nil {
		t.Fatal(err)
	}
	r.throttle = 0
	return r, st, rec
}

func TestJobOutcomes(t *testing.T) {
	boom := errors.New("boom")
	tests := []struct {
		name      string
		fn        func(ctx context.Context, p Report) error
		cancel    bool
		wantState string
		wantError string
	}{
		{"succeeds", func(ctx context.Context, p Report) error {
			for i := range 4 {
				p(Progress{Fraction: float64(i) / 4, Message: "step"})
			}
			return nil
		}, false, store.JobSucceeded, ""},
		{"fails", func(ctx context.Context, p Report) error { p(Progress{Fraction: 0.5, Message: "half"}); return boom }, false, store.JobFailed, "boom"},
		{"cancelled", func(ctx context.Context, p Report) error {
			p(Progress{Fraction: 0.1, Message: "waiting"})
			<-ctx.Done()
			return ctx.Err()
		}, true, store.JobCancelled, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			r, _, rec := newRunner(t)
			fn := tt.fn
			id, err := r.Start(ctx, Spec{Kind: "test", Title: tt.name, Run: func(ctx context.Context, p Report) (any, error) { return nil, fn(ctx, p) }})
			if err != nil {
				t.Fatal(err)
			}
			if tt.cancel {
				waitFor(t, func() bool { return rec.last().Message == "waiting" })
				if err := r.Cancel(id); err != nil {
					t.Fatal(err)
				}
			}
			r.Wait()
			j, err := r.Job(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			if j.State != tt.wantState || j.Error != tt.wantError || j.FinishedAt == nil {
				t.Fatalf("job %+v, want state %s error %q", j, tt.wantState, tt.wantError)
			}
			if last := rec.last(); last.State != tt.wantState || last.ID != id {
				t.Errorf("last event %+v", last)
			}
			if tt.wantState == store.JobSucceeded && j.Progress != 1 {
				t.Errorf("progress %v after success", j.Progress)
			}
			if err := r.Cancel(id); !errors.Is(err, ErrNotRunning) {
				t.Errorf("cancel after the end: %v", err)
			}
		})
	}
}

func TestProgressIsPersistedWhileRunning(t *testing.T) {
	ctx := context.Background()
	r, st, _ := newRunner(t)
	release := make(chan struct{})
	id, _ := r.Start(ctx, Spec{Kind: "test", Title: "slow", Run: func(ctx context.Context, p Report) (any, error) {
		p(Progress{Fraction: 0.4, Message: "reading"})
		<-release
		return nil, nil
	}})
	waitFor(t, func() bool { j, _ := st.Job(ctx, id); return j.Progress == 0.4 })
	j, _ := st.Job(ctx, id)
	if j.State != store.JobRunning || j.Message != "reading" {
		t.Errorf("mid-run row %+v", j)
	}
	close(release)
	r.Wait()
}

func TestRunningJobsOfADeadProcessAreInterrupted(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), store.FileName)
	st, _ := store.Open(ctx, path)
	j := &store.Job{Kind: "train", State: store.JobRunning}
	st.CreateJob(ctx, j)
	st.Close()

	st, _ = store.Open(ctx, path)
	defer st.Close()
	if _, err := NewRunner(ctx, st, &recorder{}, Options{}); err != nil {
		t.Fatal(err)
	}
	got, _ := st.Job(ctx, j.ID)
	if got.State != store.JobInterrupted || got.FinishedAt == nil {
		t.Fatalf("job after restart %+v", got)
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met in 10 s")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// A job's structured progress and result: the step's metrics are kept for
// every step even when the row and the events are throttled, the result is
// the job's JSON, and Watch sees the same updates as the Emitter.
func TestStructuredProgressAndResult(t *testing.T) {
	ctx := context.Background()
	r, st, rec := newRunner(t)
	r.throttle = time.Hour // only the first report and the end go out
	var watched []store.Job
	id, err := r.Start(ctx, Spec{Kind: "train", Title: "steps", Watch: func(j store.Job) { watched = append(watched, j) },
		Run: func(ctx context.Context, report Report) (any, error) {
			for step := int64(1); step <= 5; step++ {
				report(Progress{Fraction: float64(step) / 5, Message: "training", Step: step, Metrics: store.Metrics{"loss": 10 / float64(step)}})
			}
			return map[string]any{"adapterId": 3, "loss": 2.0}, nil
		}})
	if err != nil {
		t.Fatal(err)
	}
	j, err := r.Await(id)
	if err != nil {
		t.Fatal(err)
	}
	if j.State != store.JobSucceeded || j.Step != 5 || j.Metrics["loss"] != 2 || string(j.Result) != `{"adapterId":3,"loss":2}` {
		t.Fatalf("job %+v", j)
	}
	ms, err := st.JobMetrics(ctx, id)
	if err != nil || len(ms) != 5 || ms[0].Metrics["loss"] != 10 || ms[4].Step != 5 {
		t.Fatalf("per-step metrics %+v, %v", ms, err)
	}
	rec.mu.Lock()
	events := len(rec.jobs)
	rec.mu.Unlock()
	if len(watched) != events || watched[len(watched)-1].State != store.JobSucceeded {
		t.Errorf("watch saw %d updates, the emitter %d; last %+v", len(watched), events, watched[len(watched)-1])
	}
	if events != 3 { // created, the first report, the end
		t.Errorf("%d events under a long throttle, want 3", events)
	}
}
