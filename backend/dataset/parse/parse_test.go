package parse

import (
	"context"
	"encoding/csv"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/hone-ai/hone/backend/testfiles"
	"github.com/parquet-go/parquet-go"
)

// result is everything one Parse call produced.
type result struct {
	det      Detection
	examples []Example
	rows     []RowError
	err      error
}

func parseFile(t testing.TB, path string, opts Options) result {
	t.Helper()
	var r result
	r.det, r.err = Parse(context.Background(), path, opts,
		func(ex Example) error { r.examples = append(r.examples, ex); return nil },
		func(re RowError) { r.rows = append(r.rows, re) },
		nil)
	return r
}

func writeTemp(t testing.TB, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func chat(turns ...string) []Message {
	roles := map[byte]string{'s': "system", 'u': "user", 'a': "assistant"}
	var msgs []Message
	for _, t := range turns {
		msgs = append(msgs, Message{Role: roles[t[0]], Content: t[2:]})
	}
	return msgs
}

func TestGoodFiles(t *testing.T) {
	yes := true
	cases := []struct {
		name, file, content string
		opts                Options
		container           Container
		format              Format
		columns             Columns
		want                []Example
	}{
		{
			name: "alpaca with and without input and system", file: "a.jsonl",
			content: `{"instruction": "Add.", "input": "2 and 3", "output": "5"}` + "\n" +
				`{"instruction": "Say hi.", "input": "", "output": "  hi  "}` + "\n" +
				`{"instruction": "Be brief.", "output": "ok", "system": "You are terse."}` + "\n",
			container: JSONL, format: Alpaca,
			want: []Example{
				{Messages: chat("u:Add.\n\n2 and 3", "a:5"), Line: 1},
				{Messages: chat("u:Say hi.", "a:  hi  "), Line: 2},
				{Messages: chat("s:You are terse.", "u:Be brief.", "a:ok"), Line: 3},
			},
		},
		{
			name: "sharegpt", file: "s.jsonl",
			content: `{"conversations": [{"from": "system", "value": "Sys"}, {"from": "human", "value": "Hi"}, {"from": "gpt", "value": "Hello"}, {"from": "user", "value": "More"}, {"from": "model", "value": "Sure"}]}` + "\n" +
				`{"system": "Top", "conversations": [{"from": "human", "value": "Q"}, {"from": "bot", "value": "A"}]}` + "\n",
			container: JSONL, format: ShareGPT,
			want: []Example{
				{Messages: chat("s:Sys", "u:Hi", "a:Hello", "u:More", "a:Sure"), Line: 1},
				{Messages: chat("s:Top", "u:Q", "a:A"), Line: 2},
			},
		},
		{
			name: "sharegpt under messages", file: "s2.jsonl",
			content:   `{"messages": [{"from": "human", "value": "Q"}, {"from": "assistant", "value": "A"}]}` + "\n",
			container: JSONL, format: ShareGPT,
			want: []Example{{Messages: chat("u:Q", "a:A"), Line: 1}},
		},
		{
			name: "openai string and array content", file: "o.jsonl",
			content: `{"messages": [{"role": "system", "content": "S"}, {"role": "user", "content": "Q"}, {"role": "assistant", "content": "A"}]}` + "\r\n" +
				"\r\n" +
				`{"messages": [{"role": "user", "content": [{"type": "text", "text": "Look "}, {"type": "text", "text": "here"}]}, {"role": "assistant", "content": [{"type": "text", "text": "Done"}]}]}`,
			container: JSONL, format: OpenAI,
			want: []Example{
				{Messages: chat("s:S", "u:Q", "a:A"), Line: 1},
				{Messages: chat("u:Look here", "a:Done"), Line: 3},
			},
		},
		{
			name: "prompt completion", file: "pc.jsonl",
			content:   `{"prompt": "1+1=", "completion": " 2"}` + "\n",
			container: JSONL, format: PromptCompletion,
			want: []Example{{Messages: chat("u:1+1=", "a: 2"), Line: 1}},
		},
		{
			name: "text", file: "t.jsonl",
			content:   "\xEF\xBB\xBF" + `{"text": "Once upon a time."}` + "\n" + `{"text": "The end.\n", "meta": {"src": "x"}}`,
			container: JSONL, format: Text, columns: Columns{Prompt: "text"},
			want: []Example{
				{Messages: chat("a:Once upon a time."), Text: true, Line: 1},
				{Messages: chat("a:The end.\n"), Text: true, Line: 2},
			},
		},
		{
			name: "jsonl text and label is a table", file: "tl.jsonl",
			content:   `{"text": "great film", "label": 1}` + "\n" + `{"text": "dull", "label": 0}` + "\n",
			container: JSONL, format: Table, columns: Columns{Prompt: "text", Label: "label"},
			want: []Example{
				{Messages: chat("u:great film", "a:1"), Label: "1", Line: 1},
				{Messages: chat("u:dull", "a:0"), Label: "0", Line: 2},
			},
		},
		{
			name: "json array", file: "arr.json",
			content:   "[\n  {\"instruction\": \"A\", \"output\": \"B\"},\n\n  {\n    \"instruction\": \"C\",\n    \"output\": \"D\"\n  }\n]\n",
			container: JSON, format: Alpaca,
			want: []Example{
				{Messages: chat("u:A", "a:B"), Line: 2},
				{Messages: chat("u:C", "a:D"), Line: 4},
			},
		},
		{
			name: "json data object", file: "obj.json",
			content: "{\"version\": \"1\", \"meta\": {\"a\": [1, 2]}, \"tags\": [\"x\"],\n \"data\": [\n" +
				"{\"prompt\": \"P\", \"completion\": \"C\"},\n{\"prompt\": \"P2\", \"completion\": \"C2\"}]}",
			container: JSON, format: PromptCompletion,
			want: []Example{
				{Messages: chat("u:P", "a:C"), Line: 3},
				{Messages: chat("u:P2", "a:C2"), Line: 4},
			},
		},
		{
			name: "pretty-printed object whose rows are one line each", file: "pretty",
			content:   "{\"data\": [\n  {\"text\": \"a\"}\n]}\n",
			container: JSON, format: Text, columns: Columns{Prompt: "text"},
			want: []Example{{Messages: chat("a:a"), Text: true, Line: 2}},
		},
		{
			name: "one-line json data object", file: "obj1",
			content:   `{"data": [{"text": "a"}, {"text": "b"}]}`,
			container: JSON, format: Text, columns: Columns{Prompt: "text"},
			want: []Example{
				{Messages: chat("a:a"), Text: true, Line: 1},
				{Messages: chat("a:b"), Text: true, Line: 1},
			},
		},
		{
			name: "csv with header, quotes and CRLF", file: "q.csv",
			content: "question,answer,system\r\n" +
				"\"Hello, world\",\"Two\r\nlines\",\r\n" +
				"\"He said \"\"hi\"\"\", ok , Be kind\r\n",
			container: CSV, format: Table, columns: Columns{Prompt: "question", Response: "answer", System: "system"},
			want: []Example{
				{Messages: chat("u:Hello, world", "a:Two\nlines"), Line: 2},
				{Messages: chat("s: Be kind", "u:He said \"hi\"", "a: ok "), Line: 4},
			},
		},
		{
			name: "csv with mapping", file: "m.csv",
			content:   "q,a,cls\nwhat,that,x\n",
			opts:      Options{Columns: Columns{Prompt: "q", Response: "a", Label: "cls"}},
			container: CSV, format: Table, columns: Columns{Prompt: "q", Response: "a", Label: "cls"},
			want: []Example{{Messages: chat("u:what", "a:that"), Label: "x", Line: 2}},
		},
		{
			name: "tsv without header, label first", file: "sms",
			content:   "ham\tsee you\nspam\tWIN \"cash\" now\nham\tok\nham\tlater\n",
			container: CSV, format: Table, columns: Columns{Prompt: "2", Label: "1"},
			want: []Example{
				{Messages: chat("u:see you", "a:ham"), Label: "ham", Line: 1},
				{Messages: chat("u:WIN \"cash\" now", "a:spam"), Label: "spam", Line: 2},
				{Messages: chat("u:ok", "a:ham"), Label: "ham", Line: 3},
				{Messages: chat("u:later", "a:ham"), Label: "ham", Line: 4},
			},
		},
		{
			name: "quoted tsv with header", file: "x.tsv",
			content:   "prompt\tresponse\n\"multi\nline\"\t\"tab\there\"\n",
			container: CSV, format: Table, columns: Columns{Prompt: "prompt", Response: "response"},
			want: []Example{{Messages: chat("u:multi\nline", "a:tab\there"), Line: 2}},
		},
		{
			name: "semicolon csv, header forced off, numbered columns", file: "semi.csv",
			content:   "hi;hello\nbye;goodbye\n",
			opts:      Options{Header: new(bool), Columns: Columns{Prompt: "1", Response: "2"}},
			container: CSV, format: Table, columns: Columns{Prompt: "1", Response: "2"},
			want: []Example{
				{Messages: chat("u:hi", "a:hello"), Line: 1},
				{Messages: chat("u:bye", "a:goodbye"), Line: 2},
			},
		},
		{
			name: "csv alpaca columns", file: "al.csv",
			content:   "instruction,input,output\nAdd,1 2,3\n",
			opts:      Options{Header: &yes},
			container: CSV, format: Alpaca,
			want: []Example{{Messages: chat("u:Add\n\n1 2", "a:3"), Line: 2}},
		},
		{
			name: "single text column", file: "corpus.csv",
			content:   "text\nfirst doc\nsecond doc\n",
			container: CSV, format: Text, columns: Columns{Prompt: "text"},
			want: []Example{
				{Messages: chat("a:first doc"), Text: true, Line: 2},
				{Messages: chat("a:second doc"), Text: true, Line: 3},
			},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := parseFile(t, writeTemp(t, c.file, c.content), c.opts)
			if r.err != nil {
				t.Fatalf("Parse: %v", r.err)
			}
			if len(r.rows) > 0 {
				t.Errorf("row errors: %v", r.rows)
			}
			if r.det.Container != c.container || r.det.Format != c.format || r.det.Columns != c.columns {
				t.Errorf("detected %s/%s %+v, want %s/%s %+v (%s)", r.det.Container, r.det.Format, r.det.Columns, c.container, c.format, c.columns, r.det.Why)
			}
			if !reflect.DeepEqual(r.examples, c.want) {
				t.Errorf("examples\n got %+v\nwant %+v", r.examples, c.want)
			}
			if n := min(len(c.want), previewRows); !reflect.DeepEqual(r.det.Preview, c.want[:n]) {
				t.Errorf("preview %+v", r.det.Preview)
			}
			if r.det.Why == "" {
				t.Error("no Why")
			}
			det, err := Detect(writeTemp(t, c.file, c.content), c.opts)
			if err != nil || det.Format != c.format {
				t.Errorf("Detect: %+v, %v", det, err)
			}
		})
	}
}

type pqMessage struct {
	Role    string `parquet:"role"`
	Content string `parquet:"content"`
}

func writeParquet[T any](t testing.TB, rows []T, opts ...parquet.WriterOption) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "data.parquet")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := parquet.NewGenericWriter[T](f, opts...)
	if _, err := w.Write(rows); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestParquet(t *testing.T) {
	type classRow struct {
		Text  string `parquet:"text"`
		Label int64  `parquet:"label"`
	}
	var rows []classRow
	for i := range 300 {
		rows = append(rows, classRow{Text: strings.Repeat("x", i%7+1), Label: int64(i % 3)})
	}
	rows[5].Text = " " // an empty user turn
	// Small row groups, so that reading crosses several of them.
	r := parseFile(t, writeParquet(t, rows, parquet.MaxRowsPerRowGroup(64)), Options{})
	if r.err != nil {
		t.Fatal(r.err)
	}
	if r.det.Container != Parquet || r.det.Format != Table || r.det.Columns != (Columns{Prompt: "text", Label: "label"}) {
		t.Fatalf("detected %+v", r.det)
	}
	if len(r.examples) != 299 || len(r.rows) != 1 || r.rows[0].Line != 6 || r.rows[0].Field != "text" {
		t.Fatalf("%d examples, row errors %v", len(r.examples), r.rows)
	}
	for _, ex := range r.examples {
		want := rows[ex.Line-1]
		if ex.Messages[0].Content != want.Text || ex.Label != []string{"0", "1", "2"}[want.Label] || ex.Messages[1].Content != ex.Label {
			t.Fatalf("row %d: %+v, want %+v", ex.Line, ex, want)
		}
	}

	type chatRow struct {
		ID       int64       `parquet:"id"`
		Messages []pqMessage `parquet:"messages,list"`
	}
	r = parseFile(t, writeParquet(t, []chatRow{
		{ID: 1, Messages: []pqMessage{{"user", "Q"}, {"assistant", "A"}}},
		{ID: 2, Messages: []pqMessage{{"assistant", "A"}}},
	}), Options{})
	if r.err != nil || r.det.Format != OpenAI {
		t.Fatalf("chat parquet: %v %+v", r.err, r.det)
	}
	if want := []Example{{Messages: chat("u:Q", "a:A"), Line: 1}}; !reflect.DeepEqual(r.examples, want) {
		t.Errorf("chat examples %+v", r.examples)
	}
	if len(r.rows) != 1 || r.rows[0].Line != 2 || r.rows[0].Field != "messages[0]" {
		t.Errorf("chat row errors %v", r.rows)
	}

	type junkRow struct {
		ID  int64     `parquet:"id"`
		Vec []float32 `parquet:"vec"`
	}
	_, err := Detect(writeParquet(t, []junkRow{{1, []float32{1}}, {2, []float32{2}}, {3, nil}}), Options{})
	var fe *FileError
	if !errors.As(err, &fe) || !strings.Contains(fe.Reason, "Parquet: no usable columns among id (INT(64,true)), vec (") {
		t.Errorf("junk parquet: %v", err)
	}
}

func countLabels(examples []Example) map[string]int {
	n := map[string]int{}
	for _, ex := range examples {
		n[ex.Label]++
	}
	return n
}

func TestBanking77(t *testing.T) {
	path := testfiles.Shared(t, "datasets", "banking77", "train.csv")
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int{}
	for _, rec := range recs[1:] {
		want[rec[1]]++
	}
	r := parseFile(t, path, Options{})
	if r.err != nil || len(r.rows) > 0 {
		t.Fatalf("Parse: %v, row errors %v", r.err, r.rows)
	}
	d := r.det
	if d.Container != CSV || d.Delimiter != ',' || !d.Header || d.Format != Table || d.Columns != (Columns{Prompt: "text", Label: "category"}) {
		t.Fatalf("detected %+v", d)
	}
	if len(r.examples) != 10003 || len(recs)-1 != 10003 {
		t.Errorf("%d examples, %d records; want 10,003", len(r.examples), len(recs)-1)
	}
	if got := countLabels(r.examples); !reflect.DeepEqual(got, want) || len(got) != 77 {
		t.Errorf("%d labels, want 77 with the counts encoding/csv finds", len(got))
	}
	for i, ex := range r.examples {
		if ex.Messages[0].Content != recs[i+1][0] || ex.Messages[1].Content != recs[i+1][1] {
			t.Fatalf("row %d: %+v, want %q", i, ex, recs[i+1])
		}
	}
}

func TestSMSSpam(t *testing.T) {
	path := testfiles.Shared(t, "datasets", "sms_spam", "SMSSpamCollection")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	// Independently: one message per line, the label before the first tab,
	// quotes as plain text; the copy here may start with a header line.
	type msg struct{ label, text string }
	var want []msg
	for i, line := range strings.Split(strings.TrimSuffix(string(data), "\n"), "\n") {
		label, text, _ := strings.Cut(strings.TrimSuffix(line, "\r"), "\t")
		if i == 0 && label == "Label" {
			continue
		}
		want = append(want, msg{label, text})
	}
	wantCounts := map[string]int{}
	for _, m := range want {
		wantCounts[m.label]++
	}
	if len(want) != 5574 || wantCounts["ham"] != 4827 || wantCounts["spam"] != 747 {
		t.Fatalf("the file has %d rows %v; the published figures are 5,574: 4,827 ham, 747 spam", len(want), wantCounts)
	}

	r := parseFile(t, path, Options{})
	if r.err != nil || len(r.rows) > 0 {
		t.Fatalf("Parse: %v, row errors %v", r.err, r.rows)
	}
	if r.det.Delimiter != '\t' || r.det.Format != Table || r.det.Columns.Prompt == "" || r.det.Columns.Label == "" {
		t.Fatalf("detected %+v", r.det)
	}
	if len(r.examples) != len(want) {
		t.Fatalf("%d examples, want %d", len(r.examples), len(want))
	}
	if got := countLabels(r.examples); !reflect.DeepEqual(got, wantCounts) {
		t.Errorf("labels %v, want %v", got, wantCounts)
	}
	for i, ex := range r.examples {
		if ex.Messages[0].Content != want[i].text || ex.Label != want[i].label {
			t.Fatalf("row %d (line %d): %q %q, want %q", i, ex.Line, ex.Label, ex.Messages[0].Content, want[i])
		}
	}

	// The collection as published has no header: the label column is found
	// by its values.
	var b strings.Builder
	for _, m := range want {
		b.WriteString(m.label + "\t" + m.text + "\n")
	}
	r = parseFile(t, writeTemp(t, "SMSSpamCollection", b.String()), Options{})
	if r.err != nil || len(r.rows) > 0 || r.det.Header || r.det.Columns != (Columns{Prompt: "2", Label: "1"}) {
		t.Fatalf("headerless: %v, %v, %+v", r.err, r.rows, r.det)
	}
	if got := countLabels(r.examples); len(r.examples) != 5574 || !reflect.DeepEqual(got, wantCounts) {
		t.Errorf("headerless: %d examples, labels %v", len(r.examples), got)
	}
	if last := r.examples[len(r.examples)-1]; last.Line != 5574 || last.Messages[0].Content != want[5573].text {
		t.Errorf("headerless: last example %+v", last)
	}
}

// TestJSONArrayLines checks element lines where the gaps between elements are
// long enough to cross the decoder's buffer.
func TestJSONArrayLines(t *testing.T) {
	var b strings.Builder
	var want []int
	line := 1
	b.WriteString("[")
	for i := range 400 {
		if i > 0 {
			b.WriteString(" ,")
		}
		gap := strings.Repeat("\n", i%5) + strings.Repeat(" ", i%3*700)
		if i%50 == 7 {
			gap += strings.Repeat("\r\n", 3000) // far more than one buffer
		}
		b.WriteString(gap)
		line += strings.Count(gap, "\n")
		want = append(want, line)
		text := strings.Repeat("x\\n", i%300) // escaped newlines do not count
		b.WriteString(`{"instruction": "` + text + `q", "output":` + strings.Repeat("\n", i%2) + ` "a"}`)
		line += i % 2
	}
	b.WriteString("\n]\n")
	r := parseFile(t, writeTemp(t, "lines.json", b.String()), Options{})
	if r.err != nil || len(r.rows) > 0 || len(r.examples) != len(want) {
		t.Fatalf("%v, %v, %d examples", r.err, r.rows, len(r.examples))
	}
	for i, ex := range r.examples {
		if ex.Line != want[i] {
			t.Fatalf("element %d on line %d, want %d", i, ex.Line, want[i])
		}
	}
}
