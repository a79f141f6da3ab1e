package store

import (
	"context"
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"time"

	"gorm.io/gorm/clause"
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
// Progress, Message, Step and Metrics are the latest report; Result is what
// a finished job made (a dataset id, an adapter, final metrics), as JSON.
type Job struct {
	ID       int64   `json:"id" gorm:"primaryKey"`
	Kind     string  `json:"kind"`
	Title    string  `json:"title"`
	State    string  `json:"state"`
	Progress float64 `json:"progress"` // 0..1
	Message  string  `json:"message"`
	Error    string  `json:"error"`
	// Step counts the work's own units (training steps); 0 when it has none.
	Step    int64   `json:"step"`
	Metrics Metrics `json:"metrics,omitempty"`
	Result  JSON    `json:"result,omitempty" ts_type:"any"`
	// Spec is the input of a job run in a child process: the child reads it
	// from here, so the parent passes only the job's id.
	Spec JSON `json:"-"`
	// PID is the process doing the work: the app for a job in process, the
	// child for one in a child process. A running job whose process is gone
	// was interrupted.
	PID        int        `json:"pid" gorm:"column:pid"`
	CreatedAt  time.Time  `json:"createdAt"`
	UpdatedAt  time.Time  `json:"updatedAt"`
	FinishedAt *time.Time `json:"finishedAt"`
}

// Ended reports whether the job has finished, one way or another.
func (j Job) Ended() bool { return j.State != JobRunning }

// JSON is a JSON document kept as text in a column; empty is no document.
type JSON []byte

// Value stores the document as text, so that SQLite's json functions read it.
func (j JSON) Value() (driver.Value, error) { return string(j), nil }

// Scan reads a text or blob column.
func (j *JSON) Scan(v any) error {
	switch v := v.(type) {
	case nil:
		*j = nil
	case string:
		*j = JSON(v)
	case []byte:
		*j = append(JSON(nil), v...)
	default:
		return fmt.Errorf("store: JSON column holds %T", v)
	}
	return nil
}

// MarshalJSON writes the document itself (null when empty).
func (j JSON) MarshalJSON() ([]byte, error) {
	if len(j) == 0 {
		return []byte("null"), nil
	}
	return j, nil
}

// UnmarshalJSON keeps the document as it is.
func (j *JSON) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*j = nil
		return nil
	}
	*j = append(JSON(nil), b...)
	return nil
}

// Metrics are named numbers a job reports: loss, learning rate, tokens/s.
type Metrics map[string]float64

// Value stores the metrics as a JSON object ("" when none).
func (m Metrics) Value() (driver.Value, error) {
	if len(m) == 0 {
		return "", nil
	}
	b, err := json.Marshal(map[string]float64(m))
	return string(b), err
}

// Scan reads what Value wrote.
func (m *Metrics) Scan(v any) error {
	var j JSON
	if err := j.Scan(v); err != nil {
		return err
	}
	*m = nil
	if len(j) == 0 {
		return nil
	}
	return json.Unmarshal(j, (*map[string]float64)(m))
}

// JobMetric is one step's metrics, kept for the job's charts.
type JobMetric struct {
	JobID     int64     `json:"jobId" gorm:"primaryKey"`
	Step      int64     `json:"step" gorm:"primaryKey"`
	Metrics   Metrics   `json:"metrics"`
	CreatedAt time.Time `json:"createdAt"`
}

// CreateJob inserts j and sets its ID.
func (s *Store) CreateJob(ctx context.Context, j *Job) error {
	return s.DB.WithContext(ctx).Create(j).Error
}

// SaveJob writes every field of j.
func (s *Store) SaveJob(ctx context.Context, j *Job) error {
	return s.DB.WithContext(ctx).Save(j).Error
}

// SetJobPID records which process runs a job.
func (s *Store) SetJobPID(ctx context.Context, id int64, pid int) error {
	return s.DB.WithContext(ctx).Model(&Job{}).Where("id = ?", id).Update("pid", pid).Error
}

// EndJob ends a job that is still running with state and reason (the error
// of a failed job, the message of another); false when it had already ended.
func (s *Store) EndJob(ctx context.Context, id int64, state, reason string) (bool, error) {
	now := time.Now().UTC()
	field := "message"
	if state == JobFailed {
		field = "error"
	}
	res := s.DB.WithContext(ctx).Model(&Job{}).Where("id = ? AND state = ?", id, JobRunning).
		Updates(map[string]any{"state": state, field: reason, "updated_at": now, "finished_at": now})
	return res.RowsAffected > 0, res.Error
}

// AddJobMetrics records steps' metrics; a step recorded twice keeps the latest.
func (s *Store) AddJobMetrics(ctx context.Context, ms []JobMetric) error {
	if len(ms) == 0 {
		return nil
	}
	return s.DB.WithContext(ctx).Clauses(clause.OnConflict{UpdateAll: true}).Create(&ms).Error
}

// JobMetrics lists a job's per-step metrics in step order.
func (s *Store) JobMetrics(ctx context.Context, id int64) ([]JobMetric, error) {
	var ms []JobMetric
	err := s.DB.WithContext(ctx).Where("job_id = ?", id).Order("step").Find(&ms).Error
	return ms, err
}

// Job reads one job.
func (s *Store) Job(ctx context.Context, id int64) (Job, error) { return byID[Job](ctx, s, "job", id) }

// Jobs lists the newest jobs first.
func (s *Store) Jobs(ctx context.Context, limit int) ([]Job, error) {
	var js []Job
	err := s.DB.WithContext(ctx).Order("id DESC").Limit(limit).Find(&js).Error
	return js, err
}

// InterruptRunningJobs marks the running jobs whose process is gone: one
// that is not alive, this process's own pid (a previous Hone that had it,
// as happens in a container where Hone is always pid 1), or none recorded.
// Jobs of a live Hone (the window while a command runs, a child) are kept.
func (s *Store) InterruptRunningJobs(ctx context.Context, self int, alive func(pid int) bool) (int64, error) {
	var running []Job
	if err := s.DB.WithContext(ctx).Where("state = ?", JobRunning).Find(&running).Error; err != nil {
		return 0, err
	}
	var n int64
	for _, j := range running {
		if j.PID != 0 && j.PID != self && alive(j.PID) {
			continue
		}
		ok, err := s.EndJob(ctx, j.ID, JobInterrupted, "Hone stopped while this job ran")
		if err != nil {
			return n, err
		}
		if ok {
			n++
		}
	}
	return n, nil
}

// LiveJobs counts running jobs of other live processes.
func (s *Store) LiveJobs(ctx context.Context, self int, alive func(pid int) bool) (int, error) {
	var running []Job
	if err := s.DB.WithContext(ctx).Where("state = ?", JobRunning).Find(&running).Error; err != nil {
		return 0, err
	}
	n := 0
	for _, j := range running {
		if j.PID != 0 && j.PID != self && alive(j.PID) {
			n++
		}
	}
	return n, nil
}
