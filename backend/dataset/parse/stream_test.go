package parse

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// writeRows writes a generated file of about size bytes: head, then rows
// made by row(i), then tail. It returns the path and the number of rows.
func writeRows(t testing.TB, name string, size int64, head, tail string, row func(i int) string) (string, int) {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	w.WriteString(head)
	n, written := 0, int64(len(head))
	for written < size {
		k, _ := w.WriteString(row(n))
		written += int64(k)
		n++
	}
	w.WriteString(tail)
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return path, n
}

func alpacaLine(i int) string {
	return fmt.Sprintf(`{"instruction": "Summarise note %d.", "input": "%s", "output": "Note %d is about \"things\".\nDone."}`+"\n",
		i, strings.Repeat("lorem ipsum ", 5+i%20), i)
}

func csvLine(i int) string {
	return fmt.Sprintf("\"Question %d, with a comma and %s\",label_%d\n", i, strings.Repeat("words ", 5+i%20), i%77)
}

// TestConstantMemory streams large files and samples the heap as it goes.
func TestConstantMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("streams ~300 MB")
	}
	cases := []struct {
		name, file, head, tail string
		size                   int64
		row                    func(int) string
	}{
		{"jsonl", "big.jsonl", "", "", 200 << 20, alpacaLine},
		{"json array", "big.json", "[\n", `{"instruction": "last", "output": "x"}]`, 50 << 20,
			func(i int) string { return strings.TrimSuffix(alpacaLine(i), "\n") + ",\n" }},
		{"csv", "big.csv", "text,category\n", "", 50 << 20, csvLine},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path, rows := writeRows(t, c.file, c.size, c.head, c.tail, c.row)
			if c.tail != "" {
				rows++
			}
			runtime.GC()
			var peak uint64
			var ms runtime.MemStats
			sample := func(int64) {
				runtime.ReadMemStats(&ms)
				peak = max(peak, ms.HeapAlloc)
			}
			n := 0
			start := time.Now()
			_, err := Parse(context.Background(), path, Options{}, func(Example) error { n++; return nil }, func(re RowError) { t.Errorf("row error %v", re) }, sample)
			if err != nil || n != rows {
				t.Fatalf("%v: %d examples, want %d", err, n, rows)
			}
			size := float64(c.size) / (1 << 20)
			t.Logf("%s: %.0f MiB, %d rows in %v (%.0f MiB/s), peak heap %.1f MiB", c.name, size, rows, time.Since(start).Round(time.Millisecond), size/time.Since(start).Seconds(), float64(peak)/(1<<20))
			if peak > 64<<20 {
				t.Errorf("peak heap %d MiB, want < 64 MiB", peak>>20)
			}
		})
	}
}

func TestCancel(t *testing.T) {
	jsonl, _ := writeRows(t, "c.jsonl", 8<<20, "", "", alpacaLine)
	jsonArr, _ := writeRows(t, "c.json", 8<<20, "[", `{"instruction": "a", "output": "b"}]`, func(i int) string { return strings.TrimSuffix(alpacaLine(i), "\n") + "," })
	csvPath, _ := writeRows(t, "c.csv", 8<<20, "text,category\n", "", csvLine)
	tsvPath, _ := writeRows(t, "c.tsv", 8<<20, "", "", func(i int) string { return fmt.Sprintf("ham\t\"quoted\" text %d\nspam\tmore %d\n", i, i) })
	type row struct {
		Prompt   string `parquet:"prompt"`
		Response string `parquet:"response"`
	}
	var pq []row
	for i := range 5000 {
		pq = append(pq, row{fmt.Sprint("q", i), "a"})
	}
	pqPath := writeParquet(t, pq)
	for _, path := range []string{jsonl, jsonArr, csvPath, tsvPath, pqPath} {
		t.Run(filepath.Base(path), func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			n := 0
			_, err := Parse(ctx, path, Options{}, func(Example) error {
				if n++; n == 1000 {
					cancel()
				}
				return nil
			}, nil, nil)
			if !errors.Is(err, context.Canceled) || n != 1000 {
				t.Fatalf("got %v after %d examples, want context.Canceled right after 1000", err, n)
			}

			// Cancelled from elsewhere while Parse runs: it returns promptly.
			ctx, cancel = context.WithCancel(context.Background())
			defer cancel()
			var cancelled time.Time
			_, err = Parse(ctx, path, Options{}, func(Example) error {
				if cancelled.IsZero() {
					cancelled = time.Now()
					go cancel()
				}
				return nil
			}, nil, nil)
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("got %v, want context.Canceled", err)
			}
			if d := time.Since(cancelled); d > time.Second {
				t.Errorf("Parse took %v to notice the cancellation", d)
			}
		})
	}
}

func TestProgressAndYieldError(t *testing.T) {
	path, rows := writeRows(t, "p.jsonl", 3<<20, "", "", alpacaLine)
	st, _ := os.Stat(path)
	var seen []int64
	n := 0
	_, err := Parse(context.Background(), path, Options{}, func(Example) error { n++; return nil }, nil, func(b int64) { seen = append(seen, b) })
	if err != nil || n != rows {
		t.Fatal(err, n)
	}
	if len(seen) < 3 || seen[len(seen)-1] != st.Size() {
		t.Fatalf("progress %v, want several reports ending at %d", seen, st.Size())
	}
	for i := 1; i < len(seen); i++ {
		if seen[i] < seen[i-1] {
			t.Fatalf("progress went back: %v", seen)
		}
	}

	stop := errors.New("stop")
	n = 0
	_, err = Parse(context.Background(), path, Options{}, func(Example) error {
		if n++; n == 3 {
			return stop
		}
		return nil
	}, nil, nil)
	if !errors.Is(err, stop) || n != 3 {
		t.Fatalf("got %v after %d examples, want the yield error after 3", err, n)
	}
}

func TestOptionErrors(t *testing.T) {
	path := writeTemp(t, "x.csv", "text,label\nhi,a\n")
	for _, opts := range []Options{
		{Container: "xml"},
		{Format: "dolly"},
		{Delimiter: '"'},
	} {
		if _, err := Detect(path, opts); err == nil {
			t.Errorf("%+v: no error", opts)
		}
	}
	var fe *FileError
	if _, err := Detect(path, Options{Columns: Columns{Prompt: "text", Label: "nope"}}); !errors.As(err, &fe) || !strings.Contains(fe.Reason, `no column "nope": the columns are text, label`) {
		t.Errorf("unknown column: %v", err)
	}
	if _, err := Detect(filepath.Join(t.TempDir(), "missing.jsonl"), Options{}); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
	det, err := Detect(path, Options{Columns: Columns{Prompt: "TEXT", Label: "Label"}})
	if err != nil || det.Columns != (Columns{Prompt: "text", Label: "label"}) {
		t.Errorf("case-insensitive columns: %+v %v", det.Columns, err)
	}
}

func benchmarkParse(b *testing.B, path string) {
	st, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(st.Size())
	b.ResetTimer()
	for b.Loop() {
		if _, err := Parse(context.Background(), path, Options{}, func(Example) error { return nil }, nil, nil); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseJSONL(b *testing.B) {
	path, _ := writeRows(b, "b.jsonl", 32<<20, "", "", alpacaLine)
	benchmarkParse(b, path)
}

func BenchmarkParseJSONArray(b *testing.B) {
	path, _ := writeRows(b, "b.json", 32<<20, "[", `{"instruction": "a", "output": "b"}]`, func(i int) string { return strings.TrimSuffix(alpacaLine(i), "\n") + "," })
	benchmarkParse(b, path)
}

func BenchmarkParseCSV(b *testing.B) {
	path, _ := writeRows(b, "b.csv", 32<<20, "text,category\n", "", csvLine)
	benchmarkParse(b, path)
}
