package app

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"github.com/hone-ai/hone/backend/core"
	"github.com/hone-ai/hone/backend/plan"
	"github.com/hone-ai/hone/backend/store"
)

func TestOpenedHone(t *testing.T) {
	ctx := context.Background()
	h, err := core.Open(ctx, core.Options{DataDir: t.TempDir(), FakeGPUs: "2xrtx4090", Version: "t", Events: &Events{}})
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	a := New(h, nil, &Events{}, false)
	a.Shell.ctx, a.System.ctx = ctx, ctx // as Startup does
	if len(a.Bindings()) != 8 || a.Shell.StartupError() != "" {
		t.Fatalf("bindings %d, startup error %q", len(a.Bindings()), a.Shell.StartupError())
	}
	info, err := a.Shell.Info()
	if err != nil || info.Database.Path != filepath.Join(h.DataDir, store.FileName) || info.Database.Health != "ok" {
		t.Fatalf("info %+v, %v", info, err)
	}
	r, err := a.System.Report()
	if err != nil || len(r.GPUs) != 2 {
		t.Fatalf("report %+v, %v", r, err)
	}
	res, err := a.Plan.Plan(plan.Request{Model: "llama-3.1-8b"})
	if err != nil || res.Target.Card.Name != "NVIDIA GeForce RTX 4090" || res.Recommendation.Settings.Method != plan.QLoRA {
		t.Fatalf("plan %+v, %v", res.Recommendation, err)
	}
	// Watching before the window started emits nowhere and stops cleanly.
	a.System.Watch(true)
	a.System.Watch(false)
}

func TestFailedOpenOnlyExplains(t *testing.T) {
	openErr := errors.New("database file is damaged")
	a := New(nil, openErr, &Events{}, false)
	if got := a.Shell.StartupError(); got != openErr.Error() {
		t.Fatalf("StartupError %q", got)
	}
	if len(a.Bindings()) != 1 {
		t.Fatalf("a Hone that did not open binds %d structs, want only the Shell", len(a.Bindings()))
	}
}
