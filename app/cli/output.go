package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/hone-ai/hone/backend/hw"
	"github.com/hone-ai/hone/backend/store"
)

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func gb(b int64) string { return hw.FormatBytes(uint64(max(b, 0))) }

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

// progressBar redraws one line on the terminal for a running job.
func progressBar(w io.Writer, name string, j store.Job) {
	if j.Ended() {
		return
	}
	const width = 30
	n := int(j.Progress * width)
	fmt.Fprintf(w, "\r%s [%s%s] %3.0f%% %s  ", name, strings.Repeat("#", n), strings.Repeat(" ", width-n), j.Progress*100, j.Message)
}

// await waits for a job a command started with watch = progressBar, ends
// the progress line, and returns the job's result decoded into result: the
// job's error if it failed, and an error if it was cancelled.
func await(waitFor func(int64) (store.Job, error), id int64, stderr io.Writer, name string, result any) error {
	j, err := waitFor(id)
	fmt.Fprintln(stderr)
	if err != nil {
		return err
	}
	switch j.State {
	case store.JobSucceeded:
		if result == nil || len(j.Result) == 0 {
			return nil
		}
		if err := json.Unmarshal(j.Result, result); err != nil {
			return fmt.Errorf("%s: read the job's result: %w", name, err)
		}
		return nil
	case store.JobFailed:
		return errors.New(j.Error)
	}
	return fmt.Errorf("%s: %s", name, j.State)
}
