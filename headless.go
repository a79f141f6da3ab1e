//go:build !dev && !production && !bindings

package main

import (
	"context"

	"github.com/hone-ai/hone/app/cli"
	"github.com/hone-ai/hone/backend/core"
)

// runDesktop in the headless build: this binary links no GTK or WebKit, for
// servers and rented GPUs.
func runDesktop(context.Context, core.Options) error { return cli.ErrNoWindow }
