//go:build !dev && !production && !bindings

package main

import (
	"context"

	"github.com/hone-ai/hone/backend/core"
)

// runDesktop in the headless build: this binary links no GTK or WebKit, for
// servers and rented GPUs.
func runDesktop(context.Context, core.Options) error {
	return usageError{"this is the headless build of Hone: it has no window. Run a command (hone help), or build the desktop app with `make build`"}
}
