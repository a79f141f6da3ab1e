package main

import (
	"context"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/hone-ai/hone/backend/core"
	"github.com/hone-ai/hone/backend/model/hub"
)

// modelsCmd is `hone models [add DIR | remove DIR | download REPO]`.
func modelsCmd(ctx context.Context, opts core.Options, args []string, stdout, stderr io.Writer) error {
	fs := commandFlags("models", &opts)
	asJSON := fs.Bool("json", false, "print JSON")
	revision := fs.String("revision", "main", "download: branch, tag or commit")
	token := fs.String("token", "", "download: Hugging Face access token (default: $HF_TOKEN)")
	rest, err := parseFlagsArgs(fs, args)
	if err != nil {
		return err
	}
	h, err := openHone(ctx, opts)
	if err != nil {
		return err
	}
	defer h.Close()
	if len(rest) > 0 {
		if len(rest) != 2 {
			return usageError{"models: want add DIR, remove DIR or download REPO"}
		}
		switch rest[0] {
		case "add":
			return h.AddModelFolder(ctx, rest[1])
		case "remove":
			return h.RemoveModelFolder(ctx, rest[1])
		case "download":
			dir, err := h.DownloadModel(ctx, rest[1], *revision, *token, func(p hub.Progress) {
				frac := 0.0
				if p.Total > 0 {
					frac = float64(p.Done) / float64(p.Total)
				}
				fmt.Fprintf(stderr, "\r%s: %5.1f%% of %s, %s  ", rest[1], frac*100, gb(p.Total), p.File)
			})
			fmt.Fprintln(stderr)
			if err != nil {
				return err
			}
			fmt.Fprintf(stdout, "%s is in %s\n", rest[1], dir)
			return nil
		}
		return usageError{fmt.Sprintf("models: unknown subcommand %q: want add, remove or download", rest[0])}
	}
	found, err := h.Models(ctx)
	if err != nil && len(found) == 0 {
		return err
	}
	if *asJSON {
		return writeJSON(stdout, found)
	}
	w := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
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
		fmt.Fprintln(stderr, "hone: some folders could not be read:", err)
	}
	return nil
}

// params prints a parameter count: "8.03B", "135M", "260K".
func params(n int64) string {
	switch {
	case n >= 1e9:
		return fmt.Sprintf("%.2fB", float64(n)/1e9)
	case n >= 1e6:
		return fmt.Sprintf("%.0fM", float64(n)/1e6)
	}
	return fmt.Sprintf("%.0fK", float64(n)/1e3)
}
