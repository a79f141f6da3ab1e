package train

import (
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"testing"

	"github.com/hone-ai/hone/backend/compute/cpu"
	"github.com/hone-ai/hone/backend/dataset"
	"github.com/hone-ai/hone/backend/store"
	"github.com/hone-ai/hone/backend/testfiles"
)

func openStore(t testing.TB, path string) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// importRows imports banking77 rows [from, to) (every 10th row of the
// real file, so that many intents appear) as a dataset.
func importRows(t testing.TB, st *store.Store, from, to int) int64 {
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
	for i := 1 + 10*from; i < len(all) && len(rows) <= to-from; i += 10 {
		rows = append(rows, all[i])
	}
	return importRecords(t, st, rows)
}

func importRecords(t testing.TB, st *store.Store, rows [][]string) int64 {
	t.Helper()
	path := filepath.Join(t.TempDir(), "rows.csv")
	out, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := csv.NewWriter(out)
	w.WriteAll(rows)
	if err := out.Close(); err != nil || w.Error() != nil {
		t.Fatal(err, w.Error())
	}
	d, err := dataset.Import(context.Background(), st, path, dataset.ImportOptions{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return d.ID
}

// stories260K is the real llama2.c test model: a base model without a chat
// template, small enough to train in seconds.
func stories260K(t testing.TB) string {
	return testfiles.Shared(t, "models", "stories260K", "stories260K.bin")
}

// tinySpec is a short run on stories260K.
func tinySpec(t testing.TB, dataset int64, steps int) Spec {
	return Spec{Model: stories260K(t), Dataset: dataset, Method: MethodLoRA, OutDir: filepath.Join(t.TempDir(), "out"),
		MaxSteps: steps, SeqLen: 64, MicroBatch: 4, GradAccum: 2, LR: 5e-3, Rank: 4, Alpha: 8, Dropout: 0.1, MaxGradNorm: 1, WarmupRatio: 0.03,
		EvalEvery: 5, CheckpointEvery: 3, KeepCheckpoints: 2}
}

func env(st *store.Store) Env { return Env{Store: st, Device: cpu.New(), Version: "test"} }
