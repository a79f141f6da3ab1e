//go:build unix

package cli

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/hone-ai/hone/backend/core"
	"github.com/hone-ai/hone/backend/jobs"
	"github.com/hone-ai/hone/backend/store"
)

// childEnv makes this test binary `hone`: a child job started by core runs
// os.Executable() with `--data-dir DIR job-run --job ID`, which lands here.
const childEnv = "HONE_CLI_TEST_AS_HONE"

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) != "" {
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		code := Run(ctx, os.Args[1:], Env{Stdout: os.Stdout, Stderr: os.Stderr, Version: "test", Kinds: testKinds()})
		stop()
		os.Exit(code)
	}
	os.Exit(m.Run())
}

// testKinds are child jobs that exist only in this test binary (the trainer
// will be the first real one).
func testKinds() jobs.Kinds {
	return jobs.Kinds{
		"steps": func(ctx context.Context, spec json.RawMessage, report jobs.Report) (any, error) {
			var in struct{ Steps int64 }
			if err := json.Unmarshal(spec, &in); err != nil {
				return nil, err
			}
			for s := int64(1); s <= in.Steps; s++ {
				report(jobs.Progress{Fraction: float64(s) / float64(in.Steps), Message: "training", Step: s, Metrics: store.Metrics{"loss": 4 / float64(s)}})
			}
			if gpus := os.Getenv("HONE_FAKE_GPUS"); gpus != "" {
				return map[string]any{"steps": in.Steps, "gpus": gpus}, nil
			}
			return map[string]any{"steps": in.Steps}, nil
		},
		"hang": func(ctx context.Context, _ json.RawMessage, report jobs.Report) (any, error) {
			report(jobs.Progress{Message: "loading the driver"})
			<-ctx.Done()
			return nil, ctx.Err()
		},
	}
}

func openForChildJobs(t *testing.T) *core.Hone {
	t.Helper()
	t.Setenv(childEnv, "1")
	h, err := core.Open(context.Background(), core.Options{DataDir: t.TempDir(), FakeGPUs: "rtx4090", Kinds: testKinds(), Events: quietEvents{}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(h.Close)
	return h
}

// A job started through core runs in `hone job-run`, a child process of the
// same binary with the same data folder and fake GPUs, and its progress and
// result come back and are stored.
func TestChildJobThroughJobRun(t *testing.T) {
	h := openForChildJobs(t)
	var updates []store.Job
	id, err := h.StartChildJob(context.Background(), "steps", "Train", map[string]int{"steps": 3}, func(j store.Job) { updates = append(updates, j) })
	if err != nil {
		t.Fatal(err)
	}
	j, err := h.Jobs.Await(id)
	if err != nil {
		t.Fatal(err)
	}
	if j.State != store.JobSucceeded || string(j.Result) != `{"gpus":"rtx4090","steps":3}` || j.Step != 3 || j.PID == os.Getpid() {
		t.Fatalf("job %+v", j)
	}
	ms, _ := h.Jobs.Metrics(context.Background(), id)
	if len(ms) != 3 || ms[2].Metrics["loss"] != 4.0/3 {
		t.Errorf("per-step metrics %+v", ms)
	}
	if len(updates) < 2 || updates[len(updates)-1].State != store.JobSucceeded {
		t.Errorf("watched updates %+v", updates)
	}
}

// The child is killed (SIGKILL, as by the out-of-memory killer): the job is
// failed with the reason, and this process, the parent, runs on and starts
// the next job.
func TestKilledJobRunChild(t *testing.T) {
	h := openForChildJobs(t)
	ctx := context.Background()
	id, err := h.StartChildJob(ctx, "hang", "Train", nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	var pid int
	deadline := time.Now().Add(20 * time.Second)
	for pid == 0 && time.Now().Before(deadline) {
		if j, _ := h.Jobs.Job(ctx, id); j.Message == "loading the driver" {
			pid = j.PID
		}
		time.Sleep(10 * time.Millisecond)
	}
	if pid == 0 || pid == os.Getpid() {
		t.Fatalf("child pid %d", pid)
	}
	syscall.Kill(pid, syscall.SIGKILL)
	j, _ := h.Jobs.Await(id)
	if j.State != store.JobFailed || j.Error != "the child process was killed by signal 9 (SIGKILL)" {
		t.Fatalf("job %+v", j)
	}
	next, err := h.StartChildJob(ctx, "steps", "Train again", map[string]int{"steps": 1}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if j, _ := h.Jobs.Await(next); j.State != store.JobSucceeded {
		t.Fatalf("next job %+v", j)
	}
	if err := h.Jobs.Cancel(id); !errors.Is(err, jobs.ErrNotRunning) {
		t.Errorf("cancel of the dead job: %v", err)
	}
}

// `hone job-run` refuses a job that is not waiting to run.
func TestJobRunRefusesAnEndedJob(t *testing.T) {
	h := openForChildJobs(t)
	id, _ := h.StartChildJob(context.Background(), "steps", "Train", map[string]int{"steps": 1}, nil)
	h.Jobs.Await(id)
	code, out, errs := runHone(t, nil, "--data-dir", h.DataDir, "job-run", "--job", strconv.FormatInt(id, 10))
	if code != ExitError || out != "" || !strings.Contains(errs, "is succeeded, not waiting to run") {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, out, errs)
	}
}
