package engine

import (
	"testing"

	"github.com/hone-ai/hone/backend/model"
)

// loadModel opens the model at path and loads it with load (Load,
// LoadNF4, LoadBF16, LoadPacked), failing the test on any error.
func loadModel(t testing.TB, path string, load func(*model.Model, Backend) (*Model, error)) *Model {
	t.Helper()
	mm, err := model.OpenModel(path)
	if err != nil {
		t.Fatal(err)
	}
	defer mm.Close()
	m, err := load(mm, CPU{})
	if err != nil {
		t.Fatal(err)
	}
	return m
}
