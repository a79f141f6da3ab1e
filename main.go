// Command hone is the Hone desktop app and its command line. With no command
// it opens the window (in the desktop build: desktop.go; the headless build
// has none: headless.go); the commands are the table in app/cli.
package main

import (
	"context"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/hone-ai/hone/app/cli"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	// SIGTERM cancels the command's context: a job's child process stops
	// its work this way when the job is cancelled.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr, os.Getenv)
	stop()
	os.Exit(code)
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) int {
	return cli.Run(ctx, args, cli.Env{Stdout: stdout, Stderr: stderr, Getenv: getenv, Version: version, Window: runDesktop})
}
