package cli

import (
	"fmt"
	"strings"

	"github.com/hone-ai/hone/backend/core"
	"github.com/hone-ai/hone/backend/infer"
	"github.com/spf13/cobra"
)

func (c *cli) serveCmd() *cobra.Command {
	var o core.ServeOptions
	var adapters []string
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "serve a model and its LoRA adapters over an OpenAI-compatible API",
		Long: "serve loads the base model once and keeps every adapter resident; a request's \"model\" picks the adapter " +
			"(the base's name for none). Endpoints: /v1/models, /v1/chat/completions, /v1/completions (streaming or not), " +
			"and POST/DELETE /v1/adapters to load and unload adapters while it runs. Listens on 127.0.0.1 unless --host " +
			"says otherwise, which needs --token (or HONE_API_TOKEN).",
		Args: args(0, 0, ""),
		RunE: func(cmd *cobra.Command, _ []string) error {
			o.Adapters = map[string]string{}
			for _, a := range adapters {
				name, dir, ok := strings.Cut(a, "=")
				if !ok || name == "" || dir == "" {
					return usagef("--adapter %q: want NAME=FOLDER", a)
				}
				if err := infer.CheckName(name); err != nil {
					return usagef("--adapter %q: %v", a, err)
				}
				o.Adapters[name] = dir
			}
			if o.Token == "" {
				o.Token = c.env.Getenv("HONE_API_TOKEN")
			}
			return c.with(func(h *core.Hone) error {
				return h.Serve(c.ctx, o, func(url string, e *infer.Engine) {
					fmt.Fprintf(c.env.Stdout, "%s%s\n", core.ServingPrefix, url)
					fmt.Fprintf(c.env.Stdout, "  base %s (context %d)\n", e.Name(), e.ContextLength())
					for _, m := range e.Models()[1:] {
						fmt.Fprintf(c.env.Stdout, "  adapter %s (%s)\n", m.ID, m.Path)
					}
				})
			})
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.Model, "model", "", "the base model `FOLDER|FILE.gguf`")
	require(cmd, "model", "")
	f.StringVar(&o.Name, "name", "", "the base model's `ID` in the API (default: its file or folder name)")
	f.StringArrayVar(&adapters, "adapter", nil, "a PEFT adapter to serve, `NAME=FOLDER` (repeatable)")
	f.BoolVar(&o.Trained, "trained", false, "also serve every adapter Hone trained on this model")
	f.StringVar(&o.Host, "host", "127.0.0.1", "`ADDRESS` to listen on")
	f.IntVar(&o.Port, "port", 8080, "`PORT` to listen on (0: any free one)")
	f.StringVar(&o.Token, "token", "", "bearer `TOKEN` clients must send (default $HONE_API_TOKEN)")
	f.StringVar(&o.Weights, "weights", "auto", "how the base loads: `auto|packed|f32|bf16|nf4`")
	f.IntVar(&o.Context, "ctx", 0, "context `N` per request (default: the model's, at most 4096)")
	f.IntVar(&o.MaxBatch, "max-batch", 16, "requests decoding at once `N` (more wait)")
	return cmd
}
