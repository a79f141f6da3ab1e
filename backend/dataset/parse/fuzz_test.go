package parse

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"unicode/utf8"
)

// fuzzParse parses data as a file named name with default options: it must
// not panic, and whatever it yields must be a well-formed example.
func fuzzParse(t *testing.T, name string, data []byte) {
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	det, err := Parse(context.Background(), path, Options{}, func(ex Example) error {
		checkExample(t, ex)
		return nil
	}, func(re RowError) {
		if re.Line < 1 || re.Reason == "" {
			t.Errorf("bad row error %+v", re)
		}
	}, nil)
	var fe *FileError
	if errors.As(err, &fe) && fe.Reason == "" {
		t.Errorf("file error without a reason")
	}
	for _, ex := range det.Preview {
		checkExample(t, ex)
	}
}

func checkExample(t *testing.T, ex Example) {
	t.Helper()
	n := len(ex.Messages)
	if n == 0 || ex.Line < 1 || ex.Messages[n-1].Role != "assistant" || ex.Text && n != 1 {
		t.Fatalf("malformed example %+v", ex)
	}
	for i, m := range ex.Messages {
		if !utf8.ValidString(m.Content) || blank(m.Content) && m.Role != "system" {
			t.Fatalf("message %d of %+v", i, ex)
		}
		if i > 0 && m.Role == ex.Messages[i-1].Role || m.Role == "system" && i > 0 {
			t.Fatalf("roles out of order in %+v", ex)
		}
	}
}

func addCorpusSeeds(f *testing.F, exts ...string) {
	for _, ext := range exts {
		files, _ := filepath.Glob("testdata/bad/*" + ext)
		for _, file := range files {
			if data, err := os.ReadFile(file); err == nil {
				f.Add(data)
			}
		}
	}
}

func FuzzParseJSONL(f *testing.F) {
	addCorpusSeeds(f, ".jsonl", ".json")
	f.Add([]byte(`{"instruction": "a", "output": "b"}` + "\n" + `{"messages": [{"role": "user", "content": [{"type": "text", "text": "x"}]}, {"role": "assistant", "content": "y"}]}`))
	f.Add([]byte(`{"conversations": [{"from": "human", "value": "q"}, {"from": "gpt", "value": "a"}], "system": "s"}`))
	f.Add([]byte(`{"data": [{"prompt": "p", "completion": "c"}, {"text": "t", "label": 3}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		fuzzParse(t, "fuzz.jsonl", data)
	})
}

func FuzzParseCSV(f *testing.F) {
	addCorpusSeeds(f, ".csv")
	f.Add([]byte("text,category\n\"a, \"\"quoted\"\"\nline\",x\nb,y\n"))
	f.Add([]byte("ham\tGo until \"jurong\" point\nspam\tWIN\n\nham\tok\r\n"))
	f.Add([]byte("instruction;input;output\nq;;a\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		fuzzParse(t, "fuzz.csv", data)
	})
}
