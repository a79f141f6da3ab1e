package store

import (
	"context"
	"time"

	"gorm.io/gorm/clause"
)

// Run states. A run is resumable unless it succeeded: paused by the user,
// cancelled, failed or interrupted, it continues from its last checkpoint.
const (
	RunRunning     = "running"
	RunPaused      = "paused"
	RunSucceeded   = "succeeded"
	RunFailed      = "failed"
	RunCancelled   = "cancelled"
	RunInterrupted = "interrupted"
)

// Run is a training run: its spec (backend/train.Spec as JSON), where its
// checkpoints and adapter go, how far it got, and why it stopped.
type Run struct {
	ID         int64  `json:"id" gorm:"primaryKey"`
	Name       string `json:"name"`
	State      string `json:"state"`
	Spec       JSON   `json:"spec" ts_type:"any"`
	JobID      *int64 `json:"jobId"` // the job running it now, or that ran it last
	OutDir     string `json:"outDir"`
	Step       int64  `json:"step"`
	TotalSteps int64  `json:"totalSteps"`
	// Summary is what the run learnt about itself: data statistics,
	// pre-flight measurements, warnings, final metrics (JSON).
	Summary    JSON      `json:"summary" ts_type:"any"`
	Error      string    `json:"error"`
	Suggestion string    `json:"suggestion"`
	CreatedAt  time.Time `json:"createdAt"`
	UpdatedAt  time.Time `json:"updatedAt"`
}

// RunMetric is one optimizer step's metrics of a run.
type RunMetric struct {
	RunID   int64   `json:"runId" gorm:"primaryKey"`
	Step    int64   `json:"step" gorm:"primaryKey"`
	Metrics Metrics `json:"metrics"`
}

// Adapter is a trained adapter and its contract (JSON: the base model and
// its sha256, architecture, method, rank, targets, chat template, stop
// tokens, dataset, hyperparameters, Hone version), which chat, evaluation
// and export check against.
type Adapter struct {
	ID        int64     `json:"id" gorm:"primaryKey"`
	Name      string    `json:"name"`
	RunID     *int64    `json:"runId"`
	Path      string    `json:"path"`
	Contract  JSON      `json:"contract" ts_type:"any"`
	Metrics   Metrics   `json:"metrics"`
	CreatedAt time.Time `json:"createdAt"`
}

// CreateRun inserts r and sets its ID.
func (s *Store) CreateRun(ctx context.Context, r *Run) error {
	return s.DB.WithContext(ctx).Create(r).Error
}

// UpdateRun writes the given columns of run id.
func (s *Store) UpdateRun(ctx context.Context, id int64, fields map[string]any) error {
	return updateByID[Run](ctx, s, "run", id, fields)
}

// Run reads one run.
func (s *Store) Run(ctx context.Context, id int64) (Run, error) { return byID[Run](ctx, s, "run", id) }

// Runs lists the runs, newest first.
func (s *Store) Runs(ctx context.Context) ([]Run, error) {
	var rs []Run
	err := s.DB.WithContext(ctx).Order("id DESC").Find(&rs).Error
	return rs, err
}

// DeleteRun deletes a run and its metrics (its adapters stay, unlinked).
func (s *Store) DeleteRun(ctx context.Context, id int64) error {
	return s.DB.WithContext(ctx).Delete(&Run{}, id).Error
}

// AddRunMetrics records steps' metrics; a step recorded again (after a
// resume repeats it) keeps the latest.
func (s *Store) AddRunMetrics(ctx context.Context, ms []RunMetric) error {
	if len(ms) == 0 {
		return nil
	}
	return s.DB.WithContext(ctx).Clauses(clause.OnConflict{UpdateAll: true}).Create(&ms).Error
}

// TrimRunMetrics drops a run's metrics after step: what a run that died
// recorded past the checkpoint it resumes from.
func (s *Store) TrimRunMetrics(ctx context.Context, id, step int64) error {
	return s.DB.WithContext(ctx).Where("run_id = ? AND step > ?", id, step).Delete(&RunMetric{}).Error
}

// RunMetrics lists a run's per-step metrics in step order.
func (s *Store) RunMetrics(ctx context.Context, id int64) ([]RunMetric, error) {
	var ms []RunMetric
	err := s.DB.WithContext(ctx).Where("run_id = ?", id).Order("step").Find(&ms).Error
	return ms, err
}

// CreateAdapter records a trained adapter and sets its ID.
func (s *Store) CreateAdapter(ctx context.Context, a *Adapter) error {
	return s.DB.WithContext(ctx).Create(a).Error
}

// Adapters lists the adapters, newest first.
func (s *Store) Adapters(ctx context.Context) ([]Adapter, error) {
	var as []Adapter
	err := s.DB.WithContext(ctx).Order("id DESC").Find(&as).Error
	return as, err
}
