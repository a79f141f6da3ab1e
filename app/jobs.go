package app

import (
	"context"

	"github.com/hone-ai/hone/backend/core"
	"github.com/hone-ai/hone/backend/store"
)

// Jobs lists and cancels background work; updates arrive as "job" events.
type Jobs struct {
	h *core.Hone
}

// List returns the newest jobs first.
func (j *Jobs) List(limit int) ([]store.Job, error) {
	return j.h.Jobs.List(context.Background(), limit)
}

// Cancel stops a running job.
func (j *Jobs) Cancel(id int64) error { return j.h.Jobs.Cancel(id) }
