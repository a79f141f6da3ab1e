package data

import (
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/hone-ai/hone/backend/dataset"
	"github.com/hone-ai/hone/backend/store"
	"github.com/hone-ai/hone/backend/testfiles"
)

func openStore(t testing.TB) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), filepath.Join(t.TempDir(), store.FileName))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// importCSV imports records (a header first) as a dataset.
func importCSV(t testing.TB, st *store.Store, records [][]string) dataset.Dataset {
	t.Helper()
	path := filepath.Join(t.TempDir(), "d.csv")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := csv.NewWriter(f)
	w.WriteAll(records)
	if err := f.Close(); err != nil || w.Error() != nil {
		t.Fatal(err, w.Error())
	}
	d, err := dataset.Import(context.Background(), st, path, dataset.ImportOptions{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// banking77 is every 20th row of the real banking77 training set (500
// rows, many intents), with its header.
func banking77(t testing.TB) [][]string {
	t.Helper()
	f, err := os.Open(testfiles.Shared(t, "datasets", "banking77", "train.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	all, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	out := [][]string{all[0]}
	for i := 1; i < len(all); i += 20 {
		out = append(out, all[i])
	}
	return out
}

// TestBanking77SmolLM2: real rows, imported as the app imports them, read
// back and encoded with SmolLM2's own template: the label is the answer,
// and its tokens and <|im_end|> are the only targets.
func TestBanking77SmolLM2(t *testing.T) {
	m := smolLM2(t)
	st := openStore(t)
	rows := banking77(t)
	d := importCSV(t, st, rows)
	ctx := context.Background()
	e := NewEncoder(m.tok, m.tmpl, Options{SeqLen: 256})
	seqs, err := Load(ctx, st, d.ID, e)
	if err != nil {
		t.Fatal(err)
	}
	exs, err := Examples(ctx, st, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(seqs) != len(rows)-1 || len(exs) != len(seqs) {
		t.Fatalf("%d sequences and %d examples of %d rows", len(seqs), len(exs), len(rows)-1)
	}
	var targets int64
	for i, s := range seqs {
		ex, label := exs[i], rows[i+1][1]
		if s.Example != ex.ID || ex.Label != label || ex.Messages[0].Content != rows[i+1][0] {
			t.Fatalf("sequence %d is example %d %+v, want row %v", i, s.Example, ex, rows[i+1])
		}
		if got := runs(m.tok, s); !slices.Equal(got, []string{label + "<|im_end|>"}) {
			t.Fatalf("example %d: targets %q, want %q", i, got, label+"<|im_end|>")
		}
		if got, want := m.tok.Decode(ints(s.Tokens)), cutAfterLast(render(t, m, ex.Messages, false, nil), "<|im_end|>"); got != want {
			t.Fatalf("example %d: %q\nwant %q", i, got, want)
		}
		ids, answer, err := e.Prompt(ex)
		if err != nil || answer != label || !slices.Equal(ids, s.Tokens[:len(s.Tokens)-s.Targets()]) {
			t.Fatalf("example %d: prompt %q, answer %q, %v", i, m.tok.Decode(ints(ids)), answer, err)
		}
		targets += int64(len(m.tok.Encode(label, false)) + 1)
	}
	st0 := e.Stats()
	if st0.Examples != len(seqs) || st0.Sequences != len(seqs) || st0.TargetTokens != targets || st0.Truncated != 0 || len(st0.Dropped) != 0 {
		t.Errorf("stats %+v, want %d examples and %d targets", st0, len(seqs), targets)
	}

	// Packed: every target once per epoch, none across examples.
	p, err := NewPacker(seqs, PackOptions{B: 4, T: 256, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	checkEpochs(t, p, seqs, 2)
}

func TestLoadSplitParts(t *testing.T) {
	m := smolLM2(t)
	st := openStore(t)
	ctx := context.Background()
	records := [][]string{{"text", "label"}}
	for i := range 20 {
		records = append(records, []string{strings.Repeat("word ", i+1), []string{"yes", "no"}[i%2]})
	}
	d := importCSV(t, st, records)
	train, eval, err := dataset.Split(ctx, st, d.ID, 0.25, 9)
	if err != nil {
		t.Fatal(err)
	}
	// A second split of another fraction: its eval part is not train's.
	if _, _, err := dataset.Split(ctx, st, d.ID, 0.5, 9); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		id   int64
		want int64 // 0: no eval part
	}{
		{train.ID, eval.ID},
		{eval.ID, 0},
		{d.ID, 0},
	}
	for _, tt := range tests {
		got, ok, err := EvalFor(ctx, st, tt.id)
		if err != nil || ok != (tt.want != 0) || got.ID != tt.want {
			t.Errorf("eval for %d: %d %v %v, want %d", tt.id, got.ID, ok, err, tt.want)
		}
	}

	e := NewEncoder(m.tok, m.tmpl, Options{})
	seqs, err := Load(ctx, st, train.ID, e)
	if err != nil {
		t.Fatal(err)
	}
	exs, err := Examples(ctx, st, train.ID)
	if err != nil {
		t.Fatal(err)
	}
	if int64(len(seqs)) != train.Examples || len(exs) != len(seqs) {
		t.Fatalf("%d sequences, %d examples; want %d", len(seqs), len(exs), train.Examples)
	}
	for i := range seqs {
		if seqs[i].Example != exs[i].ID || (i > 0 && exs[i].ID <= exs[i-1].ID) {
			t.Fatalf("sequence %d is example %d, want %d in dataset order", i, seqs[i].Example, exs[i].ID)
		}
	}

	// Nothing fits: every example dropped, and Load says so.
	tiny := NewEncoder(m.tok, m.tmpl, Options{SeqLen: 3, TooLong: Drop})
	if _, err := Load(ctx, st, eval.ID, tiny); err == nil || !strings.Contains(err.Error(), "no example left") {
		t.Errorf("all dropped: %v", err)
	}
	if got := tiny.Stats().Dropped[DropTooLong]; int64(got) != eval.Examples {
		t.Errorf("%d dropped, want %d", got, eval.Examples)
	}
}

// BenchmarkEncodeBanking77 encodes real rows with SmolLM2's template.
func BenchmarkEncodeBanking77(b *testing.B) {
	m := smolLM2(b)
	rows := banking77(b)[1:]
	e := NewEncoder(m.tok, m.tmpl, Options{})
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r := rows[i%len(rows)]
		if _, err := e.Encode(dataset.Example{Messages: chat("user", r[0]), Label: r[1]}); err != nil {
			b.Fatal(err)
		}
	}
}

// TestImportedConversations: ShareGPT and OpenAI files, imported as the app
// imports them, keep their system prompts and every answer as targets.
func TestImportedConversations(t *testing.T) {
	m := smolLM2(t)
	tests := []struct {
		name, file string
		want       []string // the targets of the example
		system     string   // in the sequence before them
	}{
		{"sharegpt", `{"system": "Answer in French.", "conversations": [{"from": "human", "value": "Hello"}, {"from": "gpt", "value": "Bonjour"}, {"from": "human", "value": "Thanks"}, {"from": "gpt", "value": "Merci"}]}` + "\n",
			[]string{"Bonjour<|im_end|>", "Merci<|im_end|>"}, "<|im_start|>system\nAnswer in French.<|im_end|>\n"},
		{"openai", `{"messages": [{"role": "developer", "content": "Be terse."}, {"role": "user", "content": "2+2?"}, {"role": "assistant", "content": "4"}, {"role": "user", "content": "3+3?"}, {"role": "assistant", "content": [{"type": "text", "text": "6"}]}]}` + "\n",
			[]string{"4<|im_end|>", "6<|im_end|>"}, "<|im_start|>system\nBe terse.<|im_end|>\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := openStore(t)
			path := filepath.Join(t.TempDir(), tt.name+".jsonl")
			if err := os.WriteFile(path, []byte(tt.file), 0o644); err != nil {
				t.Fatal(err)
			}
			d, err := dataset.Import(context.Background(), st, path, dataset.ImportOptions{}, nil)
			if err != nil {
				t.Fatal(err)
			}
			seqs, err := Load(context.Background(), st, d.ID, NewEncoder(m.tok, m.tmpl, Options{}))
			if err != nil {
				t.Fatal(err)
			}
			if len(seqs) != 1 {
				t.Fatalf("%d sequences", len(seqs))
			}
			if got := runs(m.tok, seqs[0]); !slices.Equal(got, tt.want) {
				t.Errorf("targets %q, want %q", got, tt.want)
			}
			if got := m.tok.Decode(ints(seqs[0].Tokens)); !strings.HasPrefix(got, tt.system) {
				t.Errorf("sequence %q does not start with the system prompt", got)
			}
		})
	}
}

// TestEncodeConcurrently: an Encoder shared by goroutines gives what it
// gives serially, and counts every example once.
func TestEncodeConcurrently(t *testing.T) {
	m := smolLM2(t)
	rows := banking77(t)[1:101]
	encode := func(e *Encoder, r []string) Sequence {
		s, err := e.Encode(dataset.Example{Messages: chat("user", r[0]), Label: r[1]})
		if err != nil {
			t.Error(err)
		}
		return s
	}
	serial := NewEncoder(m.tok, m.tmpl, Options{})
	want := make([]Sequence, len(rows))
	for i, r := range rows {
		want[i] = encode(serial, r)
	}
	shared := NewEncoder(m.tok, m.tmpl, Options{})
	got := make([]Sequence, len(rows))
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for i := w; i < len(rows); i += 4 {
				got[i] = encode(shared, rows[i])
			}
		})
	}
	wg.Wait()
	if !reflect.DeepEqual(got, want) || !reflect.DeepEqual(shared.Stats(), serial.Stats()) {
		t.Errorf("concurrent encoding differs: stats %+v, want %+v", shared.Stats(), serial.Stats())
	}
}
