package store

import (
	"context"
	"time"
)

// Job states. A job left "running" by a process that died becomes
// "interrupted" the next time Hone starts.
const (
	JobRunning     = "running"
	JobSucceeded   = "succeeded"
	JobFailed      = "failed"
	JobCancelled   = "cancelled"
	JobInterrupted = "interrupted"
)

// Job is one long piece of work: an import, a training run, an evaluation.
type Job struct {
	ID         int64      `json:"id" gorm:"primaryKey"`
	Kind       string     `json:"kind"`
	Title      string     `json:"title"`
	State      string     `json:"state"`
	Progress   float64    `json:"progress"` // 0..1
	Message    string     `json:"message"`
	Error      string     `json:"error"`
	CreatedAt  time.Time  `json:"createdAt"`
	UpdatedAt  time.Time  `json:"updatedAt"`
	FinishedAt *time.Time `json:"finishedAt"`
}

// CreateJob inserts j and sets its ID.
func (s *Store) CreateJob(ctx context.Context, j *Job) error {
	return s.DB.WithContext(ctx).Create(j).Error
}

// SaveJob writes every field of j.
func (s *Store) SaveJob(ctx context.Context, j *Job) error {
	return s.DB.WithContext(ctx).Save(j).Error
}

// Job reads one job.
func (s *Store) Job(ctx context.Context, id int64) (Job, error) {
	var j Job
	err := s.DB.WithContext(ctx).First(&j, id).Error
	return j, err
}

// Jobs lists the newest jobs first.
func (s *Store) Jobs(ctx context.Context, limit int) ([]Job, error) {
	var js []Job
	err := s.DB.WithContext(ctx).Order("id DESC").Limit(limit).Find(&js).Error
	return js, err
}

// InterruptRunningJobs marks jobs that a previous process left running.
func (s *Store) InterruptRunningJobs(ctx context.Context) (int64, error) {
	now := time.Now().UTC()
	res := s.DB.WithContext(ctx).Model(&Job{}).Where("state = ?", JobRunning).Updates(map[string]any{
		"state": JobInterrupted, "message": "Hone stopped while this job ran", "updated_at": now, "finished_at": now,
	})
	return res.RowsAffected, res.Error
}
