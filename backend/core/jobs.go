package core

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"

	"github.com/hone-ai/hone/backend/jobs"
	"github.com/hone-ai/hone/backend/store"
)

// JobRunCommand is the hidden command a child process runs a job with:
// `hone --data-dir DIR job-run --job ID`.
const JobRunCommand = "job-run"

// childKinds are the jobs that run in a child process of this binary, a
// driver crash or an out-of-memory kill in them leaving the app up:
// training now, evaluation and serving as they arrive. Imports and
// downloads stay in process.
func (h *Hone) childKinds() jobs.Kinds {
	return jobs.Kinds{KindTrain: h.trainJob, KindPreflight: h.preflightJob}
}

// childCommand runs a job in a child: this same binary, the same data
// folder, and the same environment, with the fake GPUs this Hone was given.
func (h *Hone) childCommand(o Options) func(id int64) *exec.Cmd {
	return func(id int64) *exec.Cmd {
		exe, err := os.Executable()
		if err != nil {
			exe = os.Args[0]
		}
		cmd := exec.Command(exe, "--data-dir", h.DataDir, JobRunCommand, "--job", strconv.FormatInt(id, 10))
		cmd.Env = os.Environ()
		if o.FakeGPUs != "" {
			cmd.Env = append(cmd.Env, "HONE_FAKE_GPUS="+o.FakeGPUs)
		}
		return cmd
	}
}

// StartChildJob starts a job of a registered kind in a child process, with
// input as its spec; watch, if not nil, sees every update.
func (h *Hone) StartChildJob(ctx context.Context, kind, title string, input any, watch func(store.Job)) (int64, error) {
	return h.Jobs.StartChild(ctx, jobs.Spec{Kind: kind, Title: title, Input: input, Watch: watch})
}

// RunChildJob is the child's side of StartChildJob: run job id and write its
// updates to out for the parent. Open with ForChild first.
func (h *Hone) RunChildJob(ctx context.Context, id int64, out io.Writer) error {
	if id <= 0 {
		return fmt.Errorf("job-run: want a job id, not %d", id)
	}
	return jobs.RunChild(ctx, h.Store, h.kinds, id, out)
}
