//go:build dev || production || bindings

package main

import (
	"context"
	"embed"

	"github.com/hone-ai/hone/app"
	"github.com/hone-ai/hone/backend/core"
	"github.com/wailsapp/wails/v2"
	"github.com/wailsapp/wails/v2/pkg/options"
	"github.com/wailsapp/wails/v2/pkg/options/assetserver"
)

//go:embed all:frontend/dist
var assets embed.FS

// runDesktop opens the window. The data folder and database are opened
// first; if that fails the window shows why, and the error (and its exit
// code) is returned when the window closes.
func runDesktop(ctx context.Context, opts core.Options) error {
	events := &app.Events{}
	opts.Events = events
	var h *core.Hone
	var openErr error
	if !generatingBindings {
		if h, openErr = core.Open(ctx, opts); openErr == nil {
			defer h.Close()
		}
	}
	a := app.New(h, openErr, events, getenvProbe(opts))
	err := wails.Run(&options.App{
		Title:            "Hone",
		Width:            1200,
		Height:           780,
		MinWidth:         900,
		MinHeight:        600,
		AssetServer:      &assetserver.Options{Assets: assets},
		BackgroundColour: &options.RGBA{R: 17, G: 19, B: 24, A: 255},
		DragAndDrop:      &options.DragAndDrop{EnableFileDrop: true},
		OnStartup:        a.Startup,
		OnShutdown:       a.Shutdown,
		Bind:             a.Bindings(),
	})
	if openErr != nil {
		return openErr
	}
	return err
}

// getenvProbe reads HONE_STARTUP_PROBE: the startup benchmark sets it to have
// the app print when the first screen is painted, then quit.
func getenvProbe(opts core.Options) bool { return opts.Getenv("HONE_STARTUP_PROBE") != "" }
