package train

import (
	"encoding/json"
	"math"
	"path/filepath"
	"testing"

	"github.com/hone-ai/hone/backend/model"
	"github.com/hone-ai/hone/backend/plan"
	"github.com/hone-ai/hone/backend/store"
	"github.com/hone-ai/hone/backend/testfiles"
)

// TestEstimatorAgainstPreflight: the plan's memory estimate for Hone's CPU
// engine is within 15% of the peak a preflight measures, for LoRA on the
// f32 base and QLoRA, with and without activation checkpointing, on the
// real SmolLM2-135M.
func TestEstimatorAgainstPreflight(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: four SmolLM2 measurements")
	}
	if raceBuild {
		t.Skip("under -race the shadow memory multiplies the peaks: make test runs this test again without it")
	}
	gguf := testfiles.SmolLM2GGUF(t)
	dbPath := filepath.Join(t.TempDir(), store.FileName)
	st := openStore(t, dbPath)
	d := importRows(t, st, 0, 200)
	mm, err := model.OpenModel(gguf)
	if err != nil {
		t.Fatal(err)
	}
	cfg := mm.Config
	mm.Close()
	for _, c := range []struct {
		method plan.Method
		ckpt   bool
	}{{plan.LoRA, false}, {plan.LoRA, true}, {plan.QLoRA, false}, {plan.QLoRA, true}} {
		s := Spec{Model: gguf, Dataset: d, Method: string(c.method), OutDir: t.TempDir(), SeqLen: 256, MicroBatch: 4, GradAccum: 1,
			MaxSteps: 1, Checkpointing: c.ckpt}
		out, err := startChild(t, childJob{Mode: "preflight", Store: dbPath, Spec: s}).Output()
		if err != nil {
			t.Fatalf("%s: %v", c.method, err)
		}
		var p Preflight
		if err := json.Unmarshal(out, &p); err != nil {
			t.Fatalf("%s: %v: %s", c.method, err, out)
		}
		set := plan.HoneDefaults(c.method)
		set.SeqLen, set.MicroBatch, set.Checkpointing, set.CPU = 256, 4, c.ckpt, true
		e, err := plan.EstimateMemory(cfg, set)
		if err != nil {
			t.Fatal(err)
		}
		off := float64(e.Peak)/float64(p.PeakBytes) - 1
		t.Logf("%s checkpointing=%v: estimate %.0f MiB, measured %.0f MiB (%+.0f%%), %.2f s a step", c.method, c.ckpt,
			float64(e.Peak)/(1<<20), float64(p.PeakBytes)/(1<<20), 100*off, p.StepSeconds)
		if math.Abs(off) > 0.15 {
			t.Errorf("%s checkpointing=%v: the estimate is %+.0f%% off the measured peak", c.method, c.ckpt, 100*off)
		}
	}
}
