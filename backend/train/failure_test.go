package train

import (
	"context"
	"errors"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hone-ai/hone/backend/dataset"
	"github.com/hone-ai/hone/backend/store"
)

// TestRunFailures: bad runs stop before training with a message that
// names what is wrong and what to do, and leave no checkpoint, adapter or
// temporary file behind.
func TestRunFailures(t *testing.T) {
	ctx := context.Background()
	st := openStore(t, filepath.Join(t.TempDir(), store.FileName))
	d := importRows(t, st, 0, 40)
	long := []string{"text", "category"}
	rows := [][]string{long}
	for i := range 10 {
		rows = append(rows, []string{strings.Repeat("a very long question about my card ", 40) + string(rune('a'+i)), "card_arrival"})
	}
	tooLong := importRecords(t, st, rows)
	// dataset.Split never makes an empty half (it refuses): an evaluation
	// set is empty to the run when none of its examples fits.
	if _, _, err := dataset.Split(ctx, st, importRows(t, st, 100, 104), 0.01, 1); err == nil {
		t.Error("a split with an empty evaluation half was made")
	}
	truncated := filepath.Join(t.TempDir(), "stories260K.bin")
	copyPrefix(t, stories260K(t), truncated, 4096)
	for _, c := range []struct {
		name string
		edit func(*Spec)
		want []string
	}{
		{"every example too long", func(s *Spec) { s.Dataset, s.TooLong = tooLong, "drop" }, []string{"no example of dataset", "raise the sequence length"}},
		{"empty eval set", func(s *Spec) { s.EvalDataset, s.TooLong = tooLong, "drop" }, []string{"evaluation dataset", "no example to evaluate"}},
		{"truncated base model", func(s *Spec) { s.Model = truncated }, []string{"base model could not be opened", "download it again"}},
		{"lr NaN", func(s *Spec) { s.LR = math.NaN() }, []string{`"lr"`, "NaN"}},
		{"no such dataset", func(s *Spec) { s.Dataset = 999 }, []string{"dataset 999"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := tinySpec(t, d, 4)
			c.edit(&s)
			_, err := Run(ctx, env(st), s)
			if err == nil {
				t.Fatal("the run went ahead")
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
			nothingWritten(t, s.OutDir)
		})
	}
}

// nothingWritten requires an output folder without checkpoints, adapter or
// temporary files (run.json, the settings, may be there).
func nothingWritten(t *testing.T, out string) {
	t.Helper()
	ents, _ := os.ReadDir(out)
	for _, e := range ents {
		if e.Name() != "run.json" {
			t.Errorf("%s left in %s", e.Name(), out)
		}
	}
}

// TestDivergedKeepsCheckpoint: a learning rate that blows the loss up
// stops the run with the reason and a lower rate to retry with, and the
// last checkpoint written before is kept as it was.
func TestDivergedKeepsCheckpoint(t *testing.T) {
	ctx := context.Background()
	st := openStore(t, filepath.Join(t.TempDir(), store.FileName))
	s := tinySpec(t, importRows(t, st, 0, 40), 30)
	// So large that the adapters' products overflow float32 within steps.
	s.LR, s.MaxGradNorm, s.CheckpointEvery, s.Schedule, s.WarmupRatio = 1e30, 0, 1, "constant", 0
	_, err := Run(ctx, env(st), s)
	var f *Failure
	if !errors.As(err, &f) || !strings.Contains(f.Reason, "diverged") || f.Retry == nil || !(f.Retry.LR < s.LR) {
		t.Fatalf("error %v, want a divergence with a lower lr to retry", err)
	}
	_, state, ts, err := latestCheckpoint(s.OutDir)
	if err != nil || state.Step == 0 {
		t.Fatalf("no checkpoint kept (%v)", err)
	}
	for _, v := range ts.Params {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			t.Fatalf("the kept checkpoint (step %d) holds %v", state.Step, v)
		}
	}
	t.Logf("%s; kept step %d", f, state.Step)
}

// copyPrefix copies the first n bytes of src to dst: a download cut short.
func copyPrefix(t *testing.T, src, dst string, n int64) {
	t.Helper()
	in, err := os.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.CopyN(out, in, n); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
}
