package train

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/hone-ai/hone/backend/store"
)

// TestRunStories260K trains stories260K with LoRA on banking77 rows: the
// training and evaluation losses fall, every step's metrics and the
// adapter with its contract are recorded, and the output folder holds the
// adapter, the last checkpoints and the best one.
func TestRunStories260K(t *testing.T) {
	ctx := context.Background()
	st := openStore(t, filepath.Join(t.TempDir(), store.FileName))
	s := tinySpec(t, importRows(t, st, 0, 120), 20)
	s.EvalDataset = importRows(t, st, 500, 530)
	r := store.Run{Name: "tiny", State: store.RunRunning, Spec: store.JSON(`{}`), OutDir: s.OutDir}
	if err := st.CreateRun(ctx, &r); err != nil {
		t.Fatal(err)
	}
	e := env(st)
	e.RunID = r.ID
	var reports []Progress
	e.Report = func(p Progress) { reports = append(reports, p) }
	res, err := Run(ctx, e, s)
	if err != nil {
		t.Fatal(err)
	}
	ms, err := st.RunMetrics(ctx, r.ID)
	if err != nil || len(ms) != 20 {
		t.Fatalf("%d steps' metrics, want 20 (%v)", len(ms), err)
	}
	first, last := ms[0].Metrics["loss"], ms[19].Metrics["loss"]
	var evals []float64
	for _, m := range ms {
		if v, ok := m.Metrics["evalLoss"]; ok {
			evals = append(evals, v)
		}
		if !(m.Metrics["lr"] >= 0) || !(m.Metrics["gradNorm"] > 0) || !(m.Metrics["tokensPerSec"] > 0) {
			t.Fatalf("step %d metrics %v", m.Step, m.Metrics)
		}
	}
	if !(last < 0.8*first) || len(evals) != 4 || !(evals[3] < evals[0]) {
		t.Errorf("loss %.3f -> %.3f, eval losses %v: did not learn", first, last, evals)
	}
	t.Logf("loss %.3f -> %.3f, eval %v, warnings %q", first, last, evals, res.Warnings)
	if len(reports) != 20 || reports[19].Step != 20 || !strings.Contains(reports[19].Message, "step 20 of 20") {
		t.Errorf("%d reports, last %+v", len(reports), reports[len(reports)-1])
	}
	for _, f := range []string{"adapter/adapter_config.json", "adapter/adapter_model.safetensors", "adapter/hone_contract.json", "run.json"} {
		if _, err := os.Stat(filepath.Join(s.OutDir, f)); err != nil {
			t.Error(err)
		}
	}
	if c, err := ReadContract(filepath.Join(s.OutDir, "adapter")); err != nil || c.Method != s.Method || c.Rank != s.Rank || c.Dataset != s.Dataset {
		t.Errorf("the adapter's contract: %+v, %v", c, err)
	}
	as, err := st.Adapters(ctx)
	if err != nil || len(as) != 1 || as[0].ID != res.AdapterID || !strings.Contains(string(as[0].Contract), `"baseSha256": "`) {
		t.Fatalf("adapters %+v, %v", as, err)
	}
	if !slices.ContainsFunc(res.Warnings, func(w string) bool { return strings.Contains(w, "no chat template") }) {
		t.Errorf("no warning about the base model's missing chat template: %q", res.Warnings)
	}
	dirs, _ := checkpoints(s.OutDir)
	if len(dirs) < 2 || len(dirs) > 3 || filepath.Base(dirs[len(dirs)-1]) != "checkpoint-000020" {
		t.Errorf("checkpoints %v: want the last 2 and the best", dirs)
	}
}

// TestResumeExact stops a run (as a pause does) and resumes it: the losses
// and the adapter equal an uninterrupted run's bit for bit (LoRA dropout
// on, so the masks must repeat too).
func TestResumeExact(t *testing.T) {
	ctx := context.Background()
	st := openStore(t, filepath.Join(t.TempDir(), store.FileName))
	d := importRows(t, st, 0, 80)
	whole := tinySpec(t, d, 12)
	var want []float64
	e := env(st)
	e.Report = func(p Progress) { want = append(want, p.Metrics["loss"]) }
	if _, err := Run(ctx, e, whole); err != nil {
		t.Fatal(err)
	}
	parts := tinySpec(t, d, 12)
	var got []float64
	for _, stopAt := range []int{5, 7, 0} {
		cctx, cancel := context.WithCancel(ctx)
		e.Report = func(p Progress) {
			got = append(got, p.Metrics["loss"])
			if p.Step == stopAt {
				cancel()
			}
		}
		_, err := Run(cctx, e, parts)
		cancel()
		if stopAt > 0 && !errors.Is(err, ErrStopped) || stopAt == 0 && err != nil {
			t.Fatalf("stop at %d: %v", stopAt, err)
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("losses with stops %v\nuninterrupted    %v", got, want)
	}
	sameAdapter(t, whole.OutDir, parts.OutDir)
}

// sameAdapter requires two runs' adapters to be byte-identical.
func sameAdapter(t *testing.T, a, b string) {
	t.Helper()
	for _, f := range []string{"adapter_model.safetensors", "adapter_config.json"} {
		x, err := os.ReadFile(filepath.Join(a, "adapter", f))
		if err != nil {
			t.Fatal(err)
		}
		y, err := os.ReadFile(filepath.Join(b, "adapter", f))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(x, y) {
			t.Errorf("%s differs between the runs", f)
		}
	}
}
