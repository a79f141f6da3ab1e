// Command banking77 is the accuracy side of bench/train/banking77.sh: it
// writes banking77 rows as chat examples with the system prompt of
// ../shared/bench/peft_banking77.py (prepare), and scores a model, with an
// adapter or without, by greedy exact match on a Hone dataset of such
// examples (eval), and writes a Hone dataset back as the CSV the PEFT script
// reads (export), so both stacks train and score on the same rows. Training
// itself is `hone train`, the same code path as
// the window.
//
//	banking77 prepare TRAIN.csv N OUT.jsonl
//	banking77 eval -data-dir DIR -dataset ID -model GGUF [-adapter DIR] [-n N]
//	banking77 export -data-dir DIR -dataset ID OUT.csv
package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/hone-ai/hone/backend/compute/cpu"
	"github.com/hone-ai/hone/backend/dataset"
	"github.com/hone-ai/hone/backend/engine"
	"github.com/hone-ai/hone/backend/model"
	"github.com/hone-ai/hone/backend/store"
	"github.com/hone-ai/hone/backend/tokenizer"
	"github.com/hone-ai/hone/backend/train"
	"github.com/hone-ai/hone/backend/train/data"
)

// System is the PEFT script's system prompt, word for word.
const System = "Classify the banking customer message into one intent label. Answer with the label only."

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: banking77 prepare TRAIN.csv N OUT.jsonl | eval -data-dir DIR -dataset ID -model GGUF [-adapter DIR] | export -data-dir DIR -dataset ID OUT.csv")
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "prepare":
		err = prepare(os.Args[2:])
	case "eval":
		err = eval(os.Args[2:])
	case "export":
		err = export(os.Args[2:])
	default:
		err = fmt.Errorf("unknown command %q", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "banking77:", err)
		os.Exit(1)
	}
}

// prepare writes n rows spread over the whole file (it is sorted by label,
// so every k-th row covers all 77 intents) as OpenAI-format chat examples.
func prepare(args []string) error {
	if len(args) != 3 {
		return fmt.Errorf("prepare TRAIN.csv N OUT.jsonl")
	}
	var n int
	if _, err := fmt.Sscan(args[1], &n); err != nil || n <= 0 {
		return fmt.Errorf("N %q", args[1])
	}
	f, err := os.Open(args[0])
	if err != nil {
		return err
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		return err
	}
	rows = rows[1:]
	out, err := os.Create(args[2])
	if err != nil {
		return err
	}
	enc := json.NewEncoder(out)
	step := max(1, len(rows)/n)
	for i := 0; i < len(rows) && n > 0; i, n = i+step, n-1 {
		msgs := []map[string]string{{"role": "system", "content": System}, {"role": "user", "content": rows[i][0]}, {"role": "assistant", "content": rows[i][1]}}
		if err := enc.Encode(map[string]any{"messages": msgs}); err != nil {
			return err
		}
	}
	return out.Close()
}

// openExamples reads the examples of dataset id in Hone's data folder dir.
func openExamples(ctx context.Context, dir string, id int64) ([]dataset.Example, error) {
	st, err := store.Open(ctx, dir+"/"+store.FileName)
	if err != nil {
		return nil, err
	}
	defer st.Close()
	return data.Examples(ctx, st, id)
}

// export writes a dataset of prepared examples as text,category rows.
func export(args []string) error {
	fs := flag.NewFlagSet("export", flag.ContinueOnError)
	dir := fs.String("data-dir", "", "Hone's data folder")
	id := fs.Int64("dataset", 0, "the dataset to write")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("export -data-dir DIR -dataset ID OUT.csv")
	}
	exs, err := openExamples(context.Background(), *dir, *id)
	if err != nil {
		return err
	}
	out, err := os.Create(fs.Arg(0))
	if err != nil {
		return err
	}
	w := csv.NewWriter(out)
	w.Write([]string{"text", "category"})
	for _, ex := range exs {
		if len(ex.Messages) != 3 {
			return fmt.Errorf("dataset %d: an example with %d messages, not system, user, assistant", *id, len(ex.Messages))
		}
		w.Write([]string{ex.Messages[1].Content, ex.Messages[2].Content})
	}
	if w.Flush(); w.Error() != nil {
		return w.Error()
	}
	return out.Close()
}

// eval generates an answer greedily for every example of a dataset and
// counts the exact matches of its first line with the example's answer.
func eval(args []string) error {
	fs := flag.NewFlagSet("eval", flag.ContinueOnError)
	dir := fs.String("data-dir", "", "Hone's data folder")
	id := fs.Int64("dataset", 0, "the dataset to score on")
	path := fs.String("model", "", "the base model")
	adapter := fs.String("adapter", "", "a PEFT adapter folder (none: the base model)")
	nq := fs.Int("n", 0, "score only the first N examples")
	if err := fs.Parse(args); err != nil {
		return err
	}
	exs, err := openExamples(context.Background(), *dir, *id)
	if err != nil {
		return err
	}
	if *nq > 0 && *nq < len(exs) {
		exs = exs[:*nq]
	}
	mm, err := model.OpenModel(*path)
	if err != nil {
		return err
	}
	defer mm.Close()
	tok, tmpl, err := tokenizer.ForModel(*path)
	if err != nil {
		return err
	}
	load := engine.LoadPacked // the base as it decodes fastest
	if *adapter != "" {
		c, err := train.ReadContract(*adapter)
		if err != nil {
			return err
		}
		load = train.BaseLoader(c.Method, mm) // the base as the adapter trained on it
	}
	m, err := load(mm, cpu.New())
	if err != nil {
		return err
	}
	if *adapter != "" {
		if err := m.LoadLoRA(*adapter); err != nil {
			return err
		}
	}
	stops := tokenizer.StopTokens(tok, tmpl, mm.GenerationConfig)
	enc := data.NewEncoder(tok, tmpl, data.Options{})
	start, ok := time.Now(), 0
	for i, ex := range exs {
		ids, want, err := enc.Prompt(ex)
		if err != nil {
			return err
		}
		got, err := generate(m, ids, 16, stops)
		if err != nil {
			return err
		}
		answer := strings.TrimSpace(strings.SplitN(strings.TrimSpace(tok.Decode(got)), "\n", 2)[0])
		if answer == strings.TrimSpace(want) {
			ok++
		}
		if i < 3 {
			fmt.Fprintf(os.Stderr, "  %q -> %q (want %q)\n", strings.TrimSpace(ex.Messages[1].Content), answer, want)
		}
	}
	what := "base"
	if *adapter != "" {
		what = "adapter " + *adapter
	}
	fmt.Printf("%s: accuracy %d/%d = %.1f%% (%.0f s)\n", what, ok, len(exs), 100*float64(ok)/float64(len(exs)), time.Since(start).Seconds())
	return nil
}

// generate decodes greedily from prompt until a stop token or n tokens.
func generate(m *engine.Model, prompt []int32, n int, stops []int) ([]int, error) {
	cache := m.NewCache(len(prompt) + n)
	next := make([]int, len(prompt))
	for i, t := range prompt {
		next[i] = int(t)
	}
	var out []int
	for range n {
		logits, err := m.Next(cache, next)
		if err != nil {
			return nil, err
		}
		t := slices.Index(logits, slices.Max(logits))
		if slices.Contains(stops, t) {
			break
		}
		out = append(out, t)
		next = []int{t}
	}
	return out, nil
}
