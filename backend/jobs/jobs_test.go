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
	r, err := NewRunner(context.Background(), st, rec)
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
		fn        Func
		cancel    bool
		wantState string
		wantError string
	}{
		{"succeeds", func(ctx context.Context, p Progress) error {
			for i := range 4 {
				p(float64(i)/4, "step")
			}
			return nil
		}, false, store.JobSucceeded, ""},
		{"fails", func(ctx context.Context, p Progress) error { p(0.5, "half"); return boom }, false, store.JobFailed, "boom"},
		{"cancelled", func(ctx context.Context, p Progress) error {
			p(0.1, "waiting")
			<-ctx.Done()
			return ctx.Err()
		}, true, store.JobCancelled, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			r, _, rec := newRunner(t)
			id, err := r.Start(ctx, "test", tt.name, tt.fn)
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
	id, _ := r.Start(ctx, "test", "slow", func(ctx context.Context, p Progress) error {
		p(0.4, "reading")
		<-release
		return nil
	})
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
	if _, err := NewRunner(ctx, st, &recorder{}); err != nil {
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
