package dataset

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hone-ai/hone/backend/dataset/parse"
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

func writeFile(t testing.TB, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func importFile(t testing.TB, st *store.Store, path string) Dataset {
	t.Helper()
	d, err := Import(context.Background(), st, path, ImportOptions{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestImportRealDatasets(t *testing.T) {
	tests := []struct {
		file     string
		examples int64
		labels   int
		top      LabelCount
		check    map[string]int
	}{
		// banking77: 10,003 rows, 77 intents; card_payment_fee_charged is the most common (187).
		{"datasets/banking77/train.csv", 10003, 77, LabelCount{"card_payment_fee_charged", 187}, map[string]int{"activate_my_card": 159}},
		// SMS spam: 5,574 messages, 4,827 ham and 747 spam.
		{"datasets/sms_spam/SMSSpamCollection", 5574, 2, LabelCount{"ham", 4827}, map[string]int{"spam": 747}},
	}
	for _, tt := range tests {
		t.Run(filepath.Base(tt.file), func(t *testing.T) {
			st := openStore(t)
			var last Progress
			d, err := Import(context.Background(), st, testfiles.Shared(t, tt.file), ImportOptions{}, func(p Progress) { last = p })
			if err != nil {
				t.Fatal(err)
			}
			if d.Examples != tt.examples || d.Errors != 0 {
				t.Fatalf("%d examples, %d errors; want %d and 0", d.Examples, d.Errors, tt.examples)
			}
			if last.Rows != tt.examples || last.Fraction() != 1 {
				t.Errorf("last progress %+v", last)
			}
			r, err := MakeReport(context.Background(), st, d.ID)
			if err != nil {
				t.Fatal(err)
			}
			if len(r.Labels) != tt.labels || r.Labels[0] != tt.top {
				t.Errorf("%d labels, top %+v; want %d, %+v", len(r.Labels), r.Labels[0], tt.labels, tt.top)
			}
			for l, n := range tt.check {
				found := false
				for _, lc := range r.Labels {
					if lc.Label == l {
						found = lc.Count == n
					}
				}
				if !found {
					t.Errorf("label %q: want %d examples", l, n)
				}
			}
			var sum int
			for _, lc := range r.Labels {
				sum += lc.Count
			}
			if int64(sum) != tt.examples {
				t.Errorf("labels add up to %d", sum)
			}
			page, err := Examples(context.Background(), st, d.ID, "", 0, 3)
			if err != nil || page.Total != tt.examples || len(page.Examples) != 3 || page.Examples[0].Seq != 1 {
				t.Errorf("first page %+v, %v", page, err)
			}
		})
	}
}

const chat = `{"messages":[{"role":"user","content":"%s"},{"role":"assistant","content":"%s"}]}` + "\n"

func TestReportFindings(t *testing.T) {
	var b strings.Builder
	long := strings.Repeat("word ", 4000)
	rows := [][2]string{
		{"What is the capital of France?", "Paris is the capital of France."},
		{"What is the capital of France?", "Paris is the capital of France."}, // exact duplicate
		{"what is the capital of france", "Paris, is the capital of France!"}, // duplicate up to case and punctuation
		{"Explain photosynthesis in plants please.", "Plants turn light, water and CO2 into sugar and oxygen."},
		{"Explain photosynthesis in plants, please!!", "Plants turn light, water and CO2 into sugar and oxygen here."}, // near
		{"Hi", "Yo"}, // short
		{"Summarise this", long},
		{"Name a colour of the sky on a clear day.", "Blue."},
	}
	for _, r := range rows {
		fmt.Fprintf(&b, chat, r[0], r[1])
	}
	st := openStore(t)
	d := importFile(t, st, writeFile(t, "qa.jsonl", b.String()))
	r, err := MakeReport(context.Background(), st, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]Finding{}
	for _, f := range r.Findings {
		got[f.Key] = f
	}
	want := map[string]int{"exact-duplicates": 1, "normalized-duplicates": 2, "near-duplicates": 1, "short": 1, "long": 1}
	for k, n := range want {
		if got[k].Count != n {
			t.Errorf("%s: %d, want %d (%+v)", k, got[k].Count, n, got[k])
		}
	}
	// Findings link to their examples.
	exs, err := ExamplesByID(context.Background(), st, d.ID, got["short"].Examples)
	if err != nil || len(exs) != 1 || exs[0].Messages[0].Content != "Hi" {
		t.Errorf("short examples %+v, %v", exs, err)
	}
	if r.Lengths.Max < 20000 || r.Lengths.P50 <= 0 || len(r.Lengths.Histogram) == 0 {
		t.Errorf("lengths %+v", r.Lengths)
	}

	// One click: a new version without them; the original stays.
	for fix, left := range map[string]int64{"dedupe-exact": 7, "dedupe-normalized": 6, "dedupe-near": 5, "drop-short": 7, "drop-long": 7} {
		v, err := Fix(context.Background(), st, d.ID, fix)
		if err != nil {
			t.Fatal(err)
		}
		if v.Examples != left || v.ParentID != d.ID {
			t.Errorf("%s: %d examples (parent %d), want %d", fix, v.Examples, v.ParentID, left)
		}
	}
	if orig, _ := Get(context.Background(), st, d.ID); orig.Examples != 8 {
		t.Errorf("original changed: %+v", orig)
	}
	if _, err := Fix(context.Background(), st, d.ID, "make-it-good"); err == nil {
		t.Error("an unknown fix did something")
	}
}

func TestSplitIsSeededAndStratified(t *testing.T) {
	var b strings.Builder
	for i := range 1000 {
		label := "common"
		if i%10 == 0 {
			label = "rare"
		}
		fmt.Fprintf(&b, "message number %d,%s\n", i, label)
	}
	st := openStore(t)
	d := importFile(t, st, writeFile(t, "labels.csv", "text,label\n"+b.String()))
	train, eval, err := Split(context.Background(), st, d.ID, 0.2, 7)
	if err != nil {
		t.Fatal(err)
	}
	if train.Examples != 800 || eval.Examples != 200 {
		t.Fatalf("train %d, eval %d", train.Examples, eval.Examples)
	}
	r, _ := MakeReport(context.Background(), st, eval.ID)
	if len(r.Labels) != 2 || r.Labels[1] != (LabelCount{"rare", 20}) {
		t.Errorf("eval labels %+v: want 20 of the 100 rare", r.Labels)
	}
	if f, err := Overlap(context.Background(), st, train.ID, eval.ID); err != nil || f.Count != 0 {
		t.Errorf("train and eval overlap: %+v, %v", f, err)
	}
	_, eval2, _ := Split(context.Background(), st, d.ID, 0.2, 7)
	_, eval3, _ := Split(context.Background(), st, d.ID, 0.2, 8)
	if exportString(t, st, eval.ID) != exportString(t, st, eval2.ID) {
		t.Error("the same seed gave another split")
	}
	if exportString(t, st, eval.ID) == exportString(t, st, eval3.ID) {
		t.Error("another seed gave the same split")
	}
	for _, f := range []float64{0, 1, -0.5} {
		if _, _, err := Split(context.Background(), st, d.ID, f, 1); err == nil {
			t.Errorf("split %v: no error", f)
		}
	}
}

func exportString(t *testing.T, st *store.Store, id int64) string {
	t.Helper()
	var b bytes.Buffer
	if _, err := Export(context.Background(), st, id, &b); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestMixByRatio(t *testing.T) {
	st := openStore(t)
	mk := func(name string, n int) Dataset {
		var b strings.Builder
		for i := range n {
			fmt.Fprintf(&b, `{"prompt": "%s %d", "completion": "ok"}`+"\n", name, i)
		}
		return importFile(t, st, writeFile(t, name+".jsonl", b.String()))
	}
	general, domain := mk("general", 1000), mk("domain", 100)
	m, err := Mix(context.Background(), st, "mix", []MixPart{{general.ID, 0.75}, {domain.ID, 0.25}}, 0, 3)
	if err != nil {
		t.Fatal(err)
	}
	// 100 domain examples make 25%: 400 in all, 300 general.
	if m.Examples != 400 {
		t.Fatalf("mix of %d", m.Examples)
	}
	page, _ := Examples(context.Background(), st, m.ID, "domain", 0, 1)
	if page.Total != 100 {
		t.Errorf("%d domain examples, want 100", page.Total)
	}
	if _, err := Mix(context.Background(), st, "x", []MixPart{{general.ID, 1}, {domain.ID, -1}}, 0, 1); err == nil {
		t.Error("a negative weight mixed")
	}
}

func TestExportRoundTrip(t *testing.T) {
	st := openStore(t)
	src := fmt.Sprintf(chat, `Quote \"this\" and a tab\t`, "Ünïcödé ✓ 汉字") + fmt.Sprintf(chat, "2", "two")
	d := importFile(t, st, writeFile(t, "a.jsonl", src))
	out := exportString(t, st, d.ID)
	d2 := importFile(t, st, writeFile(t, "b.jsonl", out))
	if exportString(t, st, d2.ID) != out {
		t.Errorf("export, import, export changed the data:\n%s", out)
	}
	page, err := Examples(context.Background(), st, d.ID, `"this"`, 0, 10)
	if err != nil || page.Total != 1 {
		t.Errorf("search for a quoted word: %+v, %v", page, err)
	}
}

func TestFailedImportLeavesNothing(t *testing.T) {
	st := openStore(t)
	ctx, cancel := context.WithCancel(context.Background())
	var b strings.Builder
	for i := range 50000 {
		fmt.Fprintf(&b, chat, fmt.Sprint("question ", i), "answer")
	}
	path := writeFile(t, "big.jsonl", b.String())
	_, err := Import(ctx, st, path, ImportOptions{}, func(p Progress) {
		if p.Rows > 1000 {
			cancel()
		}
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err %v, want cancelled", err)
	}
	strict := writeFile(t, "strict.jsonl", fmt.Sprintf(chat, "a", "b")+"{broken\n")
	if _, err := Import(context.Background(), st, strict, ImportOptions{Parse: parse.Options{Strict: true}}, nil); err == nil || !strings.Contains(err.Error(), "line 2") {
		t.Fatalf("strict import of a bad row: %v", err)
	}
	if _, err := Import(context.Background(), st, writeFile(t, "empty.jsonl", ""), ImportOptions{}, nil); err == nil {
		t.Fatal("an empty file imported")
	}
	ds, _ := List(context.Background(), st)
	var rows int
	st.DB.Raw("SELECT count(*) FROM examples").Scan(&rows)
	var hidden int
	st.DB.Raw("SELECT count(*) FROM datasets").Scan(&hidden)
	if len(ds) != 0 || rows != 0 || hidden != 0 {
		t.Fatalf("after failed imports: %d datasets listed, %d in the table, %d example rows", len(ds), hidden, rows)
	}
}

func TestSkippedRowsAreRecorded(t *testing.T) {
	st := openStore(t)
	src := fmt.Sprintf(chat, "a", "b") + "{not json\n" + `{"messages":[{"role":"user","content":"q"},{"role":"assistant","content":""}]}` + "\n" + fmt.Sprintf(chat, "c", "d")
	d := importFile(t, st, writeFile(t, "some-bad.jsonl", src))
	if d.Examples != 2 || d.Errors != 2 {
		t.Fatalf("%d examples, %d errors", d.Examples, d.Errors)
	}
	errs, err := Errors(context.Background(), st, d.ID, 10)
	if err != nil || len(errs) != 2 || errs[0].Line != 2 || errs[1].Line != 3 || !strings.HasSuffix(errs[0].File, "some-bad.jsonl") {
		t.Fatalf("errors %+v, %v", errs, err)
	}
}
