// Package cli is Hone's command line. It owns the command table (table.go):
// one tree of commands that drives dispatch, each command's own flags and
// arguments, `--help` for every command, and the usage text that the README's
// command list is checked against. Each command parses its input, calls the
// use case in backend/core that the window calls too, and prints the result
// as text or JSON; it holds no logic of its own. Long work runs as a job
// (backend/jobs), in process or in a child, and a command waits for it and
// prints its progress.
//
// Exit codes are part of the interface, so scripts on a rented GPU can tell
// failures apart: 0 ok, 1 error, 2 usage, 3 data folder not writable,
// 4 database damaged, 5 database from a newer Hone.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/hone-ai/hone/backend/core"
	"github.com/hone-ai/hone/backend/datadir"
	"github.com/hone-ai/hone/backend/jobs"
	"github.com/hone-ai/hone/backend/store"
	"github.com/hone-ai/hone/kernels"
	"github.com/spf13/cobra"
)

// Exit codes.
const (
	ExitOK          = 0
	ExitError       = 1
	ExitUsage       = 2
	ExitNotWritable = 3
	ExitCorruptDB   = 4
	ExitNewerDB     = 5
)

// Env is what a run of the command line gets from its process.
type Env struct {
	Stdout, Stderr io.Writer
	Getenv         func(string) string // nil: os.Getenv
	Version        string
	// Window opens the desktop window, for `hone` with no command; nil in a
	// build without one.
	Window func(ctx context.Context, opts core.Options) error
	// Kinds are the jobs this binary runs in a child (nil: core's own).
	Kinds jobs.Kinds
}

// Run runs the command line args and returns the exit code.
func Run(ctx context.Context, args []string, env Env) int {
	if env.Getenv == nil {
		env.Getenv = os.Getenv
	}
	c := &cli{ctx: ctx, env: env}
	root := c.table()
	root.SetArgs(args)
	root.SetOut(env.Stdout)
	root.SetErr(env.Stderr)
	cmd, err := root.ExecuteC()
	if err == nil {
		return ExitOK
	}
	fmt.Fprintln(env.Stderr, "hone:", err)
	code := exitCode(err)
	if code == ExitUsage && cmd != nil && !errors.Is(err, ErrNoWindow) {
		fmt.Fprintf(env.Stderr, "Run '%s --help' for usage.\n", cmd.CommandPath())
	}
	return code
}

func exitCode(err error) int {
	var u UsageError
	switch {
	case errors.As(err, &u):
		return ExitUsage
	case errors.Is(err, datadir.ErrNotWritable):
		return ExitNotWritable
	case errors.Is(err, store.ErrCorrupt):
		return ExitCorruptDB
	case errors.Is(err, store.ErrNewerSchema):
		return ExitNewerDB
	}
	return ExitError
}

// UsageError is a command line the user mistyped: exit code 2.
type UsageError struct{ Msg string }

func (u UsageError) Error() string { return u.Msg }

// usagef makes a UsageError.
func usagef(format string, a ...any) error { return UsageError{fmt.Sprintf(format, a...)} }

// ErrNoWindow is what `hone` with no command returns in a build without a
// window (the headless build, for servers).
var ErrNoWindow = UsageError{"this is the headless build of Hone: it has no window. Run a command (hone help), or build the desktop app with `make build`"}

// cli is one run of the command line: its process's environment and the
// flags every command shares.
type cli struct {
	ctx     context.Context
	env     Env
	dataDir string
}

// options says how to open Hone for this run.
func (c *cli) options() core.Options {
	return core.Options{
		DataDir:   c.dataDir,
		Getenv:    c.env.Getenv,
		FakeGPUs:  c.env.Getenv("HONE_FAKE_GPUS"),
		CUDABuilt: kernels.CUDA,
		Version:   c.env.Version,
		Kinds:     c.env.Kinds,
		Events:    quietEvents{},
	}
}

// open opens the data folder for a command.
func (c *cli) open() (*core.Hone, error) { return core.Open(c.ctx, c.options()) }

// with opens the data folder, runs f on it and closes it: every command
// that reads or writes Hone's data goes through here.
func (c *cli) with(f func(h *core.Hone) error) error {
	h, err := c.open()
	if err != nil {
		return err
	}
	defer h.Close()
	return f(h)
}

// quietEvents is the CLI's jobs.Emitter: a command watches its own job
// (Spec.Watch) and prints what it needs, so job events are not echoed.
type quietEvents struct{}

func (quietEvents) Emit(string, any) {}

// cmdName is a command's path without "hone ", for messages.
func cmdName(cmd *cobra.Command) string {
	return strings.TrimPrefix(cmd.CommandPath(), cmd.Root().Name()+" ")
}
