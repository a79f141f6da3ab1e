// Package app is the Wails-bound facade over the backend: one struct per
// screen, Wails events for the UI (job updates, with their structured
// progress and results, arrive under "job"), and no logic of its own: every
// use case is a call into backend/core, the same one the command line
// (app/cli) makes.
package app

import (
	"context"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/hone-ai/hone/backend/core"
	"github.com/wailsapp/wails/v2/pkg/runtime"
)

// Events is the backend's jobs.Emitter in the window: it forwards to Wails
// events once the window has started, and drops what comes before.
type Events struct {
	mu  sync.RWMutex
	ctx context.Context
}

// Emit sends data to the UI under event.
func (e *Events) Emit(event string, data any) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	if e.ctx != nil {
		runtime.EventsEmit(e.ctx, event, data)
	}
}

func (e *Events) attach(ctx context.Context) {
	e.mu.Lock()
	e.ctx = ctx
	e.mu.Unlock()
}

// App holds the screens.
type App struct {
	events   *Events
	Shell    *Shell
	System   *System
	Plan     *Plan
	Datasets *Datasets
	Models   *Models
	Train    *Train
	Chat     *Chat
	Jobs     *Jobs
}

// New builds the screens over an opened Hone. When opening failed (openErr,
// h nil) the window still opens, to show the error: someone who started Hone
// from a desktop icon never sees a terminal.
func New(h *core.Hone, openErr error, events *Events, startupProbe bool) *App {
	shell := &Shell{h: h, openErr: openErr, started: time.Now(), startupProbe: startupProbe}
	return &App{
		events:   events,
		Shell:    shell,
		System:   &System{h: h, events: events},
		Plan:     &Plan{shell: shell, h: h},
		Datasets: &Datasets{shell: shell, h: h},
		Models:   &Models{shell: shell, h: h},
		Train:    &Train{shell: shell, h: h},
		Chat:     newChat(shell, h, events),
		Jobs:     &Jobs{h: h},
	}
}

// Bindings lists what the UI may call: only the Shell when Hone did not open.
func (a *App) Bindings() []any {
	if a.Shell.openErr != nil {
		return []any{a.Shell}
	}
	return []any{a.Shell, a.System, a.Plan, a.Datasets, a.Models, a.Train, a.Chat, a.Jobs}
}

// Startup is Wails' OnStartup.
func (a *App) Startup(ctx context.Context) {
	a.events.attach(ctx)
	a.Shell.ctx = ctx
	a.System.ctx = ctx
	// Files dropped anywhere on the window go to the UI, which shows the
	// import preview; the UI test sends the same event.
	runtime.OnFileDrop(ctx, func(_, _ int, paths []string) { a.events.Emit(DropEvent, paths) })
}

// Shutdown is Wails' OnShutdown.
func (a *App) Shutdown(context.Context) { a.System.Watch(false) }

// Shell is the window frame: what Hone is and where its data lives.
type Shell struct {
	ctx          context.Context
	h            *core.Hone
	openErr      error
	started      time.Time
	startupProbe bool
	paintOnce    sync.Once
}

// Info is what the frame shows in its footer: the doctor's report less the
// machine, which the System screen streams.
type Info struct {
	Version  string        `json:"version"`
	DataDir  string        `json:"dataDir"`
	Database core.Database `json:"database"`
}

// StartupError says why Hone could not open its data folder or database,
// and what to do; empty when it did.
func (s *Shell) StartupError() string {
	if s.openErr == nil {
		return ""
	}
	return s.openErr.Error()
}

// Info describes this Hone and its database.
func (s *Shell) Info() (Info, error) {
	db, err := s.h.DatabaseInfo(s.ctx)
	return Info{Version: s.h.Version, DataDir: s.h.DataDir, Database: db}, err
}

// Painted is called by the UI once its first screen is on screen. Under the
// startup benchmark it prints the time since start and quits.
func (s *Shell) Painted() {
	s.paintOnce.Do(func() {
		if s.startupProbe {
			fmt.Fprintf(os.Stdout, "hone: first paint after %d ms\n", time.Since(s.started).Milliseconds())
			runtime.Quit(s.ctx)
		}
	})
}
