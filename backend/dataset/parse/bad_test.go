package parse

import (
	"encoding/json"
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// expectation is one entry of testdata/bad/expect.json.
type expectation struct {
	File      string `json:"file"`
	FileError string `json:"file_error"` // substring of the *FileError; "" when the file is read
	Good      int    `json:"good"`       // examples yielded in default mode
	Lines     []int  `json:"lines"`      // their lines, when worth checking
	Rows      []struct {
		Line   int    `json:"line"`
		Field  string `json:"field"`
		Reason string `json:"reason"` // substring
	} `json:"rows"`
}

func TestBadCorpus(t *testing.T) {
	data, err := os.ReadFile("testdata/bad/expect.json")
	if err != nil {
		t.Fatal(err)
	}
	var manifest []expectation
	if err := json.Unmarshal(data, &manifest); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob("testdata/bad/*")
	var listed []string
	for _, e := range manifest {
		listed = append(listed, e.File)
	}
	for _, f := range files {
		if name := filepath.Base(f); name != "expect.json" && !slices.Contains(listed, name) {
			t.Errorf("%s is not in expect.json", name)
		}
	}
	if len(manifest) < 30 {
		t.Errorf("only %d files in the bad corpus", len(manifest))
	}
	for _, e := range manifest {
		t.Run(e.File, func(t *testing.T) {
			path := filepath.Join("testdata", "bad", e.File)
			r := parseFile(t, path, Options{})
			if e.FileError != "" {
				var fe *FileError
				if !errors.As(r.err, &fe) || !strings.Contains(fe.Reason, e.FileError) || fe.File != path {
					t.Fatalf("got %v, want a FileError containing %q", r.err, e.FileError)
				}
				if len(r.examples) > 0 || len(r.rows) > 0 {
					t.Errorf("a file error, yet %d examples and %d row errors", len(r.examples), len(r.rows))
				}
				if _, err := Detect(path, Options{}); !errors.As(err, &fe) {
					t.Errorf("Detect: %v", err)
				}
				return
			}
			if r.err != nil {
				t.Fatalf("Parse: %v", r.err)
			}
			if len(r.examples) != e.Good {
				t.Errorf("%d good examples, want %d", len(r.examples), e.Good)
			}
			if e.Lines != nil {
				var lines []int
				for _, ex := range r.examples {
					lines = append(lines, ex.Line)
				}
				if !slices.Equal(lines, e.Lines) {
					t.Errorf("lines %v, want %v", lines, e.Lines)
				}
			}
			if len(r.rows) != len(e.Rows) {
				t.Fatalf("row errors %v, want %d", r.rows, len(e.Rows))
			}
			for i, w := range e.Rows {
				g := r.rows[i]
				if g.Line != w.Line || g.Field != w.Field || !strings.Contains(g.Reason, w.Reason) || g.File != path {
					t.Errorf("row error %d: %+v, want line %d field %q reason ~%q", i, g, w.Line, w.Field, w.Reason)
				}
			}
			if len(e.Rows) == 0 {
				return
			}
			// Strict: the first bad row ends Parse, after the good rows before it.
			s := parseFile(t, path, Options{Strict: true})
			var re *RowError
			if !errors.As(s.err, &re) || re.Line != e.Rows[0].Line || re.Field != e.Rows[0].Field {
				t.Fatalf("strict: %v, want the row error on line %d", s.err, e.Rows[0].Line)
			}
			if len(s.rows) != 1 || s.rows[0] != *re {
				t.Errorf("strict: onRow got %v", s.rows)
			}
			for _, ex := range s.examples {
				if ex.Line >= re.Line {
					t.Errorf("strict: example on line %d after the bad row", ex.Line)
				}
			}
			if wantMsg := path + " line "; !strings.HasPrefix(re.Error(), wantMsg) {
				t.Errorf("message %q", re.Error())
			}
		})
	}
}

// TestHugeInputs generates the inputs too big to commit.
func TestHugeInputs(t *testing.T) {
	if testing.Short() {
		t.Skip("writes ~100 MB of files")
	}
	rng := rand.New(rand.NewPCG(1, 2))
	garbage := func(n int) string {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte('a' + rng.IntN(26))
		}
		return string(b)
	}
	t.Run("10 MB line of garbage", func(t *testing.T) {
		path := writeTemp(t, "garbage.txt", garbage(10_000_000))
		_, err := Detect(path, Options{})
		var fe *FileError
		if !errors.As(err, &fe) || fe.Reason != "line 1 is 10 MB long: not a line-based dataset" {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("20 MB JSONL line between good rows", func(t *testing.T) {
		path := writeTemp(t, "big.jsonl", `{"text": "one"}`+"\n"+`{"text": "`+garbage(20_000_000)+`"}`+"\n"+`{"text": "three"}`)
		r := parseFile(t, path, Options{})
		if r.err != nil || len(r.examples) != 2 || r.examples[1].Line != 3 {
			t.Fatalf("%v, %d examples", r.err, len(r.examples))
		}
		if len(r.rows) != 1 || r.rows[0].Line != 2 || !strings.Contains(r.rows[0].Reason, "the line is 20 MB long") {
			t.Errorf("row errors %v", r.rows)
		}
	})
	t.Run("runaway CSV quote", func(t *testing.T) {
		path := writeTemp(t, "quote.csv", "text,label\nfine,a\n\"never closed,"+garbage(17_000_000)+"\nmore,b\n")
		r := parseFile(t, path, Options{})
		if r.err != nil || len(r.examples) != 1 {
			t.Fatalf("%v, %d examples", r.err, len(r.examples))
		}
		if len(r.rows) != 1 || r.rows[0].Line != 3 || !strings.Contains(r.rows[0].Reason, "longer than 16 MiB: is a closing quote missing?") {
			t.Errorf("row errors %v", r.rows)
		}
	})
	t.Run("JSON element over the limit", func(t *testing.T) {
		path := writeTemp(t, "big.json", "[{\"text\": \"one\"},\n{\"text\": \""+garbage(17_000_000)+"\"}, {\"text\": \"three\"}]")
		r := parseFile(t, path, Options{})
		if r.err != nil || len(r.examples) != 2 {
			t.Fatalf("%v, %d examples", r.err, len(r.examples))
		}
		if len(r.rows) != 1 || r.rows[0].Line != 2 || !strings.Contains(r.rows[0].Reason, "the element is 17 MB long") {
			t.Errorf("row errors %v", r.rows)
		}
	})
	t.Run("JSON element far over the limit", func(t *testing.T) {
		path := writeTemp(t, "huge.json", "[{\"text\": \"one\"},\n{\"text\": \""+garbage(30_000_000)+"\"}, {\"text\": \"three\"}]")
		r := parseFile(t, path, Options{})
		if r.err != nil || len(r.examples) != 1 {
			t.Fatalf("%v, %d examples", r.err, len(r.examples))
		}
		if len(r.rows) != 1 || r.rows[0].Line != 2 || !strings.Contains(r.rows[0].Reason, "an element longer than 16 MiB") {
			t.Errorf("row errors %v", r.rows)
		}
	})
	t.Run("consecutive big JSON elements", func(t *testing.T) {
		big := `{"text": "` + garbage(10_000_000) + `"}`
		r := parseFile(t, writeTemp(t, "two.json", "["+big+",\n"+big+",\n"+big+"]"), Options{})
		if r.err != nil || len(r.examples) != 3 || len(r.rows) > 0 || r.examples[2].Line != 3 {
			t.Fatalf("%v, %d examples, %v", r.err, len(r.examples), r.rows)
		}
	})
	t.Run("minified JSON on one long line", func(t *testing.T) {
		rows := make([]string, 0, 200_000)
		for i := range cap(rows) {
			rows = append(rows, `{"prompt": "p`+strings.Repeat("x", i%50)+`", "completion": "c"}`)
		}
		path := writeTemp(t, "min.json", "["+strings.Join(rows, ",")+"]")
		r := parseFile(t, path, Options{})
		if r.err != nil || len(r.examples) != len(rows) || len(r.rows) > 0 {
			t.Fatalf("%v, %d examples, %v", r.err, len(r.examples), r.rows)
		}
	})
	t.Run("deep nesting", func(t *testing.T) {
		path := writeTemp(t, "deep.json", strings.Repeat("[", 20000)+strings.Repeat("]", 20000))
		var fe *FileError
		if _, err := Detect(path, Options{}); !errors.As(err, &fe) || !strings.Contains(fe.Reason, "exceeded max depth") {
			t.Fatalf("got %v", err)
		}
	})
}
