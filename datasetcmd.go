package main

import (
	"context"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/hone-ai/hone/backend/core"
	"github.com/hone-ai/hone/backend/dataset"
	"github.com/hone-ai/hone/backend/dataset/parse"
)

func importCmd(ctx context.Context, opts core.Options, args []string, stdout, stderr io.Writer) error {
	fs := commandFlags("import", &opts)
	var o dataset.ImportOptions
	fs.StringVar(&o.Name, "name", "", "dataset name (default: the file name)")
	format := fs.String("format", "", "alpaca, sharegpt, openai, prompt-completion, text or table (default: detected)")
	fs.BoolVar(&o.Parse.Strict, "strict", false, "stop at the first bad row instead of skipping it")
	asJSON := fs.Bool("json", false, "print the datasets as JSON")
	files, err := parseFlagsArgs(fs, args)
	if err != nil {
		return err
	}
	if len(files) == 0 {
		return usageError{"import: name at least one file"}
	}
	o.Parse.Format = parse.Format(*format)
	h, err := openHone(ctx, opts)
	if err != nil {
		return err
	}
	defer h.Close()
	var done []dataset.Dataset
	for _, f := range files {
		d, err := dataset.Import(ctx, h.Store, f, o, func(p dataset.Progress) { progressBar(stderr, f, p) })
		fmt.Fprintln(stderr)
		if err != nil {
			return err
		}
		done = append(done, d)
		if !*asJSON {
			fmt.Fprintf(stdout, "dataset %d: %s, %d examples, %d rows skipped (%s)\n", d.ID, d.Name, d.Examples, d.Errors, d.Format)
		}
	}
	if *asJSON {
		return writeJSON(stdout, done)
	}
	return nil
}

// progressBar redraws one line on the terminal.
func progressBar(w io.Writer, name string, p dataset.Progress) {
	const width = 30
	n := int(p.Fraction() * width)
	fmt.Fprintf(w, "\r%s [%s%s] %3.0f%% %s  ", name, strings.Repeat("#", n), strings.Repeat(" ", width-n), p.Fraction()*100, p.Message())
}

func datasetsCmd(ctx context.Context, opts core.Options, args []string, stdout io.Writer) error {
	fs := commandFlags("datasets", &opts)
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	h, err := openHone(ctx, opts)
	if err != nil {
		return err
	}
	defer h.Close()
	ds, err := dataset.List(ctx, h.Store)
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(stdout, ds)
	}
	w := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "ID\tNAME\tEXAMPLES\tSKIPPED\tFORMAT\tCREATED")
	for _, d := range ds {
		fmt.Fprintf(w, "%d\t%s\t%d\t%d\t%s\t%s\n", d.ID, d.Name, d.Examples, d.Errors, d.Format, d.CreatedAt.Local().Format("2006-01-02 15:04"))
	}
	return w.Flush()
}

// datasetCmd is `hone dataset show|export|fix|split|mix|delete ...`.
func datasetCmd(ctx context.Context, opts core.Options, args []string, stdout io.Writer) error {
	if len(args) == 0 {
		return usageError{"dataset: want show, export, fix, split, mix or delete"}
	}
	sub, args := args[0], args[1:]
	fs := commandFlags("dataset "+sub, &opts)
	asJSON := fs.Bool("json", false, "print JSON")
	out := fs.String("out", "", "export: the JSONL file to write")
	evalFraction := fs.Float64("eval", 0.1, "split: share of examples for evaluation")
	seed := fs.Uint64("seed", 1, "split, mix: random seed")
	name := fs.String("name", "mix", "mix: name of the new dataset")
	total := fs.Int64("total", 0, "mix: number of examples (default: as many as fit without repeats)")
	modelPath := fs.String("model", "", "show: count tokens with this model folder or .gguf file")
	seqLen := fs.Int("seq", 2048, "show: the sequence length to compare token lengths with")
	rest, err := parseFlagsArgs(fs, args)
	if err != nil {
		return err
	}
	h, err := openHone(ctx, opts)
	if err != nil {
		return err
	}
	defer h.Close()
	st := h.Store
	if sub == "mix" {
		var parts []dataset.MixPart
		for _, a := range rest {
			id, weight, ok := strings.Cut(a, ":")
			p := dataset.MixPart{Weight: 1}
			var err error
			if p.Dataset, err = strconv.ParseInt(id, 10, 64); err != nil {
				return usageError{fmt.Sprintf("dataset mix: %q: want ID:WEIGHT", a)}
			}
			if ok {
				if p.Weight, err = strconv.ParseFloat(weight, 64); err != nil {
					return usageError{fmt.Sprintf("dataset mix: %q: want ID:WEIGHT", a)}
				}
			}
			parts = append(parts, p)
		}
		d, err := dataset.Mix(ctx, st, *name, parts, *total, *seed)
		if err != nil {
			return err
		}
		return printDatasets(stdout, *asJSON, d)
	}
	if len(rest) < 1 {
		return usageError{fmt.Sprintf("dataset %s: name the dataset ID", sub)}
	}
	id, err := strconv.ParseInt(rest[0], 10, 64)
	if err != nil {
		return usageError{fmt.Sprintf("dataset %s: %q is not a dataset ID", sub, rest[0])}
	}
	switch sub {
	case "show":
		r, err := dataset.MakeReport(ctx, st, id)
		if err != nil {
			return err
		}
		errs, err := dataset.Errors(ctx, st, id, 20)
		if err != nil {
			return err
		}
		var tl *dataset.TokenLengths
		if *modelPath != "" {
			t, err := dataset.CountTokens(ctx, st, id, *modelPath, *seqLen)
			if err != nil {
				return err
			}
			tl = &t
		}
		if *asJSON {
			return writeJSON(stdout, map[string]any{"report": r, "errors": errs, "tokens": tl})
		}
		printReport(stdout, r, errs)
		if tl != nil {
			printTokens(stdout, *tl)
		}
		return nil
	case "export":
		if *out == "" {
			return usageError{"dataset export: --out FILE is required"}
		}
		f, err := os.Create(*out)
		if err != nil {
			return fmt.Errorf("export: %w", err)
		}
		n, err := dataset.Export(ctx, st, id, f)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "wrote %d examples to %s\n", n, *out)
		return nil
	case "fix":
		if len(rest) < 2 {
			return usageError{"dataset fix: want ID and one of dedupe-exact, dedupe-normalized, dedupe-near, drop-short, drop-long"}
		}
		d, err := dataset.Fix(ctx, st, id, rest[1])
		if err != nil {
			return err
		}
		return printDatasets(stdout, *asJSON, d)
	case "split":
		train, eval, err := dataset.Split(ctx, st, id, *evalFraction, *seed)
		if err != nil {
			return err
		}
		return printDatasets(stdout, *asJSON, train, eval)
	case "delete":
		return dataset.Delete(ctx, st, id)
	}
	return usageError{fmt.Sprintf("dataset: unknown subcommand %q: want show, export, fix, split, mix or delete", sub)}
}

func printDatasets(w io.Writer, asJSON bool, ds ...dataset.Dataset) error {
	if asJSON {
		return writeJSON(w, ds)
	}
	for _, d := range ds {
		fmt.Fprintf(w, "dataset %d: %s, %d examples\n", d.ID, d.Name, d.Examples)
	}
	return nil
}

func printReport(out io.Writer, r dataset.Report, errs []dataset.ImportError) {
	d := r.Dataset
	fmt.Fprintf(out, "Dataset %d: %s\n  %d examples from %s (%s), %d rows skipped\n", d.ID, d.Name, r.Examples, d.Source, d.Format, d.Errors)
	l := r.Lengths
	fmt.Fprintf(out, "  Length in characters: median %d, 95th percentile %d, longest %d\n", l.P50, l.P95, l.Max)
	s := r.Shape
	fmt.Fprintf(out, "  Shape: %d with a system prompt (%d distinct), %d multi-turn, %d plain text\n", s.WithSystem, s.SystemPrompts, s.MultiTurn, s.PlainText)
	if len(r.Labels) > 0 {
		fmt.Fprintf(out, "  Labels: %d distinct, most common %q (%d), least common %q (%d), imbalance %.1f×\n",
			len(r.Labels), r.Labels[0].Label, r.Labels[0].Count, r.Labels[len(r.Labels)-1].Label, r.Labels[len(r.Labels)-1].Count, r.Imbalance)
		w := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
		for _, lc := range r.Labels[:min(len(r.Labels), 10)] {
			fmt.Fprintf(w, "    %s\t%d\n", lc.Label, lc.Count)
		}
		if len(r.Labels) > 10 {
			fmt.Fprintf(w, "    …\t%d more labels\n", len(r.Labels)-10)
		}
		w.Flush()
	}
	if len(r.Findings) == 0 {
		fmt.Fprintln(out, "  No findings.")
	}
	for _, f := range r.Findings {
		fmt.Fprintf(out, "  [%s] %s: %d. %s\n", f.Severity, f.Title, f.Count, f.Advice)
	}
	if len(errs) > 0 {
		fmt.Fprintf(out, "  First skipped rows:\n")
		for _, e := range errs {
			fmt.Fprintf(out, "    %s line %d: field %s: %s\n", e.File, e.Line, e.Field, e.Reason)
		}
	}
}

func printTokens(out io.Writer, t dataset.TokenLengths) {
	how := "through its chat template"
	if !t.Templated {
		how = "contents alone (the model has no chat template)"
	}
	fmt.Fprintf(out, "  Tokens with %s, %s: median %d, 95th percentile %d, 99th %d, longest %d\n", t.Model, how, t.P50, t.P95, t.P99, t.Max)
	fmt.Fprintf(out, "  %d of %d examples are longer than %d tokens and would be truncated\n", t.Truncated, t.Examples, t.SeqLen)
	w := tabwriter.NewWriter(out, 0, 4, 2, ' ', tabwriter.AlignRight)
	for _, b := range t.Histogram {
		fmt.Fprintf(w, "    %d-%d\t%d\t %s\n", b.Lo, b.Hi-1, b.Count, strings.Repeat("#", int(math.Ceil(40*float64(b.Count)/float64(max(1, t.Examples))))))
	}
	w.Flush()
	if t.Failed > 0 {
		fmt.Fprintf(out, "  %d examples were refused by the template; first: %s\n", t.Failed, t.FirstError)
	}
}
