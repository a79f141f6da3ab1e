package jobs

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"time"

	"github.com/hone-ai/hone/backend/store"
)

// Message is what a child sends its parent, one JSON object a line on its
// stdout:
//
//	{"type":"progress","progress":{"fraction":0.4,"message":"step 12 of 30","step":12,"metrics":{"loss":1.93}}}
//	{"type":"end","state":"succeeded","result":{"adapterId":3}}
//	{"type":"end","state":"failed","error":"CUDA out of memory"}
//
// The child has already written the same to the job's row; the messages
// only spare the parent from polling the database for its events.
type Message struct {
	Type     string          `json:"type"` // MessageProgress or MessageEnd
	Progress *Progress       `json:"progress,omitempty"`
	State    string          `json:"state,omitempty"` // end: succeeded, failed, cancelled
	Error    string          `json:"error,omitempty"`
	Result   json.RawMessage `json:"result,omitempty"`
}

// Message types.
const (
	MessageProgress = "progress"
	MessageEnd      = "end"
)

// StartChild records a new job with s.Input as its spec and runs it in a
// child process (Options.Child), in the background. The child runs the
// KindFunc registered for s.Kind and records the job itself; if it dies
// first, the job is failed here with the reason.
func (r *Runner) StartChild(ctx context.Context, s Spec) (int64, error) {
	if r.opts.Child == nil {
		return 0, fmt.Errorf("jobs: start %s: this Hone cannot start child processes", s.Kind)
	}
	if _, ok := r.opts.Kinds[s.Kind]; !ok {
		return 0, fmt.Errorf("jobs: start %s: no such kind of job", s.Kind)
	}
	spec, err := json.Marshal(s.Input)
	if err != nil {
		return 0, fmt.Errorf("jobs: start %s: %w", s.Kind, err)
	}
	// The row names this process until the child runs, so that no Hone
	// starting meanwhile takes the job for one of a dead process.
	j := store.Job{Kind: s.Kind, Title: s.Title, State: store.JobRunning, Spec: spec, PID: os.Getpid()}
	if err := r.st.CreateJob(ctx, &j); err != nil {
		return 0, fmt.Errorf("jobs: start %s: %w", s.Kind, err)
	}
	emit := r.emitter(s.Watch)
	emit(j)
	c, err := r.spawn(j.ID)
	if err != nil {
		r.endHere(j.ID, store.JobFailed, err.Error(), emit)
		return j.ID, fmt.Errorf("jobs: start %s: %w", s.Kind, err)
	}
	ctx, e := r.add(ctx, j.ID)
	go func() {
		defer r.finish(j.ID, e)
		r.supervise(ctx, j, c, emit)
	}()
	return j.ID, nil
}

// child is a started child process and its output.
type child struct {
	cmd    *exec.Cmd
	stdout io.ReadCloser
	stderr io.ReadCloser
}

func (r *Runner) spawn(id int64) (*child, error) {
	cmd := r.opts.Child(id)
	cmd.SysProcAttr = childAttr()
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start the child process: %w", err)
	}
	// A failed write leaves the parent's pid on the row, which is alive:
	// the job is still only ended by this process or the child.
	_ = r.st.SetJobPID(context.Background(), id, cmd.Process.Pid)
	return &child{cmd: cmd, stdout: stdout, stderr: stderr}, nil
}

// supervise forwards the child's messages as events until it exits, stops
// it when ctx is cancelled, and ends the job if the child did not.
func (r *Runner) supervise(ctx context.Context, j store.Job, c *child, emit func(store.Job)) {
	tail := make(chan string, 1)
	go func() { tail <- ReadStderr(c.stderr) }()
	exited := make(chan struct{})
	stopped := make(chan stopKind, 1)
	go func() { stopped <- r.stopOnCancel(ctx, c.cmd.Process, exited) }()

	forward(c.stdout, j, emit)
	errTail := <-tail
	c.cmd.Wait()
	close(exited)
	stop := <-stopped

	final, err := r.st.Job(context.Background(), j.ID)
	if err == nil && final.Ended() {
		emit(final) // the child recorded its end
		return
	}
	reason := exitReason(c.cmd.ProcessState, errTail)
	switch stop {
	case stopTerm:
		r.endHere(j.ID, store.JobCancelled, "cancelled; the child process "+reason, emit)
	case stopKill:
		r.endHere(j.ID, store.JobCancelled, fmt.Sprintf("cancelled; the child process did not stop within %s of SIGTERM and was killed", r.opts.Grace), emit)
	default:
		r.endHere(j.ID, store.JobFailed, "the child process "+reason, emit)
	}
}

// endHere ends a job the child could not end, and emits the final row.
func (r *Runner) endHere(id int64, state, reason string, emit func(store.Job)) {
	ctx := context.Background()
	if _, err := r.st.EndJob(ctx, id, state, reason); err != nil {
		emit(store.Job{ID: id, State: state, Error: reason + " (not recorded: " + err.Error() + ")"})
		return
	}
	if j, err := r.st.Job(ctx, id); err == nil {
		emit(j)
	}
}

// stopKind is how a child was stopped.
type stopKind int

const (
	stopNone stopKind = iota // it exited by itself
	stopTerm                 // cancelled: sent SIGTERM
	stopKill                 // cancelled, and killed after the grace period
)

// stopOnCancel sends SIGTERM when ctx is cancelled, then SIGKILL if the
// child has not exited after the grace period.
func (r *Runner) stopOnCancel(ctx context.Context, p *os.Process, exited <-chan struct{}) stopKind {
	select {
	case <-exited:
		return stopNone
	case <-ctx.Done():
	}
	if err := terminate(p); err != nil {
		p.Kill()
		return stopKill
	}
	t := time.NewTimer(r.opts.Grace)
	defer t.Stop()
	select {
	case <-exited:
		return stopTerm
	case <-t.C:
		p.Kill()
		return stopKill
	}
}

// forward applies the child's messages to j and emits each update; lines
// that are not messages are ignored. It returns when stdout closes.
func forward(stdout io.Reader, j store.Job, emit func(store.Job)) {
	sc := bufio.NewScanner(stdout)
	sc.Buffer(make([]byte, 64<<10), 4<<20)
	for sc.Scan() {
		var m Message
		// An end message needs nothing here: the row is the record, and
		// supervise emits it once the child has exited.
		if json.Unmarshal(sc.Bytes(), &m) != nil || m.Type != MessageProgress || m.Progress == nil {
			continue
		}
		p := m.Progress
		j.Progress, j.Message = p.Fraction, p.Message
		if p.Step > 0 {
			j.Step = p.Step
		}
		if p.Metrics != nil {
			j.Metrics = p.Metrics
		}
		emit(j)
	}
	io.Copy(io.Discard, stdout) // a line over the limit: drain, so the child never blocks
}

// ReadStderr returns what best explains a crash from the child's stderr: a
// Go panic or fatal error with the frames after it, else the last lines.
func ReadStderr(r io.Reader) string {
	const keep = 6
	var last, crash []string
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := strings.TrimRight(sc.Text(), " \t\r")
		if len(line) > 300 {
			line = line[:300] + "…"
		}
		if line == "" {
			continue
		}
		switch {
		case crash == nil && isCrash(line):
			crash = []string{line}
		case crash != nil && len(crash) < keep:
			crash = append(crash, line)
		}
		last = append(last, line)
		if len(last) > keep {
			last = last[1:]
		}
	}
	io.Copy(io.Discard, r)
	if crash != nil {
		return strings.Join(crash, "\n")
	}
	return strings.Join(last, "\n")
}

func isCrash(line string) bool {
	for _, p := range []string{"panic: ", "fatal error: ", "SIGSEGV", "SIGBUS", "SIGILL", "SIGFPE", "SIGABRT"} {
		if strings.HasPrefix(line, p) {
			return true
		}
	}
	return false
}

// exitReason says how a child that did not end its job exited.
func exitReason(ps *os.ProcessState, stderr string) string {
	reason := "exited without ending the job"
	if ps == nil {
		reason = "could not be waited for"
	} else if sig, ok := signalled(ps); ok {
		reason = "was killed by " + sig
	} else if code := ps.ExitCode(); code != 0 {
		reason = fmt.Sprintf("exited with status %d", code)
	}
	if stderr != "" {
		reason += ": " + stderr
	}
	return reason
}
