package infer

import (
	"context"
	"testing"

	"github.com/hone-ai/hone/backend/compute/cpu"
	"github.com/hone-ai/hone/backend/infer/infertest"
)

// openStories serves stories260K with adapters loaded under their names.
func openStories(t testing.TB, o Options, adapters map[string]string) *Engine {
	t.Helper()
	o.Device = cpu.New()
	e, err := Open(infertest.Stories(t), o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.Close)
	for name, dir := range adapters {
		if err := e.LoadAdapter(name, dir); err != nil {
			t.Fatal(err)
		}
	}
	return e
}

// collect runs r and gathers its stream: the text and the last event.
func collect(t testing.TB, g Generator, ctx context.Context, r Request) (string, Event) {
	t.Helper()
	ch, err := g.Generate(ctx, r)
	if err != nil {
		t.Fatal(err)
	}
	text, last, err := Collect(ctx, ch)
	if err != nil {
		t.Fatal(err)
	}
	return text, last
}

func seed(s uint64) *uint64 { return &s }
