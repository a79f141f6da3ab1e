package dataset

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/hone-ai/hone/backend/dataset/parse"
	"github.com/hone-ai/hone/backend/store"
)

// slowRow is newRow as it was first written: the reference for the fast one,
// whose hashes and JSON must not change (stored datasets are compared by them).
func slowRow(ex parse.Example) row {
	msgs, _ := json.Marshal(ex.Messages)
	h, n := sha256.New(), sha256.New()
	var chars int64
	for _, m := range ex.Messages {
		h.Write([]byte(m.Role))
		h.Write([]byte{0})
		h.Write([]byte(m.Content))
		h.Write([]byte{1})
		n.Write(slowNormalized([]byte(m.Role), m.Content))
		n.Write([]byte{1})
		chars += int64(utf8.RuneCountInString(m.Content))
	}
	return row{messages: msgs, label: ex.Label, text: ex.Text, line: int64(ex.Line),
		hash: h.Sum(nil)[:16], normHash: n.Sum(nil)[:16], chars: chars}
}

func slowNormalized(dst []byte, s string) []byte {
	dst = append(dst, ' ')
	space := true
	for _, r := range s {
		switch {
		case unicode.IsLetter(r) || unicode.IsNumber(r):
			dst = utf8.AppendRune(dst, unicode.ToLower(r))
			space = false
		case unicode.IsSpace(r) || unicode.IsPunct(r) || unicode.IsSymbol(r):
			if !space {
				dst = append(dst, ' ')
				space = true
			}
		default:
			dst = utf8.AppendRune(dst, r)
			space = false
		}
	}
	if space && len(dst) > 0 && dst[len(dst)-1] == ' ' {
		dst = dst[:len(dst)-1]
	}
	return dst
}

func TestRowMatchesReference(t *testing.T) {
	var ascii strings.Builder
	for c := range 128 {
		ascii.WriteByte(byte(c))
	}
	texts := []string{"", "Hello,  World!", "What is 2+2?", ascii.String(), "<b>&amp;</b> \"quoted\" back\\slash",
		"ÉCOLE Straße İstanbul ΣΊΣΥΦΟΣ", "tabs\tand\nnew\r\nlines\x00\x1f\x7f", "emoji 😀 and \u2028 \u2029 separators",
		"invalid \xff\xfe utf-8", "   trailing punctuation?!  ", "١٢٣ digits ½ Ⅻ", "mixed\u00a0nbsp\u0085nel"}
	rm := newRowMaker()
	var arena []byte
	var rows, wants []row
	for i, a := range texts {
		for _, b := range texts {
			ex := parse.Example{Messages: []parse.Message{{Role: "system", Content: a}, {Role: "user", Content: b}, {Role: "assistant", Content: a + b}},
				Label: b, Line: i + 1}
			got, next, err := rm.row(arena, ex)
			if err != nil {
				t.Fatal(err)
			}
			arena = next
			want := slowRow(ex)
			rows, wants = append(rows, got), append(wants, want)
			if !bytes.Equal(got.messages, want.messages) || !bytes.Equal(got.hash, want.hash) || !bytes.Equal(got.normHash, want.normHash) ||
				got.chars != want.chars || got.label != want.label || got.line != want.line {
				t.Fatalf("%q / %q:\n got %+v\nwant %+v", a, b, got, want)
			}
		}
	}
	// Rows share arenas: a later row must not have overwritten an earlier one.
	for i := range rows {
		if !bytes.Equal(rows[i].messages, wants[i].messages) || !bytes.Equal(rows[i].hash, wants[i].hash) || !bytes.Equal(rows[i].normHash, wants[i].normHash) {
			t.Fatalf("row %d changed after later rows", i)
		}
	}
}

// Rows go in rowsPerInsert at a time, with the rest at each commit: every
// example must come back once, in file order, under its own id and line.
func TestImportKeepsEveryRowInOrder(t *testing.T) {
	st := openStore(t)
	file := filepath.Join(t.TempDir(), "rows.jsonl")
	var b strings.Builder
	const rows = txRows + 3*rowsPerInsert + 5
	bad := map[int]bool{7: true, rowsPerInsert + 1: true, txRows - 2: true}
	for i := range rows {
		if bad[i] {
			b.WriteString("{\"prompt\": \"\", \"completion\": \"skipped\"}\n")
			continue
		}
		fmt.Fprintf(&b, "{\"prompt\": \"question %d\", \"completion\": \"answer %d\"}\n", i, i)
	}
	if err := os.WriteFile(file, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	d, err := Import(context.Background(), st, file, ImportOptions{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if d.Examples != int64(rows-len(bad)) || d.Errors != int64(len(bad)) {
		t.Fatalf("%d examples, %d errors", d.Examples, d.Errors)
	}
	seq, line := int64(0), int64(0)
	for off := 0; off < rows; off += 1000 {
		p, err := Examples(context.Background(), st, d.ID, "", off, 1000)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range p.Examples {
			seq++
			line++
			for bad[int(line-1)] {
				line++
			}
			if e.Seq != seq || e.ID != store.ExampleID(d.ID, seq) || e.Line != line ||
				e.Messages[0].Content != fmt.Sprint("question ", line-1) || e.Messages[1].Content != fmt.Sprint("answer ", line-1) {
				t.Fatalf("example %d: %+v", seq, e)
			}
		}
	}
	if seq != d.Examples {
		t.Fatalf("read back %d examples of %d", seq, d.Examples)
	}
	errs, err := Errors(context.Background(), st, d.ID, 10)
	if err != nil || len(errs) != len(bad) || errs[0].Line != 8 || errs[0].Field != "prompt" {
		t.Fatalf("errors %+v, %v", errs, err)
	}
}
