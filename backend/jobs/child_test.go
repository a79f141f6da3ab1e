//go:build unix

package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/hone-ai/hone/backend/store"
)

// The test binary is also the child: started with these variables set, it
// runs one job as `hone job-run` does, instead of the tests.
const (
	childEnvJob = "HONE_JOBS_TEST_CHILD_JOB"
	childEnvDB  = "HONE_JOBS_TEST_CHILD_DB"
)

func TestMain(m *testing.M) {
	if id := os.Getenv(childEnvJob); id != "" {
		os.Exit(childMain(id, os.Getenv(childEnvDB)))
	}
	if db := os.Getenv(parentEnvDB); db != "" {
		os.Exit(parentMain(db))
	}
	os.Exit(m.Run())
}

func childMain(idText, db string) int {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
	defer stop()
	st, err := store.Open(ctx, db)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer st.Close()
	id, _ := strconv.ParseInt(idText, 10, 64)
	if err := RunChild(ctx, st, testKinds(), id, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

// testKinds are jobs registered only in this test binary.
func testKinds() Kinds {
	return Kinds{
		"count": func(ctx context.Context, spec json.RawMessage, report Report) (any, error) {
			var in struct{ Steps int64 }
			if err := json.Unmarshal(spec, &in); err != nil {
				return nil, err
			}
			for s := int64(1); s <= in.Steps; s++ {
				report(Progress{Fraction: float64(s) / float64(in.Steps), Message: fmt.Sprintf("step %d", s), Step: s, Metrics: store.Metrics{"loss": 1 / float64(s)}})
				time.Sleep(time.Millisecond)
			}
			return map[string]int64{"total": in.Steps}, nil
		},
		"wait": func(ctx context.Context, _ json.RawMessage, report Report) (any, error) {
			report(Progress{Fraction: 0.1, Message: "waiting"})
			<-ctx.Done()
			return nil, ctx.Err()
		},
		"stubborn": func(ctx context.Context, _ json.RawMessage, report Report) (any, error) {
			report(Progress{Fraction: 0.1, Message: "waiting"})
			<-ctx.Done()
			time.Sleep(time.Minute) // a kernel that does not look at ctx
			return nil, nil
		},
		"fail": func(context.Context, json.RawMessage, Report) (any, error) {
			return nil, errors.New("out of memory on GPU 0")
		},
		"exit": func(context.Context, json.RawMessage, Report) (any, error) {
			fmt.Fprintln(os.Stderr, "loading the driver")
			fmt.Fprintln(os.Stderr, "bad config: no GPU")
			os.Exit(3)
			return nil, nil
		},
		"panic": func(context.Context, json.RawMessage, Report) (any, error) {
			panic("kernel fault in layer 3")
		},
	}
}

// newChildRunner is a runner whose children are this test binary.
func newChildRunner(t *testing.T) (*Runner, *store.Store, *recorder) {
	t.Helper()
	path := filepath.Join(t.TempDir(), store.FileName)
	st, err := store.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	rec := &recorder{}
	child := func(id int64) *exec.Cmd {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), childEnvJob+"="+strconv.FormatInt(id, 10), childEnvDB+"="+path)
		return cmd
	}
	r, err := NewRunner(context.Background(), st, rec, Options{Child: child, Kinds: testKinds(), Grace: 300 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(r.Shutdown)
	return r, st, rec
}

func startChild(t *testing.T, r *Runner, kind string, input any) int64 {
	t.Helper()
	id, err := r.StartChild(context.Background(), Spec{Kind: kind, Title: kind, Input: input})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// waitRunning waits until the child reported that it waits, and returns its pid.
func waitRunning(t *testing.T, st *store.Store, rec *recorder, id int64) int {
	t.Helper()
	waitFor(t, func() bool { j := rec.last(); return j.ID == id && j.Message == "waiting" })
	j, err := st.Job(context.Background(), id)
	if err != nil || j.PID == 0 || j.PID == os.Getpid() {
		t.Fatalf("running child job %+v, %v: want the child's pid", j, err)
	}
	return j.PID
}

// The child's progress arrives as events and its result, step and per-step
// metrics are in SQLite, written by the child.
func TestChildJobProgressAndResult(t *testing.T) {
	r, st, rec := newChildRunner(t)
	id := startChild(t, r, "count", map[string]int{"steps": 20})
	j, err := r.Await(id)
	if err != nil {
		t.Fatal(err)
	}
	if j.State != store.JobSucceeded || string(j.Result) != `{"total":20}` || j.Step != 20 || j.Metrics["loss"] != 1.0/20 || j.Progress != 1 {
		t.Fatalf("job %+v", j)
	}
	if j.PID == 0 || j.PID == os.Getpid() {
		t.Errorf("pid %d: want the child's, not 0 or the parent's %d", j.PID, os.Getpid())
	}
	ms, err := st.JobMetrics(context.Background(), id)
	if err != nil || len(ms) != 20 || ms[3].Metrics["loss"] != 0.25 {
		t.Fatalf("per-step metrics %d rows, %v", len(ms), err)
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	first, last := rec.jobs[0], rec.jobs[len(rec.jobs)-1]
	if first.ID != id || first.State != store.JobRunning || last.State != store.JobSucceeded || string(last.Result) != `{"total":20}` {
		t.Errorf("events: first %+v, last %+v", first, last)
	}
	progressed := false
	for _, e := range rec.jobs {
		progressed = progressed || (e.State == store.JobRunning && e.Step > 0 && e.Metrics["loss"] > 0)
	}
	if !progressed {
		t.Errorf("no progress event with a step and metrics among %d events", len(rec.jobs))
	}
}

// Cancel sends SIGTERM; the child cancels its work and records the job
// cancelled itself. One that ignores SIGTERM is killed after the grace.
func TestChildJobCancel(t *testing.T) {
	tests := []struct {
		kind        string
		wantMessage string
	}{
		{"wait", "waiting"},
		{"stubborn", "did not stop within 300ms of SIGTERM and was killed"},
	}
	for _, tt := range tests {
		t.Run(tt.kind, func(t *testing.T) {
			r, st, rec := newChildRunner(t)
			id := startChild(t, r, tt.kind, nil)
			waitRunning(t, st, rec, id)
			if err := r.Cancel(id); err != nil {
				t.Fatal(err)
			}
			j, _ := r.Await(id)
			if j.State != store.JobCancelled || j.Error != "" || !strings.Contains(j.Message, tt.wantMessage) || j.FinishedAt == nil {
				t.Fatalf("job %+v, want cancelled with %q", j, tt.wantMessage)
			}
			if last := rec.last(); last.ID != id || last.State != store.JobCancelled {
				t.Errorf("last event %+v", last)
			}
		})
	}
}

// A child killed from outside (SIGKILL, as the out-of-memory killer does)
// has its job failed with the reason by the parent, which goes on running
// and starts another child job.
func TestKilledChildFailsItsJob(t *testing.T) {
	r, st, rec := newChildRunner(t)
	id := startChild(t, r, "wait", nil)
	pid := waitRunning(t, st, rec, id)
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	j, err := r.Await(id)
	if err != nil {
		t.Fatal(err)
	}
	if j.State != store.JobFailed || j.Error != "the child process was killed by signal 9 (SIGKILL)" || j.FinishedAt == nil {
		t.Fatalf("job %+v", j)
	}
	if last := rec.last(); last.ID != id || last.State != store.JobFailed || last.Error != j.Error {
		t.Errorf("last event %+v", last)
	}
	next, _ := r.Await(startChild(t, r, "count", map[string]int{"steps": 2}))
	if next.State != store.JobSucceeded || string(next.Result) != `{"total":2}` {
		t.Fatalf("the next job %+v", next)
	}
}

// A child that fails its work records the error; one that exits or panics
// without ending its job has it failed with its exit status and stderr.
func TestChildFailures(t *testing.T) {
	tests := []struct {
		kind      string
		wantError string
	}{
		{"fail", "out of memory on GPU 0"},
		{"exit", "the child process exited with status 3: loading the driver\nbad config: no GPU"},
		{"panic", "the child process exited with status 2: panic: kernel fault in layer 3\ngoroutine "},
	}
	r, _, _ := newChildRunner(t)
	for _, tt := range tests {
		t.Run(tt.kind, func(t *testing.T) {
			j, err := r.Await(startChild(t, r, tt.kind, nil))
			if err != nil {
				t.Fatal(err)
			}
			if j.State != store.JobFailed || !strings.HasPrefix(j.Error, tt.wantError) {
				t.Fatalf("job %+v\nwant failed with %q", j, tt.wantError)
			}
		})
	}
	if _, err := r.StartChild(context.Background(), Spec{Kind: "format-disk"}); err == nil {
		t.Error("a kind that is not registered was started")
	}
}

// At start, a running job whose child is gone is interrupted; one whose
// process lives (another Hone) is left running.
func TestStartInterruptsJobsOfDeadChildren(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), store.FileName)
	st, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	gone := exec.Command("true")
	if err := gone.Run(); err != nil {
		t.Fatal(err)
	}
	dead := &store.Job{Kind: "train", State: store.JobRunning, PID: gone.ProcessState.Pid()}
	live := &store.Job{Kind: "train", State: store.JobRunning, PID: os.Getppid()}
	st.CreateJob(ctx, dead)
	st.CreateJob(ctx, live)
	if _, err := NewRunner(ctx, st, &recorder{}, Options{}); err != nil {
		t.Fatal(err)
	}
	if j, _ := st.Job(ctx, dead.ID); j.State != store.JobInterrupted {
		t.Errorf("job of a dead child: %+v", j)
	}
	if j, _ := st.Job(ctx, live.ID); j.State != store.JobRunning {
		t.Errorf("job of a live process: %+v", j)
	}
}
