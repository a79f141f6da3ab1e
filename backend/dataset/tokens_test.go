package dataset

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hone-ai/hone/backend/testfiles"
)

// llama3 is the real Llama 3 tokenizer and template from the tokenizer
// package's npm reference harness.
func llama3(t *testing.T) string {
	t.Helper()
	return testfiles.ReferenceTokenizers(t, "@lenml", "tokenizer-llama3", "models")
}

func TestCountTokens(t *testing.T) {
	model := llama3(t)
	st := openStore(t)
	long := strings.Repeat("token ", 300)
	src := fmt.Sprintf(chat, "Hi", "Hello") + fmt.Sprintf(chat, "Hi", long) + fmt.Sprintf(chat, "Hi", "Hello")
	d := importFile(t, st, writeFile(t, "mixed.jsonl", src))
	_, err := CountTokens(context.Background(), st, d.ID, model, 0)
	if err == nil {
		t.Fatal("sequence length 0 accepted")
	}
	r, err := CountTokens(context.Background(), st, d.ID, model, 256)
	if err != nil {
		t.Fatal(err)
	}
	// <|begin_of_text|> <|start_header_id|> user <|end_header_id|> \n\n Hi <|eot_id|>
	// <|start_header_id|> assistant <|end_header_id|> \n\n Hello <|eot_id|>, and
	// this first Llama 3 template always appends <|start_header_id|> assistant
	// <|end_header_id|> \n\n: 17 tokens.
	if !r.Templated || r.Examples != 3 || r.Truncated != 1 || r.P50 != 17 || r.Max < 300 || r.Histogram[0].Count != 2 {
		t.Fatalf("token lengths %+v", r)
	}
	if last := r.Histogram[len(r.Histogram)-1]; last.Lo != 257 || last.Count != 1 {
		t.Errorf("overflow bucket %+v", last)
	}
	var in int
	for _, b := range r.Histogram {
		in += b.Count
	}
	if in != 3 {
		t.Errorf("histogram holds %d examples", in)
	}
	// Plain text is encoded as is: "Hello world, this is a test." is 8
	// tokens, and Llama 3's tokenizer.json adds no BOS.
	text := importFile(t, st, writeFile(t, "text.jsonl", `{"text": "Hello world, this is a test."}`+"\n"))
	if r, err := CountTokens(context.Background(), st, text.ID, model, 256); err != nil || r.Max != 8 || r.Examples != 1 {
		t.Errorf("text: %+v, %v", r, err)
	}
	if _, err := CountTokens(context.Background(), st, d.ID, filepath.Join(t.TempDir(), "no-model"), 256); err == nil {
		t.Error("a missing model counted tokens")
	}
}
