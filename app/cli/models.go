package cli

import (
	"fmt"
	"text/tabwriter"

	"github.com/hone-ai/hone/backend/core"
	"github.com/hone-ai/hone/backend/store"
	"github.com/spf13/cobra"
)

// modelsCmd lists the models, and is the group of add, remove, download.
func (c *cli) modelsCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "models",
		Short: "models here: Hugging Face cache, LM Studio, Ollama, downloads, added folders",
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return usagef("models: unknown subcommand %q: want add, remove or download", args[0])
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, _ []string) error {
			return c.with(func(h *core.Hone) error {
				found, err := h.Models(c.ctx)
				if err != nil && len(found) == 0 {
					return err
				}
				if asJSON {
					return writeJSON(c.env.Stdout, found)
				}
				w := tabwriter.NewWriter(c.env.Stdout, 0, 4, 2, ' ', 0)
				fmt.Fprintln(w, "NAME\tSOURCE\tARCHITECTURE\tPARAMETERS\tQUANTISATION\tSIZE\tPATH")
				for _, f := range found {
					arch := f.Architecture
					if f.Error != "" {
						arch = "unreadable: " + f.Error
					}
					fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", f.Name, f.Source, arch, params(f.Params), f.Quantisation, gb(f.SizeBytes), f.Path)
				}
				if len(found) == 0 {
					fmt.Fprintln(w, "(no models found; hone models add DIR, or hone models download REPO)")
				}
				if err := w.Flush(); err != nil {
					return err
				}
				if err != nil {
					fmt.Fprintln(c.env.Stderr, "hone: some folders could not be read:", err)
				}
				return nil
			})
		},
	}
	jsonFlag(cmd, &asJSON)
	return cmd
}

// modelsRun opens Hone for a models subcommand.
func (c *cli) modelsRun(run func(h *core.Hone, arg string) error) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, args []string) error {
		return c.with(func(h *core.Hone) error {
			return run(h, args[0])
		})
	}
}

func (c *cli) modelsAddCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "add DIR",
		Short: "scan a folder of your own for models",
		Args:  args(1, 1, "name the folder"),
		RunE:  c.modelsRun(func(h *core.Hone, dir string) error { return h.AddModelFolder(c.ctx, dir) }),
	}
}

func (c *cli) modelsRemoveCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "remove DIR",
		Short: "stop scanning a folder (its files stay)",
		Args:  args(1, 1, "name the folder"),
		RunE:  c.modelsRun(func(h *core.Hone, dir string) error { return h.RemoveModelFolder(c.ctx, dir) }),
	}
}

func (c *cli) modelsDownloadCmd() *cobra.Command {
	var revision, token string
	cmd := &cobra.Command{
		Use:   "download REPO",
		Short: "fetch from the Hugging Face Hub (resumable, verified)",
		Args:  args(1, 1, "name the repository, such as HuggingFaceTB/SmolLM2-135M-Instruct"),
		RunE: c.modelsRun(func(h *core.Hone, repo string) error {
			id, err := h.StartDownload(c.ctx, repo, revision, token, func(j store.Job) { progressBar(c.env.Stderr, repo, j) })
			if err != nil {
				return err
			}
			var r core.DownloadResult
			if err := await(h.Jobs.Await, id, c.env.Stderr, "download "+repo, &r); err != nil {
				return err
			}
			fmt.Fprintf(c.env.Stdout, "%s is in %s\n", repo, r.Dir)
			return nil
		}),
	}
	cmd.Flags().StringVar(&revision, "revision", "main", "branch, tag or commit `R`")
	cmd.Flags().StringVar(&token, "token", "", "Hugging Face access token `T` (default: $HF_TOKEN)")
	return cmd
}
