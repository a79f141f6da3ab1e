//go:build unix

package cli

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hone-ai/hone/backend/testfiles"
)

// banking77File writes n banking77 rows (every 10th) as a CSV file.
func banking77File(t *testing.T, n int) string {
	t.Helper()
	f, err := os.Open(testfiles.Shared(t, "datasets", "banking77", "train.csv"))
	if err != nil {
		t.Fatal(err)
	}
	all, err := csv.NewReader(f).ReadAll()
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	rows := [][]string{all[0]}
	for i := 1; i < len(all) && len(rows) <= n; i += 10 {
		rows = append(rows, all[i])
	}
	path := filepath.Join(t.TempDir(), "banking77.csv")
	out, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := csv.NewWriter(out)
	w.WriteAll(rows)
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestTrainCommand is `hone train` as a user runs it: the run trains in a
// child process (this binary as `hone job-run`), prints JSON lines while it
// goes, leaves an adapter, and `hone runs` and `hone run show` report it.
// An interrupt pauses a run; the same command resumes it to the end.
func TestTrainCommand(t *testing.T) {
	t.Setenv(childEnv, "1")
	dir := t.TempDir()
	if code, _, errs := runHone(t, nil, "--data-dir", dir, "import", banking77File(t, 60)); code != ExitOK {
		t.Fatalf("import: exit %d: %s", code, errs)
	}
	model := testfiles.Shared(t, "models", "stories260K", "stories260K.bin")
	out := filepath.Join(dir, "out")
	args := []string{"--data-dir", dir, "train", "--model", model, "--dataset", "1", "--out", out, "--max-steps", "200",
		"--seq", "64", "--batch", "2", "--accum", "1", "--lr", "0.005", "--rank", "4", "--checkpoint-every", "2", "--json"}

	// Started, and stopped twice once it has made progress: by `hone run
	// pause` from another Hone (it signals the child it does not own), and
	// by an interrupt of the command itself. Each time: paused, resumable;
	// meanwhile a second run is refused (one at a time per device).
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stdout, stderr strings.Builder
	done := make(chan int)
	go func() { done <- Run(ctx, args, Env{Stdout: &stdout, Stderr: &stderr, Version: "test"}) }()
	waitFor(t, filepath.Join(out, "checkpoint-000002"))
	other := append(slices.Clone(args[:len(args)-1]), "--json")
	other[slices.Index(other, out)] = filepath.Join(dir, "other")
	if code, _, errs := runHone(t, nil, other...); code == ExitOK || !strings.Contains(errs, "one run at a time") {
		t.Errorf("a second run while one trains: exit %d, %s", code, errs)
	}
	if code, msg, errs := runHone(t, nil, "--data-dir", dir, "run", "pause", "1"); code != ExitOK {
		t.Fatalf("run pause: exit %d: %s %s", code, msg, errs)
	}
	if code := <-done; code != ExitOK {
		t.Fatalf("paused train: exit %d: %s", code, stderr.String())
	}
	if !strings.Contains(stdout.String(), `"state":"running"`) {
		t.Errorf("no JSON progress lines: %s", stdout.String())
	}
	firstStop := pausedAt(t, dir)

	ctx2, cancel2 := context.WithCancel(context.Background())
	defer cancel2()
	go func() { done <- Run(ctx2, args, Env{Stdout: &stdout, Stderr: &stderr, Version: "test"}) }()
	waitForCheckpointAfter(t, out, firstStop)
	cancel2()
	if code := <-done; code != ExitOK {
		t.Fatalf("interrupted train: exit %d: %s", code, stderr.String())
	}
	if again := pausedAt(t, dir); again <= firstStop {
		t.Errorf("the resumed run stopped at step %d, not past %d", again, firstStop)
	}

	code, stdoutS, errs := runHone(t, nil, "--data-dir", dir, "run", "resume", "1", "--json")
	if code != ExitOK {
		t.Fatalf("run resume: exit %d: %s", code, errs)
	}
	if !strings.Contains(stdoutS, `"state": "succeeded"`) || !strings.Contains(stdoutS, `"adapterId": 1`) {
		t.Errorf("no final result in the output:\n%s", stdoutS)
	}
	if _, err := os.Stat(filepath.Join(out, "adapter", "adapter_model.safetensors")); err != nil {
		t.Fatal(err)
	}
	code, show, _ := runHone(t, nil, "--data-dir", dir, "run", "show", "1")
	if code != ExitOK || !strings.Contains(show, "succeeded, step 200 of 200") || !strings.Contains(show, "Trained: 200 steps, 25600 tokens") || strings.Count(show, "\n") < 200 {
		t.Errorf("run show: exit %d\n%s", code, show)
	}
}

// waitFor waits up to a minute for path to exist.
func waitFor(t *testing.T, path string) {
	t.Helper()
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(20 * time.Millisecond) {
		if _, err := os.Stat(path); err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("no %s in a minute", path)
		}
	}
}

// waitForCheckpointAfter waits up to a minute for a checkpoint of out past
// step: a run paused at an odd step checkpoints there, then on its every-2
// schedule, so the next one's step is not known in advance.
func waitForCheckpointAfter(t *testing.T, out string, step int) {
	t.Helper()
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(20 * time.Millisecond) {
		names, _ := filepath.Glob(filepath.Join(out, "checkpoint-*"))
		for _, name := range names {
			var n int
			if _, err := fmt.Sscanf(filepath.Base(name), "checkpoint-%d", &n); err == nil && n > step {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no checkpoint past step %d in %s in a minute", step, out)
		}
	}
}

// pausedAt requires the one run of dir to be paused before its end and
// returns its step.
func pausedAt(t *testing.T, dir string) int {
	t.Helper()
	code, runs, _ := runHone(t, nil, "--data-dir", dir, "runs", "--json")
	var rs []struct {
		State string
		Step  int
	}
	if json.Unmarshal([]byte(runs), &rs); code != ExitOK || len(rs) != 1 || rs[0].State != "paused" || rs[0].Step >= 200 {
		t.Fatalf("runs: exit %d, %s", code, runs)
	}
	return rs[0].Step
}
