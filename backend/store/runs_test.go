package store

import (
	"context"
	"path/filepath"
	"testing"
)

// TestRunsAndAdapters: a run's row, its metrics (a step recorded again
// keeps the latest; a resume trims what a dead run wrote past its
// checkpoint) and an adapter linked to it; deleting the run drops its
// metrics and keeps the adapter, unlinked.
func TestRunsAndAdapters(t *testing.T) {
	ctx := context.Background()
	s := open(t, filepath.Join(t.TempDir(), FileName))
	r := &Run{Name: "r", State: RunRunning, Spec: JSON(`{"lr":0.0002}`), OutDir: "/tmp/out"}
	if err := s.CreateRun(ctx, r); err != nil {
		t.Fatal(err)
	}
	if err := s.UpdateRun(ctx, r.ID, map[string]any{"step": 3, "total_steps": 10, "state": RunPaused}); err != nil {
		t.Fatal(err)
	}
	if err := s.UpdateRun(ctx, r.ID+1, map[string]any{"step": 1}); err == nil {
		t.Error("updating a missing run succeeded")
	}
	var ms []RunMetric
	for step := int64(1); step <= 5; step++ {
		ms = append(ms, RunMetric{RunID: r.ID, Step: step, Metrics: Metrics{"loss": float64(10 - step)}})
	}
	if err := s.AddRunMetrics(ctx, ms); err != nil {
		t.Fatal(err)
	}
	if err := s.AddRunMetrics(ctx, []RunMetric{{RunID: r.ID, Step: 2, Metrics: Metrics{"loss": 7.5, "evalLoss": 8}}}); err != nil {
		t.Fatal(err)
	}
	if err := s.TrimRunMetrics(ctx, r.ID, 3); err != nil {
		t.Fatal(err)
	}
	back, err := s.RunMetrics(ctx, r.ID)
	if err != nil || len(back) != 3 || back[1].Metrics["evalLoss"] != 8 || back[2].Step != 3 {
		t.Fatalf("metrics %+v, %v", back, err)
	}
	got, err := s.Run(ctx, r.ID)
	if err != nil || got.State != RunPaused || got.Step != 3 || got.TotalSteps != 10 || string(got.Spec) != `{"lr":0.0002}` {
		t.Fatalf("run back %+v, %v", got, err)
	}
	a := &Adapter{Name: "a", RunID: &r.ID, Path: "/tmp/out/adapter", Contract: JSON(`{"baseSha256":"ab"}`), Metrics: Metrics{"loss": 1}}
	if err := s.CreateAdapter(ctx, a); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteRun(ctx, r.ID); err != nil {
		t.Fatal(err)
	}
	if back, _ := s.RunMetrics(ctx, r.ID); len(back) != 0 {
		t.Errorf("metrics of a deleted run remain: %+v", back)
	}
	as, err := s.Adapters(ctx)
	if err != nil || len(as) != 1 || as[0].RunID != nil || string(as[0].Contract) != `{"baseSha256":"ab"}` {
		t.Fatalf("adapters %+v, %v", as, err)
	}
}
