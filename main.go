// Command hone is the Hone desktop app and its command line. With no command
// it opens the window (in the desktop build); each command runs the same
// backend code the window uses.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/hone-ai/hone/backend/core"
	"github.com/hone-ai/hone/backend/datadir"
	"github.com/hone-ai/hone/backend/store"
	"github.com/hone-ai/hone/kernels"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

// Exit codes, so scripts on a rented GPU can tell failures apart.
const (
	exitOK          = 0
	exitError       = 1
	exitUsage       = 2
	exitNotWritable = 3
	exitCorruptDB   = 4
	exitNewerDB     = 5
)

const usage = `Hone: fine-tune a model for your task on the GPU you have.

Usage:
  hone [--data-dir DIR]                 open the window (desktop build)
  hone [--data-dir DIR] doctor [--json] what this machine has and what Hone will use
  hone plan --model NAME|PATH [--gpu gpu:N|CARD] [--seq N] [--batch N] [--rank N] [--json]
                                        will it fit, which method, what it costs
                                        (hone plan --list: catalogue models and cards)
  hone import FILE... [--name N] [--format F] [--strict]
                                        import JSONL/JSON/CSV/TSV/Parquet datasets
  hone datasets                         list the datasets
  hone dataset show ID                  the quality report and the skipped rows
  hone dataset export ID --out FILE     write it as JSONL
  hone dataset fix ID FIX               a new version: dedupe-exact, dedupe-normalized,
                                        dedupe-near, drop-short or drop-long
  hone dataset split ID [--eval 0.1] [--seed 1]
                                        seeded train/eval split, stratified by label
  hone dataset mix ID:WEIGHT ID:WEIGHT... [--name N] [--total N] [--seed 1]
  hone dataset delete ID
  hone models                           models on this machine (Hugging Face cache, LM Studio,
                                        Ollama, Hone's downloads and added folders)
  hone models add|remove DIR            scan a folder of your own, or stop
  hone models download REPO [--revision R] [--token T]
                                        fetch from the Hugging Face Hub (resumable, verified)
  hone version                          print the version

The data folder is --data-dir, else $HONE_HOME, else $XDG_DATA_HOME/hone
(~/.local/share/hone). HONE_FAKE_GPUS=2xrtx4090 replaces the real GPUs by
fake ones, for trying the app without the card; every report then says so.

Exit codes: 0 ok, 1 error, 2 usage, 3 data folder not writable,
4 database damaged, 5 database from a newer Hone.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr, os.Getenv)
	stop()
	os.Exit(code)
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) int {
	fs := flag.NewFlagSet("hone", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, usage) }
	dataDir := fs.String("data-dir", "", "data folder")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	opts := core.Options{
		DataDir:   *dataDir,
		Getenv:    getenv,
		FakeGPUs:  getenv("HONE_FAKE_GPUS"),
		CUDABuilt: kernels.CUDA,
		Version:   version,
	}
	cmd, rest := "", []string(nil)
	if fs.NArg() > 0 {
		cmd, rest = fs.Arg(0), fs.Args()[1:]
	}
	var err error
	switch cmd {
	case "":
		err = runDesktop(ctx, opts)
	case "doctor":
		err = doctor(ctx, opts, rest, stdout)
	case "plan":
		err = planCmd(ctx, opts, rest, stdout)
	case "import":
		err = importCmd(ctx, opts, rest, stdout, stderr)
	case "datasets":
		err = datasetsCmd(ctx, opts, rest, stdout)
	case "dataset":
		err = datasetCmd(ctx, opts, rest, stdout)
	case "models":
		err = modelsCmd(ctx, opts, rest, stdout, stderr)
	case "version":
		fmt.Fprintln(stdout, "hone", version)
	case "help":
		fmt.Fprint(stdout, usage)
	default:
		fmt.Fprintf(stderr, "hone: unknown command %q\n\n%s", cmd, usage)
		return exitUsage
	}
	if err != nil {
		fmt.Fprintln(stderr, "hone:", err)
		return exitCode(err)
	}
	return exitOK
}

func exitCode(err error) int {
	var u usageError
	switch {
	case errors.As(err, &u):
		return exitUsage
	case errors.Is(err, datadir.ErrNotWritable):
		return exitNotWritable
	case errors.Is(err, store.ErrCorrupt):
		return exitCorruptDB
	case errors.Is(err, store.ErrNewerSchema):
		return exitNewerDB
	}
	return exitError
}

// usageError is a command line the user mistyped.
type usageError struct{ msg string }

func (u usageError) Error() string { return u.msg }

// commandFlags starts a subcommand's flag set; --data-dir works after the
// command name too.
func commandFlags(name string, opts *core.Options) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.StringVar(&opts.DataDir, "data-dir", opts.DataDir, "data folder")
	return fs
}

// parseFlags parses a subcommand's flags, refusing stray arguments.
func parseFlags(fs *flag.FlagSet, args []string) error {
	rest, err := parseFlagsArgs(fs, args)
	if err == nil && len(rest) > 0 {
		err = usageError{fmt.Sprintf("%s: unexpected argument %s", fs.Name(), strings.Join(rest, " "))}
	}
	return err
}

// parseFlagsArgs parses flags placed anywhere among the arguments and
// returns the arguments: `hone import a.jsonl --strict b.csv`.
func parseFlagsArgs(fs *flag.FlagSet, args []string) ([]string, error) {
	fs.SetOutput(io.Discard)
	var rest []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, usageError{fmt.Sprintf("%s: %v", fs.Name(), err)}
		}
		if fs.NArg() == 0 {
			return rest, nil
		}
		rest = append(rest, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

// openHone opens the data folder for a command.
func openHone(ctx context.Context, opts core.Options) (*core.Hone, error) {
	opts.Events = quietEvents{}
	return core.Open(ctx, opts)
}

// quietEvents is the CLI's jobs.Emitter: a command waits for its own job and
// prints what it needs, so background job events are not echoed.
type quietEvents struct{}

func (quietEvents) Emit(string, any) {}
