package dataset

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkImport imports 100,000 prompt/completion rows; bench/import.sh
// measures the whole binary against sqlite3 on a million.
func BenchmarkImport(b *testing.B) {
	file := filepath.Join(b.TempDir(), "rows.jsonl")
	f, _ := os.Create(file)
	w := bufio.NewWriter(f)
	const rows = 100000
	for i := range rows {
		fmt.Fprintf(w, `{"prompt": "Question %d: what is %d plus %d?", "completion": "The answer is %d."}`+"\n", i, i*7, i*13, i*20)
	}
	w.Flush()
	f.Close()
	for b.Loop() {
		st := openStore(b)
		if _, err := Import(context.Background(), st, file, ImportOptions{}, nil); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(rows*b.N)/b.Elapsed().Seconds(), "rows/s")
}
