package core

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/hone-ai/hone/backend/store"
)

// TestDeadRunsSettleAtStart: runs whose process died with them (their job
// still "running" under a pid that is gone, or gone entirely) are
// interrupted at the next start — paused if a pause was under way — and
// offered for resuming; a finished run stays as it was.
func TestDeadRunsSettleAtStart(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	st, err := store.Open(ctx, filepath.Join(dir, store.FileName))
	if err != nil {
		t.Fatal(err)
	}
	const deadPID = 1 << 22 // above Linux's pid_max default: no such process
	mk := func(state string, job bool) int64 {
		r := store.Run{Name: state, State: state, Spec: store.JSON(`{}`), OutDir: filepath.Join(dir, state)}
		if job {
			j := store.Job{Kind: KindTrain, State: store.JobRunning, PID: deadPID}
			if err := st.CreateJob(ctx, &j); err != nil {
				t.Fatal(err)
			}
			r.JobID = &j.ID
		}
		if err := st.CreateRun(ctx, &r); err != nil {
			t.Fatal(err)
		}
		return r.ID
	}
	running, pausing, jobless, done := mk(store.RunRunning, true), mk(runPausing, true), mk(store.RunRunning, false), mk(store.RunSucceeded, false)
	st.Close()

	h, err := Open(ctx, Options{DataDir: dir, FakeGPUs: "rtx4090", Events: drop{}})
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	for id, want := range map[int64]string{running: store.RunInterrupted, pausing: store.RunPaused, jobless: store.RunInterrupted, done: store.RunSucceeded} {
		if r, err := h.Store.Run(ctx, id); err != nil || r.State != want {
			t.Errorf("run %d: %q (%v), want %q", id, r.State, err, want)
		}
	}
	rs, err := h.InterruptedRuns(ctx)
	if err != nil || len(rs) != 2 {
		t.Errorf("interrupted runs %+v, %v", rs, err)
	}
}
