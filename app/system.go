package app

import (
	"context"
	"sync"
	"time"

	"github.com/hone-ai/hone/backend/core"
	"github.com/hone-ai/hone/backend/hw"
)

// ReportEvent carries a fresh hw.Report every second while the System
// screen watches.
const ReportEvent = "system:report"

// System is the System screen: the machine, live.
type System struct {
	ctx    context.Context
	h      *core.Hone
	events *Events

	mu   sync.Mutex
	stop context.CancelFunc
}

// Report reads the machine now, as `hone doctor` does.
func (s *System) Report() (hw.Report, error) { return s.h.Prober.Probe(s.ctx) }

// Watch starts (on) or stops the one-second telemetry stream. The screen
// watches only while it is visible, so a hidden screen costs nothing.
func (s *System) Watch(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stop != nil {
		s.stop()
		s.stop = nil
	}
	if !on {
		return
	}
	ctx, cancel := context.WithCancel(s.ctx)
	s.stop = cancel
	go s.h.Prober.Watch(ctx, time.Second, func(r hw.Report) { s.events.Emit(ReportEvent, r) })
}
