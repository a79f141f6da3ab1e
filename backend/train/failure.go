package train

import (
	"errors"
	"fmt"
	"syscall"
)

// Failure is a run that stopped for a reason the user can act on: what
// happened, what to try, and the spec with that suggestion applied (nil
// when no setting would help), which the window offers as a retry.
type Failure struct {
	Reason     string `json:"reason"`
	Suggestion string `json:"suggestion"`
	Retry      *Spec  `json:"retry,omitempty"`
	err        error
}

func (f *Failure) Error() string {
	if f.Suggestion == "" {
		return f.Reason
	}
	return f.Reason + ". " + f.Suggestion
}

func (f *Failure) Unwrap() error { return f.err }

// ErrStopped is returned by a run the user paused or cancelled, after its
// last checkpoint was written: it resumes from there.
var ErrStopped = errors.New("train: stopped")

// diverged is the failure of a loss or gradient norm that is no longer a
// number: the learning rate is the usual cause.
func diverged(s Spec, what string, step int, v float64) *Failure {
	retry := s
	retry.LR = s.LR / 10
	if retry.MaxGradNorm == 0 {
		retry.MaxGradNorm = 1
	}
	return &Failure{
		Reason:     fmt.Sprintf("the %s became %g at step %d: training diverged; the last good checkpoint is kept", what, v, step),
		Suggestion: fmt.Sprintf("lower the learning rate (try %.3g) and keep gradient clipping on", retry.LR),
		Retry:      &retry,
	}
}

// writeFailed is the failure of a checkpoint or adapter that could not be
// written; a full disk says so.
func writeFailed(s Spec, what string, err error) *Failure {
	if errors.Is(err, syscall.ENOSPC) {
		return &Failure{Reason: fmt.Sprintf("the disk holding %s is full: %s could not be written", s.OutDir, what),
			Suggestion: "free some space there or choose another output folder, then resume: the last complete checkpoint is kept", err: err}
	}
	return &Failure{Reason: fmt.Sprintf("%s could not be written: %v", what, err),
		Suggestion: "check the output folder's permissions and free space, then resume", err: err}
}

// OutOfMemory is the failure of a run whose process ran out of memory (the
// parent sees the child die; backend/core builds the message from here).
func OutOfMemory(s Spec) *Failure {
	retry := s
	hint := ""
	switch {
	case s.MicroBatch > 1:
		retry.MicroBatch = s.MicroBatch / 2
		retry.GradAccum = s.GradAccum * 2
		hint = fmt.Sprintf("micro-batch %d with accumulation %d (the same batch in less memory)", retry.MicroBatch, retry.GradAccum)
	case !s.Checkpointing:
		retry.Checkpointing = true
		hint = "activation checkpointing (a third more compute, a fraction of the activations)"
	case s.Method == MethodLoRA:
		retry.Method = MethodQLoRA
		hint = "QLoRA (the base in 4 bits)"
	case s.SeqLen > 256:
		retry.SeqLen = s.SeqLen / 2
		hint = fmt.Sprintf("sequence length %d", retry.SeqLen)
	default:
		return &Failure{Reason: "the run ran out of memory", Suggestion: "close other programs or use a smaller model"}
	}
	return &Failure{Reason: "the run ran out of memory", Suggestion: "try " + hint, Retry: &retry}
}
