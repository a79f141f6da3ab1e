package app

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hone-ai/hone/backend/core"
	"github.com/hone-ai/hone/backend/hw"
	"github.com/hone-ai/hone/backend/train"
)

func TestBusyShare(t *testing.T) {
	for _, c := range []struct {
		name                       string
		busy0, idle0, busy1, idle1 float64
		had                        bool
		want                       float64
	}{
		{"first reading", 0, 0, 10, 30, false, -1},
		{"a quarter busy", 10, 30, 20, 60, true, 25},
		{"all busy", 10, 30, 30, 30, true, 100},
		{"no time passed", 10, 30, 10, 30, true, -1},
		{"counters went back", 10, 30, 5, 40, true, -1},
	} {
		if got := busyShare(c.busy0, c.idle0, c.busy1, c.idle1, c.had); got != c.want {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
}

func TestTrainingDevice(t *testing.T) {
	gpus := []hw.GPU{{Index: 0, Name: "A", MemoryFree: 5}, {Index: 1, Name: "B", MemoryFree: 7}}
	for _, c := range []struct {
		name string
		r    hw.Report
		dev  string
		free uint64
	}{
		{"cpu: RAM", hw.Report{Memory: hw.Memory{Available: 3}, Device: hw.DeviceChoice{Name: "cpu", GPU: -1}}, "CPU", 3},
		{"cpu though GPUs are there", hw.Report{GPUs: gpus, Memory: hw.Memory{Available: 3}, Device: hw.DeviceChoice{Name: "cpu", GPU: -1}}, "CPU", 3},
		{"cuda: its GPU", hw.Report{GPUs: gpus, Memory: hw.Memory{Available: 3}, Device: hw.DeviceChoice{Name: "cuda", GPU: 1}}, "GPU 1 · B", 7},
	} {
		dev, free := trainingDevice(c.r)
		if dev != c.dev || free != c.free {
			t.Errorf("%s: %q %d, want %q %d", c.name, dev, free, c.dev, c.free)
		}
	}
}

func TestWarningsOf(t *testing.T) {
	for _, c := range []struct {
		doc  string
		want []string
	}{
		{"", nil},
		{"not json", nil},
		{`{"adapterId":3}`, nil},
		{`{"warnings":["no evaluation set","a"]}`, []string{"no evaluation set", "a"}},
	} {
		got := warningsOf([]byte(c.doc))
		if strings.Join(got, "|") != strings.Join(c.want, "|") || (got == nil) != (c.want == nil) {
			t.Errorf("%q: %q, want %q", c.doc, got, c.want)
		}
	}
}

// stories260K is the shared test model (../shared/testdata or $HONE_TESTDATA).
func stories260K(t *testing.T) string {
	dir := os.Getenv("HONE_TESTDATA")
	if dir == "" {
		dir = filepath.Join("..", "..", "shared", "testdata")
	}
	p := filepath.Join(dir, "models", "stories260K", "stories260K.bin")
	if _, err := os.Stat(p); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is missing: set HONE_TESTDATA to the shared test data", p)
		}
		t.Skipf("%s is missing: set HONE_TESTDATA to the shared test data", p)
	}
	return p
}

func TestTrainPreflightAndChoices(t *testing.T) {
	a := testApp(t)

	c, err := a.Train.Choices()
	if err != nil || c.Datasets == nil || len(c.Datasets) != 0 || c.Defaults.LR != (train.Spec{}).Defaults().LR {
		t.Fatalf("choices %+v, %v", c, err)
	}
	model := stories260K(t)
	for _, tc := range []struct {
		name    string
		spec    train.Spec
		problem string // what Problem must say
		fits    bool
	}{
		{"no dataset", train.Spec{Model: model}, `"dataset"`, true},
		{"a dataset that is not there", train.Spec{Model: model, Dataset: 99}, `"dataset": dataset 99`, true},
		{"a bad sequence length", train.Spec{Model: model, Dataset: 1, SeqLen: 4}, `"seqLen"`, true},
	} {
		p, err := a.Train.Preflight(tc.spec)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if !strings.Contains(p.Problem, tc.problem) {
			t.Errorf("%s: problem %q, want it to name %s", tc.name, p.Problem, tc.problem)
		}
		if p.Estimate == nil || p.Estimate.Peak <= 0 || p.Device != "CPU" || p.Free == 0 || p.Fits != tc.fits {
			t.Errorf("%s: estimate %+v (%s), device %q free %d fits %v", tc.name, p.Estimate, p.EstimateError, p.Device, p.Free, p.Fits)
		}
		// On the CPU there is no CUDA context (477 MiB): a stories260K step
		// needs tens of MiB beside the process's baseline.
		for _, l := range p.Estimate.Lines {
			if strings.Contains(l.Label, "CUDA") {
				t.Errorf("%s: the CPU estimate counts %s", tc.name, l.Label)
			}
		}
		if p.Estimate.Peak > 200<<20 {
			t.Errorf("%s: peak %d bytes for stories260K", tc.name, p.Estimate.Peak)
		}
		if p.Spec.Rank != 16 || p.Spec.Method != train.MethodLoRA {
			t.Errorf("%s: defaults not filled: %+v", tc.name, p.Spec)
		}
	}
	// A model that is not there: no estimate, and the problem names it.
	p, err := a.Train.Preflight(train.Spec{Model: filepath.Join(t.TempDir(), "nothing.gguf"), Dataset: 1})
	if err != nil || p.Estimate != nil || p.EstimateError == "" {
		t.Fatalf("missing model: %+v, %v", p, err)
	}
	if !strings.HasPrefix(p.Problem, `run setting "model": `) || !strings.Contains(p.Problem, "nothing.gguf") {
		t.Fatalf("missing model: problem %q", p.Problem)
	}
}

// testApp is the facade over a Hone on a fresh data folder, started as
// Startup starts it; the Hone closes with the test.
func testApp(t *testing.T) *App {
	t.Helper()
	ctx := context.Background()
	h, err := core.Open(ctx, core.Options{DataDir: t.TempDir(), Version: "t", Events: &Events{}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(h.Close)
	a := New(h, nil, &Events{}, false)
	a.Shell.ctx = ctx
	return a
}
