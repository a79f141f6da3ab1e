package cli

import (
	"fmt"
	"strconv"

	"github.com/hone-ai/hone/backend/core"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// table is the command line: every command, where it sits, its arguments
// and flags. A new command is one entry here and one function that builds
// it; dispatch, --help, the usage text and the README's list follow.
func (c *cli) table() *cobra.Command {
	// Commands are listed in the table's order, not sorted by name. (A
	// setting of cobra's package; every command line in this binary wants it.)
	cobra.EnableCommandSorting = false
	root, help := c.rootCmd(), c.helpCmd()
	root.AddCommand(
		c.doctorCmd(),
		c.planCmd(),
		c.importCmd(),
		c.datasetsCmd(),
		group(c.datasetCmd(),
			c.datasetShowCmd(),
			c.datasetExportCmd(),
			c.datasetFixCmd(),
			c.datasetSplitCmd(),
			c.datasetMixCmd(),
			c.datasetDeleteCmd(),
		),
		group(c.modelsCmd(),
			c.modelsAddCmd(),
			c.modelsRemoveCmd(),
			c.modelsDownloadCmd(),
		),
		c.trainCmd(),
		c.runsCmd(),
		group(c.runCmd(),
			c.runShowCmd(),
			c.runStopCmd("pause"),
			c.runResumeCmd(),
			c.runStopCmd("cancel"),
		),
		c.serveCmd(),
		c.versionCmd(),
		c.completionCmd(),
		help,
		c.jobRunCmd(),
	)
	root.SetHelpCommand(help)
	keepFlagOrder(root)
	return root
}

// keepFlagOrder lists every command's flags in the order they are defined.
func keepFlagOrder(cmd *cobra.Command) {
	cmd.Flags().SortFlags = false
	cmd.PersistentFlags().SortFlags = false
	for _, sub := range cmd.Commands() {
		keepFlagOrder(sub)
	}
}

// groupKey marks a command that only holds subcommands: it has no line of
// its own in the usage text.
const groupKey = "hone_group"

func group(parent *cobra.Command, children ...*cobra.Command) *cobra.Command {
	parent.AddCommand(children...)
	return parent
}

func (c *cli) rootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:   "hone",
		Short: "open the window (desktop build)",
		Long:  "Hone: fine-tune a model for your task on the GPU you have.",
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return nil
			}
			msg := fmt.Sprintf("unknown command %q", args[0])
			if s := cmd.SuggestionsFor(args[0]); len(s) > 0 {
				msg += fmt.Sprintf(" (did you mean %q?)", s[0])
			}
			return UsageError{msg}
		},
		RunE: func(cmd *cobra.Command, _ []string) error {
			if c.env.Window == nil {
				return ErrNoWindow
			}
			return c.env.Window(c.ctx, c.options())
		},
		PersistentPreRunE:          checkRequired,
		SilenceErrors:              true,
		SuggestionsMinimumDistance: 2,
		SilenceUsage:               true,
		CompletionOptions:          cobra.CompletionOptions{DisableDefaultCmd: true},
	}
	root.PersistentFlags().StringVar(&c.dataDir, "data-dir", "", "the data `DIR` (default: $HONE_HOME, else $XDG_DATA_HOME/hone)")
	root.SetFlagErrorFunc(func(cmd *cobra.Command, err error) error { return usagef("%s: %v", cmdName(cmd), err) })
	root.SetHelpFunc(help)
	return root
}

// requiredKey marks a flag a command cannot run without. Its annotation's
// first value is a hint for the error; the others name flags that stand in.
const requiredKey = "hone_required"

// require marks flag as required, unless one of the unless flags is given.
func require(cmd *cobra.Command, flag, hint string, unless ...string) {
	cmd.Flags().SetAnnotation(flag, requiredKey, append([]string{hint}, unless...))
}

// checkRequired refuses a command whose required flag is missing.
func checkRequired(cmd *cobra.Command, _ []string) error {
	var err error
	cmd.LocalFlags().VisitAll(func(f *pflag.Flag) {
		a, ok := f.Annotations[requiredKey]
		if !ok || f.Changed || err != nil {
			return
		}
		for _, other := range a[1:] {
			if o := cmd.Flags().Lookup(other); o != nil && o.Changed {
				return
			}
		}
		err = usagef("%s: --%s is required%s", cmdName(cmd), f.Name, a[0])
	})
	return err
}

// args checks the number of arguments: at least min, at most max (-1: any).
func args(min, max int, want string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		switch {
		case len(args) < min:
			return usagef("%s: %s", cmdName(cmd), want)
		case max >= 0 && len(args) > max:
			return usagef("%s: unexpected argument %s", cmdName(cmd), args[max])
		}
		return nil
	}
}

// datasetID reads a dataset ID argument.
func datasetID(cmd *cobra.Command, arg string) (int64, error) { return positiveID(cmd, arg, "dataset") }

// positiveID reads the ID argument of a thing ("dataset", "run").
func positiveID(cmd *cobra.Command, arg, thing string) (int64, error) {
	id, err := strconv.ParseInt(arg, 10, 64)
	if err != nil || id <= 0 {
		return 0, usagef("%s: %q is not a %s ID", cmdName(cmd), arg, thing)
	}
	return id, nil
}

// jsonFlag adds --json.
func jsonFlag(cmd *cobra.Command, on *bool) {
	cmd.Flags().BoolVar(on, "json", false, "print JSON")
}

func (c *cli) versionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "print the version",
		Args:  args(0, 0, ""),
		Run:   func(cmd *cobra.Command, _ []string) { fmt.Fprintln(c.env.Stdout, "hone", c.env.Version) },
	}
}

func (c *cli) helpCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "help [COMMAND...]",
		Short: "this text, or a command's help",
		RunE: func(cmd *cobra.Command, args []string) error {
			target, rest, err := cmd.Root().Find(args)
			if err != nil || len(rest) > 0 {
				return usagef("help: no command %q", args)
			}
			return target.Help()
		},
	}
}

func (c *cli) completionCmd() *cobra.Command {
	return &cobra.Command{
		Use:       "completion bash|zsh|fish|powershell",
		Short:     "print a shell completion script",
		Long:      "Print a completion script: source <(hone completion bash), or write it where your shell loads completions from.",
		ValidArgs: []string{"bash", "zsh", "fish", "powershell"},
		Args:      args(1, 1, "name the shell: bash, zsh, fish or powershell"),
		RunE: func(cmd *cobra.Command, args []string) error {
			root, out := cmd.Root(), c.env.Stdout
			switch args[0] {
			case "bash":
				return root.GenBashCompletionV2(out, true)
			case "zsh":
				return root.GenZshCompletion(out)
			case "fish":
				return root.GenFishCompletion(out, true)
			case "powershell":
				return root.GenPowerShellCompletionWithDesc(out)
			}
			return usagef("completion: unknown shell %q: want bash, zsh, fish or powershell", args[0])
		},
	}
}

// jobRunCmd is the child's side of a job in a child process; hidden, as
// only Hone itself runs it.
func (c *cli) jobRunCmd() *cobra.Command {
	var id int64
	cmd := &cobra.Command{
		Use:    core.JobRunCommand,
		Short:  "run a job in this child process (started by Hone itself)",
		Hidden: true,
		Args:   args(0, 0, ""),
		RunE: func(cmd *cobra.Command, _ []string) error {
			o := c.options()
			o.ForChild = true
			h, err := core.Open(c.ctx, o)
			if err != nil {
				return err
			}
			defer h.Close()
			return h.RunChildJob(c.ctx, id, c.env.Stdout)
		},
	}
	cmd.Flags().Int64Var(&id, "job", 0, "the job's `ID`")
	require(cmd, "job", "")
	return cmd
}
