package cli

import (
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/hone-ai/hone/backend/core"
	"github.com/hone-ai/hone/backend/dataset"
	"github.com/hone-ai/hone/backend/dataset/parse"
	"github.com/hone-ai/hone/backend/store"
	"github.com/spf13/cobra"
)

func (c *cli) importCmd() *cobra.Command {
	var o dataset.ImportOptions
	var format string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "import FILE...",
		Short: "import JSONL/JSON/CSV/TSV/Parquet datasets",
		Args:  args(1, -1, "name at least one file"),
		RunE: func(cmd *cobra.Command, files []string) error {
			o.Parse.Format = parse.Format(format)
			return c.with(func(h *core.Hone) error {
				var done []dataset.Dataset
				for _, f := range files {
					id, err := h.StartImport(c.ctx, f, o, func(j store.Job) { progressBar(c.env.Stderr, f, j) })
					if err != nil {
						return err
					}
					var r core.ImportResult
					if err := await(h.Jobs.Await, id, c.env.Stderr, "import "+f, &r); err != nil {
						return err
					}
					if !asJSON {
						fmt.Fprintf(c.env.Stdout, "dataset %d: %s, %d examples, %d rows skipped (%s)\n", r.DatasetID, r.Name, r.Examples, r.Skipped, r.Format)
						continue
					}
					d, err := h.Dataset(c.ctx, r.DatasetID)
					if err != nil {
						return err
					}
					done = append(done, d)
				}
				if asJSON {
					return writeJSON(c.env.Stdout, done)
				}
				return nil
			})
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.Name, "name", "", "the dataset's name `N` (default: the file name)")
	f.StringVar(&format, "format", "", "the format `F`: alpaca, sharegpt, openai, prompt-completion, text or table (default: detected)")
	f.BoolVar(&o.Parse.Strict, "strict", false, "stop at the first bad row instead of skipping it")
	jsonFlag(cmd, &asJSON)
	return cmd
}

func (c *cli) datasetsCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "datasets",
		Short: "list the datasets",
		Args:  args(0, 0, ""),
		RunE: func(cmd *cobra.Command, _ []string) error {
			return c.with(func(h *core.Hone) error {
				ds, err := h.Datasets(c.ctx)
				if err != nil {
					return err
				}
				if asJSON {
					return writeJSON(c.env.Stdout, ds)
				}
				w := tabwriter.NewWriter(c.env.Stdout, 0, 4, 2, ' ', 0)
				fmt.Fprintln(w, "ID\tNAME\tEXAMPLES\tSKIPPED\tFORMAT\tCREATED")
				for _, d := range ds {
					fmt.Fprintf(w, "%d\t%s\t%d\t%d\t%s\t%s\n", d.ID, d.Name, d.Examples, d.Errors, d.Format, d.CreatedAt.Local().Format("2006-01-02 15:04"))
				}
				return w.Flush()
			})
		},
	}
	jsonFlag(cmd, &asJSON)
	return cmd
}

// datasetCmd is the group of `hone dataset show|export|fix|split|mix|delete`.
func (c *cli) datasetCmd() *cobra.Command {
	return &cobra.Command{
		Use:         "dataset",
		Short:       "one dataset: show, export, fix, split, mix or delete",
		Annotations: map[string]string{groupKey: ""},
		Args:        cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usagef("dataset: want show, export, fix, split, mix or delete")
			}
			return usagef("dataset: unknown subcommand %q: want show, export, fix, split, mix or delete", args[0])
		},
	}
}

// datasetRun opens Hone for a command on one dataset, the first argument.
func (c *cli) datasetRun(run func(h *core.Hone, id int64, rest []string) error) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, args []string) error {
		id, err := datasetID(cmd, args[0])
		if err != nil {
			return err
		}
		return c.with(func(h *core.Hone) error {
			return run(h, id, args[1:])
		})
	}
}

func (c *cli) datasetShowCmd() *cobra.Command {
	var modelPath string
	var seqLen int
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "show ID",
		Short: "the quality report and the skipped rows",
		Args:  args(1, 1, "name the dataset ID"),
		RunE: c.datasetRun(func(h *core.Hone, id int64, _ []string) error {
			s, err := h.ShowDataset(c.ctx, id, modelPath, seqLen)
			if err != nil {
				return err
			}
			if asJSON {
				return writeJSON(c.env.Stdout, s)
			}
			printReport(c.env.Stdout, s.Report, s.Errors)
			if s.Tokens != nil {
				printTokens(c.env.Stdout, *s.Tokens)
			}
			return nil
		}),
	}
	cmd.Flags().StringVar(&modelPath, "model", "", "count tokens with the model in `FOLDER|FILE.gguf`")
	cmd.Flags().IntVar(&seqLen, "seq", 2048, "the sequence length `N` to compare token lengths with")
	jsonFlag(cmd, &asJSON)
	return cmd
}

func (c *cli) datasetExportCmd() *cobra.Command {
	var out string
	cmd := &cobra.Command{
		Use:   "export ID",
		Short: "write it as JSONL",
		Args:  args(1, 1, "name the dataset ID"),
		RunE: c.datasetRun(func(h *core.Hone, id int64, _ []string) error {
			n, err := h.ExportDataset(c.ctx, id, out)
			if err != nil {
				return err
			}
			fmt.Fprintf(c.env.Stdout, "wrote %d examples to %s\n", n, out)
			return nil
		}),
	}
	cmd.Flags().StringVar(&out, "out", "", "the JSONL `FILE` to write")
	require(cmd, "out", "")
	return cmd
}

func (c *cli) datasetFixCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "fix ID dedupe-exact|dedupe-normalized|dedupe-near|drop-short|drop-long",
		Short: "a new version without the finding's examples",
		Args:  args(2, 2, "want ID and one of dedupe-exact, dedupe-normalized, dedupe-near, drop-short, drop-long"),
		RunE: c.datasetRun(func(h *core.Hone, id int64, rest []string) error {
			d, err := h.FixDataset(c.ctx, id, rest[0])
			if err != nil {
				return err
			}
			return printDatasets(c.env.Stdout, asJSON, d)
		}),
	}
	jsonFlag(cmd, &asJSON)
	return cmd
}

func (c *cli) datasetSplitCmd() *cobra.Command {
	var evalFraction float64
	var seed uint64
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "split ID",
		Short: "seeded train/eval split, stratified by label",
		Args:  args(1, 1, "name the dataset ID"),
		RunE: c.datasetRun(func(h *core.Hone, id int64, _ []string) error {
			train, eval, err := h.SplitDataset(c.ctx, id, evalFraction, seed)
			if err != nil {
				return err
			}
			return printDatasets(c.env.Stdout, asJSON, train, eval)
		}),
	}
	cmd.Flags().Float64Var(&evalFraction, "eval", 0.1, "the share `F` of examples for evaluation")
	cmd.Flags().Uint64Var(&seed, "seed", 1, "random seed `N`")
	jsonFlag(cmd, &asJSON)
	return cmd
}

func (c *cli) datasetMixCmd() *cobra.Command {
	var name string
	var total int64
	var seed uint64
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "mix ID:WEIGHT ID:WEIGHT...",
		Short: "a new dataset drawn from several by weight",
		Args:  args(1, -1, "name the datasets as ID:WEIGHT"),
		RunE: func(cmd *cobra.Command, args []string) error {
			var parts []dataset.MixPart
			for _, a := range args {
				p, err := mixPart(a)
				if err != nil {
					return err
				}
				parts = append(parts, p)
			}
			return c.with(func(h *core.Hone) error {
				d, err := h.MixDatasets(c.ctx, name, parts, total, seed)
				if err != nil {
					return err
				}
				return printDatasets(c.env.Stdout, asJSON, d)
			})
		},
	}
	cmd.Flags().StringVar(&name, "name", "mix", "the new dataset's name `N`")
	cmd.Flags().Int64Var(&total, "total", 0, "number of examples `N` (default: as many as fit without repeats)")
	cmd.Flags().Uint64Var(&seed, "seed", 1, "random seed `N`")
	jsonFlag(cmd, &asJSON)
	return cmd
}

// mixPart reads ID:WEIGHT (weight 1 when left out).
func mixPart(a string) (dataset.MixPart, error) {
	id, weight, ok := strings.Cut(a, ":")
	p := dataset.MixPart{Weight: 1}
	var err error
	if p.Dataset, err = strconv.ParseInt(id, 10, 64); err != nil {
		return p, usagef("dataset mix: %q: want ID:WEIGHT", a)
	}
	if ok {
		if p.Weight, err = strconv.ParseFloat(weight, 64); err != nil {
			return p, usagef("dataset mix: %q: want ID:WEIGHT", a)
		}
	}
	return p, nil
}

func (c *cli) datasetDeleteCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "delete ID",
		Short: "delete a dataset",
		Args:  args(1, 1, "name the dataset ID"),
		RunE: c.datasetRun(func(h *core.Hone, id int64, _ []string) error {
			return h.DeleteDataset(c.ctx, id)
		}),
	}
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
