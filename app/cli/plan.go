package cli

import (
	"context"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/hone-ai/hone/backend/core"
	"github.com/hone-ai/hone/backend/plan"
	"github.com/spf13/cobra"
)

func (c *cli) planCmd() *cobra.Command {
	var req plan.Request
	var targets string
	var datasetID int64
	var asJSON, list bool
	cmd := &cobra.Command{
		Use:   "plan",
		Short: "will it fit, which method, what it costs (--list: what to plan for)",
		Args:  args(0, 0, ""),
		RunE: func(cmd *cobra.Command, _ []string) error {
			return c.with(func(h *core.Hone) error {
				if list {
					return printChoices(c.ctx, h, c.env.Stdout, asJSON)
				}
				if targets != "" {
					req.Targets = strings.Split(targets, ",")
				}
				var res plan.Result
				var err error
				if datasetID != 0 {
					res, err = h.PlanForDataset(c.ctx, req, datasetID)
				} else {
					res, err = h.Plan(c.ctx, req)
				}
				if err != nil {
					return err
				}
				if asJSON {
					return writeJSON(c.env.Stdout, res)
				}
				printPlan(c.env.Stdout, res, h.DataDir)
				return nil
			})
		},
	}
	f := cmd.Flags()
	f.StringVar(&req.Model, "model", "", "`NAME|FOLDER|FILE.gguf` of a catalogue model (see --list), a model folder or a .gguf file")
	require(cmd, "model", " (hone plan --list shows the catalogue)", "list")
	f.StringVar(&req.GPU, "gpu", "", "`gpu:N|CARD`: a GPU in this machine, or a card to plan for (see --list)")
	f.IntVar(&req.SeqLen, "seq", 0, "sequence length `N` (default: recommended)")
	f.IntVar(&req.MicroBatch, "batch", 0, "micro-batch `N` (default: recommended)")
	f.IntVar(&req.Rank, "rank", 0, "LoRA rank `N` (default: recommended)")
	f.StringVar(&targets, "targets", "", "LoRA target modules `q,v,...` of q,k,v,o,gate,up,down (default: all)")
	f.IntVar(&req.Cost.Examples, "examples", 0, "training examples `N` (default 2000)")
	f.IntVar(&req.Cost.TokensPerExample, "tokens-per-example", 0, "average tokens per example `N` (default 400)")
	f.Float64Var(&req.Cost.Epochs, "epochs", 0, "epochs `F` (default 1)")
	f.IntVar(&req.Cost.ExamplesToAnnotate, "annotate", 0, "`N` examples that still need labels")
	f.IntVar(&req.Cost.UseCases, "use-cases", 0, "`N` fine-tuned models to serve (default 1)")
	f.Int64Var(&datasetID, "dataset", 0, "plan for the token lengths of dataset `ID` (needs a model folder or .gguf)")
	f.BoolVar(&list, "list", false, "list the catalogue models, the cards and this machine's GPUs")
	jsonFlag(cmd, &asJSON)
	return cmd
}

func printChoices(ctx context.Context, h *core.Hone, out io.Writer, asJSON bool) error {
	c, err := h.PlanChoices(ctx)
	if err != nil {
		return err
	}
	if asJSON {
		return writeJSON(out, c)
	}
	w := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "MODEL\tNAME\tPARAMETERS\tREPOSITORY")
	for _, m := range c.Models {
		lin, other := plan.Params(m.Config)
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", m.Key, m.Name, params(lin+other), m.Repo)
	}
	fmt.Fprintln(w, "\nGPU\tNAME\tMEMORY\t")
	for _, g := range c.GPUs {
		fmt.Fprintf(w, "gpu:%d\t%s (in this machine)\t%s\t\n", g.Index, g.Name, gb(int64(g.MemoryTotal)))
	}
	for _, card := range plan.CardChoices() {
		fmt.Fprintf(w, "%s\t%s\t%s\t\n", card.Key, card.Name, gb(int64(card.Memory)))
	}
	return w.Flush()
}

func printPlan(out io.Writer, r plan.Result, dataDir string) {
	rec := r.Recommendation
	w := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintf(w, "Model\t%s (%s), %s parameters\n", r.Model.Name, r.Model.Source, params(r.Model.Params))
	where := "picked from the list"
	if r.Target.Local {
		where = fmt.Sprintf("GPU %d in this machine", r.Target.GPUIndex)
	}
	fmt.Fprintf(w, "GPU\t%s (%s): %s free of %s\n", r.Target.Card.Name, where, gb(r.Target.Free), gb(int64(r.Target.Card.Memory)))
	s := rec.Settings
	on := ""
	if rec.Cloud != nil {
		on = " on a rented " + rec.Cloud.Card.Name
	}
	fmt.Fprintf(w, "Recommended\t%s%s: %s\n", methodName(s.Method), on, describe(s, rec.GradAccum))
	w.Flush()
	for _, reason := range rec.Reasons {
		fmt.Fprintf(out, "  - %s\n", reason)
	}

	cs := r.Settings
	fmt.Fprintf(out, "\nMemory per method at %d tokens, micro-batch %d, rank %d, checkpointing %s:\n", cs.SeqLen, cs.MicroBatch, cs.Rank, onOff(cs.Checkpointing))
	w = tabwriter.NewWriter(out, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprint(w, "\t")
	for _, o := range r.Comparison {
		fmt.Fprintf(w, "%s\t", methodName(o.Method))
	}
	fmt.Fprintln(w)
	for i, l := range r.Comparison[0].Estimate.Lines {
		fmt.Fprintf(w, "%s\t", l.Label)
		for _, o := range r.Comparison {
			fmt.Fprintf(w, "%s\t", gb(o.Estimate.Lines[i].Bytes))
		}
		fmt.Fprintln(w)
	}
	fmt.Fprint(w, "Peak\t")
	for _, o := range r.Comparison {
		fmt.Fprintf(w, "%s\t", gb(o.Estimate.Peak))
	}
	fmt.Fprint(w, "\nFits\t")
	for _, o := range r.Comparison {
		fit := "no"
		switch {
		case o.Comfortable:
			fit = "yes"
		case o.Fits:
			fit = "tight"
		}
		fmt.Fprintf(w, "%s\t", fit)
	}
	fmt.Fprintln(w)
	w.Flush()

	if r.Cost == nil {
		fmt.Fprintf(out, "\nCost: %s\n", r.CostError)
		return
	}
	c := r.Cost
	t := c.Training
	fmt.Fprintf(out, "\nCost (prices as of %s; edit %s/%s):\n", c.AsOf, dataDir, plan.PricesFile)
	fmt.Fprintf(out, "  Training: %s tokens at %.0f tokens/s = %.2f h", plan.Dollars(t.Tokens), t.TokensPerSecond, t.Hours)
	if c.TrainOn == "local" {
		fmt.Fprintf(out, "; electricity here $%.2f", t.LocalEnergy)
	}
	if t.CloudAvailable {
		fmt.Fprintf(out, "; cloud on demand $%.2f", t.OnDemand)
		if t.SpotViable {
			fmt.Fprintf(out, ", spot $%.2f (%.2f h with pre-emptions)", t.Spot, t.SpotHours)
		}
	}
	fmt.Fprintln(out)
	w = tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	for _, l := range c.Lines {
		fmt.Fprintf(w, "  %s\t$%s\t%s\n", l.Label, plan.Dollars(l.Amount), l.Note)
	}
	fmt.Fprintf(w, "  12-month total\t$%s\t\n", plan.Dollars(c.TCO12))
	w.Flush()
	if u := c.UseCases; u.N > 1 {
		fmt.Fprintf(out, "  %d use cases: %d dedicated deployments $%s a year, or %d deployment(s) of the base model serving the %d adapters $%s: saves $%s\n",
			u.N, u.N, plan.Dollars(u.Dedicated), u.SharedDeployments, u.N, plan.Dollars(u.Shared), plan.Dollars(u.Saving))
	}
}

func methodName(m plan.Method) string {
	switch m {
	case plan.Full:
		return "Full"
	case plan.LoRA:
		return "LoRA"
	}
	return "QLoRA"
}

func describe(s plan.Settings, accum int) string {
	d := fmt.Sprintf("%d tokens, micro-batch %d × accumulation %d, checkpointing %s, %s", s.SeqLen, s.MicroBatch, accum, onOff(s.Checkpointing), s.Optimizer)
	if s.Method != plan.Full {
		d = fmt.Sprintf("rank %d on %s, ", s.Rank, strings.Join(s.Targets, " ")) + d
	}
	return d
}

func onOff(b bool) string {
	if b {
		return "on"
	}
	return "off"
}
