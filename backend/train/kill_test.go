package train

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/hone-ai/hone/backend/store"
)

// The kill test runs training in a child process: this test binary again,
// told by childEnv what to train.
const childEnv = "HONE_TRAIN_TEST_CHILD"

func TestMain(m *testing.M) {
	if raw := os.Getenv(childEnv); raw != "" {
		os.Exit(runChild(raw))
	}
	os.Exit(m.Run())
}

// childJob is what a child does (Mode: "train", "preflight", "bare",
// "loop"), with a spec, on the datasets of a store: training for the kill
// test, measurements whose peak memory must be their own process's.
type childJob struct {
	Mode  string
	Store string
	Spec  Spec
}

// runChild does a childJob and prints its JSON result.
func runChild(raw string) int {
	var j childJob
	if err := json.Unmarshal([]byte(raw), &j); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	st, err := store.Open(context.Background(), j.Store)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	defer st.Close()
	var out any
	switch j.Mode {
	case "train":
		_, err = Run(context.Background(), env(st), j.Spec)
	case "preflight":
		out, err = RunPreflight(context.Background(), env(st), j.Spec)
	default:
		out, err = overhead(st, j.Mode, j.Spec)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	json.NewEncoder(os.Stdout).Encode(out)
	return 0
}

// startChild runs j in a child process of this test binary.
func startChild(t testing.TB, j childJob) *exec.Cmd {
	t.Helper()
	raw, _ := json.Marshal(j)
	cmd := exec.Command(os.Args[0], "-test.run=^$", "-test.bench=^$")
	cmd.Env = append(os.Environ(), childEnv+"="+string(raw))
	cmd.Stderr = os.Stderr
	return cmd
}

// TestKillResume kills the training process with SIGKILL at five random
// moments, starting it again each time; the run resumes from its last
// checkpoint and ends with an adapter byte-identical to an uninterrupted
// run's.
func TestKillResume(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: the kill test starts a dozen processes")
	}
	dbPath := filepath.Join(t.TempDir(), store.FileName)
	st := openStore(t, dbPath)
	d := importRows(t, st, 0, 80)
	whole := tinySpec(t, d, 40)
	whole.CheckpointEvery = 2
	if _, err := Run(context.Background(), env(st), whole); err != nil {
		t.Fatal(err)
	}
	killed := tinySpec(t, d, 40)
	killed.CheckpointEvery = 2
	start := func() *exec.Cmd {
		cmd := startChild(t, childJob{Mode: "train", Store: dbPath, Spec: killed})
		cmd.Stdout = nil
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		return cmd
	}
	// Each kill comes at a random moment after the run got further than
	// at the last kill (a new checkpoint), so that all five land at
	// different points of the run, mid-step or mid-checkpoint.
	r := rand.New(rand.NewPCG(2026, 12))
	reached := 0
	for kill := 1; kill <= 5; kill++ {
		cmd := start()
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		for deadline := time.Now().Add(time.Minute); ; {
			if _, st, _, _ := latestCheckpoint(killed.OutDir); st.Step > reached {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("kill %d: no new checkpoint in a minute", kill)
			}
			select {
			case err := <-done:
				t.Fatalf("the run ended before kill %d (%v): make it longer", kill, err)
			case <-time.After(5 * time.Millisecond):
			}
		}
		time.Sleep(time.Duration(r.IntN(150)) * time.Millisecond)
		cmd.Process.Kill() // SIGKILL
		<-done
		_, st, _, _ := latestCheckpoint(killed.OutDir)
		reached = st.Step
		t.Logf("kill %d: last checkpoint at step %d of 40", kill, reached)
	}
	cmd := start()
	if err := cmd.Wait(); err != nil {
		t.Fatalf("the run after 5 kills: %v", err)
	}
	sameAdapter(t, whole.OutDir, killed.OutDir)
}
