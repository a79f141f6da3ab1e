package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"text/tabwriter"

	"github.com/hone-ai/hone/backend/core"
	"github.com/hone-ai/hone/backend/store"
	"github.com/hone-ai/hone/backend/train"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	yaml "go.yaml.in/yaml/v3"
)

// trainCmd is `hone train`: a run in a child process, as the window starts
// one, followed here with a progress line (or JSON lines). Ctrl-C pauses it
// after a checkpoint; the same command with the same --out resumes it.
func (c *cli) trainCmd() *cobra.Command {
	// Settings whose zero is a choice start at their defaults; the rest stay
	// zero, for the data and the machine to decide (core.TrainDefaults).
	d := train.DefaultSpec()
	s := train.Spec{WarmupRatio: d.WarmupRatio, MaxGradNorm: d.MaxGradNorm, Dropout: d.Dropout, EvalEvery: d.EvalEvery}
	var config string
	var asJSON, preflight bool
	cmd := &cobra.Command{
		Use:   "train",
		Short: "fine-tune a model on a dataset (resumes a stopped run with the same --out)",
		Args:  args(0, 0, ""),
		RunE: func(cmd *cobra.Command, _ []string) error {
			spec, err := specFrom(config, s, cmd.Flags())
			if err != nil {
				return err
			}
			if preflight {
				return c.with(func(h *core.Hone) error { return c.preflight(h, spec, asJSON) })
			}
			return c.with(func(h *core.Hone) error { return c.runTrain(h, spec, asJSON) })
		},
	}
	f := cmd.Flags()
	f.StringVar(&s.Model, "model", "", "the base model `FOLDER|FILE.gguf`")
	require(cmd, "model", "", "config")
	f.Int64Var(&s.Dataset, "dataset", 0, "the dataset `ID` to train on")
	require(cmd, "dataset", " (hone datasets lists them)", "config")
	f.Int64Var(&s.EvalDataset, "eval-dataset", 0, "held-out dataset `ID` for the evaluation loss (hone dataset split makes one)")
	f.StringVar(&s.Method, "method", "", "`qlora|lora|full` (default lora)")
	f.StringVar(&s.OutDir, "out", "", "output `DIR` for checkpoints and the adapter (default: in the data folder)")
	f.StringVar(&config, "config", "", "run settings `FILE` (YAML or JSON, the fields of hone run show); flags override it")
	f.StringVar(&s.Name, "name", "", "the run's `NAME`")
	f.Float64Var(&s.Epochs, "epochs", 0, "passes over the data `F` (default 1)")
	f.IntVar(&s.MaxSteps, "max-steps", 0, "optimizer steps `N` (default: from --epochs)")
	f.IntVar(&s.SeqLen, "seq", 0, "sequence length `N` (default 512)")
	f.IntVar(&s.MicroBatch, "batch", 0, "micro-batch `N` rows (default 4)")
	f.IntVar(&s.GradAccum, "accum", 0, "gradient accumulation `N` (default 4)")
	f.Float64Var(&s.LR, "lr", 0, "peak learning rate `F` (default 2e-4)")
	f.IntVar(&s.Rank, "rank", 0, "LoRA rank `N` (default 16)")
	f.Float64Var(&s.Alpha, "alpha", 0, "LoRA alpha `F` (default 2×rank)")
	f.Float64Var(&s.Dropout, "dropout", s.Dropout, "LoRA dropout `P`")
	f.Float64Var(&s.WarmupRatio, "warmup", s.WarmupRatio, "share `F` of the steps warming the learning rate up")
	f.Float64Var(&s.MaxGradNorm, "max-grad-norm", s.MaxGradNorm, "clip the gradient norm at `F` (0: no clipping)")
	f.Uint64Var(&s.Seed, "seed", 0, "random seed `N` (default 42)")
	f.BoolVar(&s.AllTokens, "all-tokens", false, "train on every token, not only the assistant's answers")
	f.StringVar(&s.TooLong, "too-long", "", "`truncate|drop` examples longer than --seq (default truncate)")
	f.IntVar(&s.EvalEvery, "eval-every", s.EvalEvery, "evaluate every `N` steps (0: at the end only)")
	f.IntVar(&s.CheckpointEvery, "checkpoint-every", 0, "checkpoint every `N` steps (default 100; and every 10 minutes)")
	f.BoolVar(&preflight, "preflight", false, "only measure: a few real steps, then the time and memory the run would take")
	jsonFlag(cmd, &asJSON)
	return cmd
}

// preflight prints what a few measured steps say of the run.
func (c *cli) preflight(h *core.Hone, s train.Spec, asJSON bool) error {
	p, err := h.Preflight(c.ctx, s)
	if err != nil {
		return err
	}
	if asJSON {
		return writeJSON(c.env.Stdout, p)
	}
	fmt.Fprintln(c.env.Stdout, p.Message)
	if p.Suggestion != "" {
		fmt.Fprintln(c.env.Stdout, "try:", p.Suggestion)
	}
	for _, w := range p.Warnings {
		fmt.Fprintln(c.env.Stdout, "note:", w)
	}
	return nil
}

// specFrom reads a settings file (YAML or JSON) and lays the flags the
// user set over it.
func specFrom(path string, flags train.Spec, set *pflag.FlagSet) (train.Spec, error) {
	if path == "" {
		return flags, nil
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		return flags, err
	}
	var generic any
	if err := yaml.Unmarshal(raw, &generic); err != nil {
		return flags, fmt.Errorf("%s: %w", path, err)
	}
	js, err := json.Marshal(generic) // YAML keys are the JSON names: one decoder, one set of names
	if err != nil {
		return flags, fmt.Errorf("%s: %w", path, err)
	}
	d := train.DefaultSpec()
	s := train.Spec{WarmupRatio: d.WarmupRatio, MaxGradNorm: d.MaxGradNorm, Dropout: d.Dropout, EvalEvery: d.EvalEvery}
	dec := json.NewDecoder(strings.NewReader(string(js)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&s); err != nil {
		return flags, fmt.Errorf("%s: %w", path, err)
	}
	over := func(name string, dst, src any) {
		if set.Changed(name) {
			b, _ := json.Marshal(src)
			json.Unmarshal(b, dst)
		}
	}
	for name, p := range map[string][2]any{
		"model": {&s.Model, flags.Model}, "dataset": {&s.Dataset, flags.Dataset}, "eval-dataset": {&s.EvalDataset, flags.EvalDataset},
		"method": {&s.Method, flags.Method}, "out": {&s.OutDir, flags.OutDir}, "name": {&s.Name, flags.Name},
		"epochs": {&s.Epochs, flags.Epochs}, "max-steps": {&s.MaxSteps, flags.MaxSteps}, "seq": {&s.SeqLen, flags.SeqLen},
		"batch": {&s.MicroBatch, flags.MicroBatch}, "accum": {&s.GradAccum, flags.GradAccum}, "lr": {&s.LR, flags.LR},
		"rank": {&s.Rank, flags.Rank}, "alpha": {&s.Alpha, flags.Alpha}, "dropout": {&s.Dropout, flags.Dropout},
		"seed": {&s.Seed, flags.Seed}, "all-tokens": {&s.AllTokens, flags.AllTokens}, "too-long": {&s.TooLong, flags.TooLong},
		"warmup": {&s.WarmupRatio, flags.WarmupRatio}, "max-grad-norm": {&s.MaxGradNorm, flags.MaxGradNorm},
		"eval-every": {&s.EvalEvery, flags.EvalEvery}, "checkpoint-every": {&s.CheckpointEvery, flags.CheckpointEvery},
	} {
		over(name, p[0], p[1])
	}
	return s, nil
}

// runTrain starts (or resumes) the run and follows it to its end. An
// interrupt pauses it.
func (c *cli) runTrain(h *core.Hone, s train.Spec, asJSON bool) error {
	// The job's updates arrive on the runner's goroutine while this one
	// starts the run and, at the end, prints its result.
	var mu sync.Mutex // the output's
	var runID atomic.Int64
	watch := func(j store.Job) {
		mu.Lock()
		defer mu.Unlock()
		if asJSON {
			json.NewEncoder(c.env.Stdout).Encode(map[string]any{"run": runID.Load(), "state": j.State, "progress": j.Progress,
				"message": j.Message, "metrics": j.Metrics, "error": j.Error})
			return
		}
		progressBar(c.env.Stderr, "train", j)
	}
	id, jobID, err := h.StartTrain(c.ctx, s, watch) // the first update comes before it returns
	if err != nil {
		return err
	}
	runID.Store(id)
	go func() {
		<-c.ctx.Done() // Ctrl-C: pause after a checkpoint, so that the same command resumes
		h.PauseRun(context.Background(), id)
	}()
	j, err := h.Jobs.Await(jobID)
	mu.Lock() // no update is printed past here
	defer mu.Unlock()
	if !asJSON {
		fmt.Fprintln(c.env.Stderr)
	}
	if err != nil {
		return err
	}
	v, err := h.Run(context.Background(), id)
	if err != nil {
		return err
	}
	switch {
	case v.State == store.RunSucceeded && asJSON:
		return writeJSON(c.env.Stdout, map[string]any{"run": id, "state": v.State, "result": json.RawMessage(j.Result)})
	case v.State == store.RunSucceeded:
		var res train.Result
		json.Unmarshal(j.Result, &res)
		fmt.Fprintf(c.env.Stdout, "run %d: trained %d steps; adapter %d in %s\n", id, res.Steps, res.AdapterID, res.Path)
		for _, w := range res.Warnings {
			fmt.Fprintf(c.env.Stdout, "note: %s\n", w)
		}
		return nil
	case v.State == store.RunPaused:
		fmt.Fprintf(c.env.Stdout, "run %d paused at step %d of %d: the same command resumes it\n", id, v.Step, v.TotalSteps)
		return nil
	}
	msg := fmt.Sprintf("run %d %s at step %d", id, v.State, v.Step)
	if v.Error != "" {
		msg += ": " + v.Error
	}
	if v.Suggestion != "" {
		msg += ". " + v.Suggestion
	}
	return errors.New(msg)
}

// runsCmd is `hone runs`.
func (c *cli) runsCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "runs",
		Short: "list the training runs",
		Args:  args(0, 0, ""),
		RunE: func(cmd *cobra.Command, _ []string) error {
			return c.with(func(h *core.Hone) error {
				rs, err := h.Runs(c.ctx)
				if err != nil {
					return err
				}
				if asJSON {
					return writeJSON(c.env.Stdout, rs)
				}
				printRuns(c.env.Stdout, rs)
				return nil
			})
		},
	}
	jsonFlag(cmd, &asJSON)
	return cmd
}

func printRuns(w io.Writer, rs []store.Run) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tNAME\tSTATE\tSTEP\tOUTPUT\tUPDATED")
	for _, r := range rs {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%d/%d\t%s\t%s\n", r.ID, r.Name, r.State, r.Step, r.TotalSteps, r.OutDir, r.UpdatedAt.Local().Format("2006-01-02 15:04"))
	}
	tw.Flush()
}

// runShowCmd is `hone run show ID`.
func (c *cli) runShowCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "show ID",
		Short: "a run's settings, state and per-step metrics",
		Args:  args(1, 1, "name the run ID"),
		RunE: c.runRun(func(h *core.Hone, v core.RunView) error {
			if asJSON {
				return writeJSON(c.env.Stdout, v)
			}
			printRun(c.env.Stdout, v)
			return nil
		}),
	}
	jsonFlag(cmd, &asJSON)
	return cmd
}

func printRun(w io.Writer, v core.RunView) {
	fmt.Fprintf(w, "Run %d %q: %s, step %d of %d, output %s\n", v.ID, v.Name, v.State, v.Step, v.TotalSteps, v.OutDir)
	if v.Error != "" {
		fmt.Fprintf(w, "Stopped: %s\n", v.Error)
	}
	if v.Suggestion != "" {
		fmt.Fprintf(w, "Try: %s\n", v.Suggestion)
	}
	var s any
	json.Unmarshal(v.Spec, &s)
	spec, _ := json.MarshalIndent(s, "", "  ")
	fmt.Fprintf(w, "Settings: %s\n", spec)
	if line := trainedLine(v.Metrics); line != "" {
		fmt.Fprintln(w, line)
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "STEP\tLOSS\tEVAL LOSS\tLR\tGRAD NORM\tTOKENS/S\t")
	for _, m := range v.Metrics {
		ev := ""
		if e, ok := m.Metrics["evalLoss"]; ok {
			ev = fmt.Sprintf("%.4f", e)
		}
		fmt.Fprintf(tw, "%d\t%.4f\t%s\t%.2e\t%.3f\t%.0f\t\n", m.Step, m.Metrics["loss"], ev, m.Metrics["lr"], m.Metrics["gradNorm"], m.Metrics["tokensPerSec"])
	}
	tw.Flush()
}

// trainedLine sums a run's steps: tokens, the time in steps (evaluations
// and checkpoints left out), their rate, the peak memory and the last
// evaluation loss; "" before the first step.
func trainedLine(ms []store.RunMetric) string {
	if len(ms) == 0 {
		return ""
	}
	var tokens, secs, peak float64
	eval := ""
	for _, m := range ms {
		tokens += m.Metrics["tokensPerSec"] * m.Metrics["stepSeconds"]
		secs += m.Metrics["stepSeconds"]
		peak = max(peak, m.Metrics["peakBytes"])
		if e, ok := m.Metrics["evalLoss"]; ok {
			eval = fmt.Sprintf(", eval loss %.4f at step %d", e, m.Step)
		}
	}
	return fmt.Sprintf("Trained: %d steps, %.0f tokens in %.0f s (%.0f tokens/s), peak memory %.0f MiB%s",
		len(ms), tokens, secs, tokens/max(secs, 1e-9), peak/(1<<20), eval)
}

// runCmd groups the commands on one run.
func (c *cli) runCmd() *cobra.Command {
	return &cobra.Command{
		Use:         "run",
		Short:       "one training run: show, pause, resume or cancel",
		Annotations: map[string]string{groupKey: ""},
		Args:        cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usagef("run: want show, pause, resume or cancel")
			}
			return usagef("run: unknown subcommand %q: want show, pause, resume or cancel", args[0])
		},
	}
}

// runRun is a RunE for a command on one run, the first argument.
func (c *cli) runRun(run func(h *core.Hone, v core.RunView) error) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, a []string) error {
		id, err := positiveID(cmd, a[0], "run")
		if err != nil {
			return err
		}
		return c.with(func(h *core.Hone) error {
			v, err := h.Run(c.ctx, id)
			if err != nil {
				return err
			}
			return run(h, v)
		})
	}
}

// runResumeCmd is `hone run resume ID`.
func (c *cli) runResumeCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "resume ID",
		Short: "continue a paused, stopped or interrupted run from its last checkpoint",
		Args:  args(1, 1, "name the run ID"),
		RunE: c.runRun(func(h *core.Hone, v core.RunView) error {
			var s train.Spec
			if err := json.Unmarshal(v.Spec, &s); err != nil {
				return err
			}
			return c.runTrain(h, s, asJSON)
		}),
	}
	jsonFlag(cmd, &asJSON)
	return cmd
}

// runStopCmd is `hone run pause ID` or `hone run cancel ID`: a run training
// here or in the window stops after a checkpoint (paused, or cancelled).
func (c *cli) runStopCmd(verb string) *cobra.Command {
	short := map[string]string{"pause": "stop a run after a checkpoint; resume continues it exactly there",
		"cancel": "stop a run (its checkpoints stay: resume still continues it)"}[verb]
	return &cobra.Command{
		Use:   verb + " ID",
		Short: short,
		Args:  args(1, 1, "name the run ID"),
		RunE: c.runRun(func(h *core.Hone, v core.RunView) error {
			stop := h.PauseRun
			if verb == "cancel" {
				stop = h.CancelRun
			}
			if err := stop(c.ctx, v.ID); err != nil {
				return err
			}
			fmt.Fprintf(c.env.Stdout, "run %d: asked to %s; it stops after its next checkpoint\n", v.ID, verb)
			return nil
		}),
	}
}
