package jobs

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/hone-ai/hone/backend/store"
)

// RunChild is the child's side: it runs job id, which the parent recorded
// with its kind and spec, with the KindFunc registered for the kind; writes
// the job's progress, result and end to st itself; and sends each update to
// out as a Message line. Cancelling ctx (the child's SIGTERM) cancels the
// work. It returns an error only when the job could not be taken up; how
// the work went is in the job's row.
func RunChild(ctx context.Context, st *store.Store, kinds Kinds, id int64, out io.Writer) error {
	j, err := st.Job(ctx, id)
	if err != nil {
		return fmt.Errorf("job-run: %w", err)
	}
	if j.State != store.JobRunning {
		return fmt.Errorf("job-run: job %d is %s, not waiting to run", id, j.State)
	}
	j.PID = os.Getpid()
	t := newTracker(st, j, 200*time.Millisecond, messenger(out))
	fn, ok := kinds[j.Kind]
	if !ok {
		t.end(ctx, nil, fmt.Errorf("this Hone has no job of kind %q", j.Kind))
		return nil
	}
	res, err := fn(ctx, json.RawMessage(j.Spec), t.report)
	t.end(ctx, res, err)
	return nil
}

// messenger writes job updates to out as Messages.
func messenger(out io.Writer) func(store.Job) {
	var mu sync.Mutex
	enc := json.NewEncoder(out)
	return func(j store.Job) {
		m := Message{Type: MessageProgress, Progress: &Progress{Fraction: j.Progress, Message: j.Message, Step: j.Step, Metrics: j.Metrics}}
		if j.Ended() {
			m = Message{Type: MessageEnd, State: j.State, Error: j.Error, Result: json.RawMessage(j.Result)}
		}
		mu.Lock()
		defer mu.Unlock()
		enc.Encode(m) // a parent gone: the row is the record
	}
}
