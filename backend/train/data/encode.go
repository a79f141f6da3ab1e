package data

import (
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/hone-ai/hone/backend/dataset"
	"github.com/hone-ai/hone/backend/dataset/parse"
	"github.com/hone-ai/hone/backend/tokenizer"
)

// What Options.TooLong does with a sequence longer than Options.SeqLen.
const (
	Truncate = "truncate" // keep its first SeqLen tokens (the default)
	Drop     = "drop"     // leave the example out
)

// Why an example was left out (Stats.Dropped keys, DropError.Reason).
const (
	DropTooLong      = "too long"                   // TooLong is Drop and the sequence is longer than SeqLen
	DropNoTargetLeft = "no target after truncation" // the answer starts past SeqLen
	DropNoTarget     = "no target"                  // nothing to learn, e.g. a one-token text
)

// ErrDropped is what a DropError is: an example left out on purpose, and
// counted in Stats; the trainer skips it and goes on.
var ErrDropped = errors.New("example left out")

// DropError says which example was left out and why.
type DropError struct {
	Example string // as errors name it: "dataset 7, example 12 (line 13)"
	Reason  string // one of the Drop* reasons
}

func (e *DropError) Error() string   { return e.Example + ": left out: " + e.Reason }
func (e *DropError) Is(t error) bool { return t == ErrDropped }

// Options steer encoding.
type Options struct {
	// SeqLen is the most tokens a sequence may have (at most the packer's
	// row length T); 0 means no limit.
	SeqLen int
	// TooLong is Truncate (the default when empty) or Drop.
	TooLong string
	// AllTokens makes every token a target, prompts and template included.
	AllTokens bool
	// Template holds extra chat-template variables (enable_thinking, ...).
	Template map[string]any
	// Now is the time a template's strftime_now sees (Llama 3.x writes
	// today's date into its system prompt). Zero: the time NewEncoder ran.
	// A resumed run must pass the first run's Now to get the same tokens.
	Now time.Time
}

// Sequence is one encoded example.
type Sequence struct {
	Tokens []int32
	// Loss[i]: token i is a target (predicting it from token i-1 counts).
	// Loss[0] is always false.
	Loss    []bool
	Example int64 // the dataset example's id (dataset.Example.ID)
}

// Targets is the number of target tokens (token 0 never is one: nothing
// predicts it).
func (s Sequence) Targets() int {
	n := 0
	for _, l := range s.Loss[min(1, len(s.Loss)):] {
		if l {
			n++
		}
	}
	return n
}

// Stats describe an encoding run, for the run's report.
type Stats struct {
	Examples        int            `json:"examples"`        // examples given to Encode (failed ones excluded)
	Sequences       int            `json:"sequences"`       // kept
	Tokens          int64          `json:"tokens"`          // of the kept sequences
	TargetTokens    int64          `json:"targetTokens"`    // of the kept sequences
	Truncated       int            `json:"truncated"`       // kept, cut to SeqLen
	TruncatedTokens int64          `json:"truncatedTokens"` // tokens cut off them
	Dropped         map[string]int `json:"dropped"`         // examples left out, by reason
}

// Encoder turns examples into sequences. It is safe for concurrent use.
type Encoder struct {
	tok  *tokenizer.Tokenizer
	tmpl *tokenizer.ChatTemplate
	o    Options
	err  error // a bad option, returned by every Encode

	mu    sync.Mutex
	stats Stats
}

// NewEncoder makes an encoder for a model's tokenizer and chat template
// (nil for a model without one: see the package comment for the plain
// format used then).
func NewEncoder(tok *tokenizer.Tokenizer, tmpl *tokenizer.ChatTemplate, o Options) *Encoder {
	e := &Encoder{tok: tok, tmpl: tmpl, o: o, stats: Stats{Dropped: map[string]int{}}}
	if e.o.TooLong == "" {
		e.o.TooLong = Truncate
	}
	if e.o.Now.IsZero() {
		e.o.Now = time.Now()
	}
	switch {
	case tok == nil:
		e.err = errors.New("encoder: no tokenizer")
	case e.o.TooLong != Truncate && e.o.TooLong != Drop:
		e.err = fmt.Errorf("encoder: too-long policy %q: want %q or %q", o.TooLong, Truncate, Drop)
	case e.o.SeqLen < 0:
		e.err = fmt.Errorf("encoder: sequence length %d: want 0 (no limit) or more", o.SeqLen)
	}
	return e
}

// HasTemplate is false when the model has no chat template and examples
// get the plain format, which a base model has never seen.
func (e *Encoder) HasTemplate() bool { return e.tmpl != nil }

// Options returns the options in use, defaults filled in (Now included:
// keep it with a checkpoint).
func (e *Encoder) Options() Options { return e.o }

// Stats returns the counts so far.
func (e *Encoder) Stats() Stats {
	e.mu.Lock()
	defer e.mu.Unlock()
	s := e.stats
	s.Dropped = make(map[string]int, len(e.stats.Dropped))
	for k, v := range e.stats.Dropped {
		s.Dropped[k] = v
	}
	return s
}

// Encode renders and tokenises one example. An example left out on
// purpose (too long, no target) returns a *DropError (errors.Is ErrDropped)
// and is counted; any other error names the example and what is wrong.
func (e *Encoder) Encode(ex dataset.Example) (Sequence, error) {
	if e.err != nil {
		return Sequence{}, e.err
	}
	segs, err := e.segments(ex)
	if err != nil {
		return Sequence{}, fmt.Errorf("%s: %w", name(ex), err)
	}
	seq := assemble(segs.list, e.o.AllTokens)
	seq.Example = ex.ID
	cut := 0
	if n := len(seq.Tokens); e.o.SeqLen > 0 && n > e.o.SeqLen {
		if e.o.TooLong == Drop {
			return Sequence{}, e.drop(ex, DropTooLong)
		}
		cut = n - e.o.SeqLen
		seq.Tokens, seq.Loss = seq.Tokens[:e.o.SeqLen], seq.Loss[:e.o.SeqLen]
	}
	targets := seq.Targets()
	switch {
	case targets == 0 && cut > 0:
		return Sequence{}, e.drop(ex, DropNoTargetLeft)
	case targets == 0:
		return Sequence{}, e.drop(ex, DropNoTarget)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.stats.Examples++
	e.stats.Sequences++
	e.stats.Tokens += int64(len(seq.Tokens))
	e.stats.TargetTokens += int64(targets)
	if cut > 0 {
		e.stats.Truncated++
		e.stats.TruncatedTokens += int64(cut)
	}
	return seq, nil
}

func (e *Encoder) drop(ex dataset.Example, reason string) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.stats.Examples++
	e.stats.Dropped[reason]++
	return &DropError{Example: name(ex), Reason: reason}
}

// segment is a run of tokens that are all targets or none.
type segment struct {
	ids    []int
	target bool
}

// segmented is an example cut into segments, with where its last answer
// starts (-1: no answer) and whether the segments before it are exactly
// the tokens of the generation prompt (see Prompt).
type segmented struct {
	list        []segment
	last        int
	exactPrompt bool
}

// segments dispatches on the example's kind.
func (e *Encoder) segments(ex dataset.Example) (segmented, error) {
	msgs, err := conversation(ex)
	if err != nil {
		return segmented{}, err
	}
	switch {
	case ex.Text:
		return e.text(msgs), nil
	case e.tmpl == nil:
		return e.plain(msgs), nil
	}
	return e.templated(msgs)
}

// assemble concatenates segments into a sequence; without allTokens the
// tokens after the last target are cut, as they predict nothing.
func assemble(segs []segment, allTokens bool) Sequence {
	var s Sequence
	for _, sg := range segs {
		for _, id := range sg.ids {
			s.Tokens = append(s.Tokens, int32(id))
			s.Loss = append(s.Loss, sg.target || allTokens)
		}
	}
	if len(s.Loss) > 0 {
		s.Loss[0] = false
	}
	if !allTokens {
		n := len(s.Loss)
		for n > 0 && !s.Loss[n-1] {
			n--
		}
		s.Tokens, s.Loss = s.Tokens[:n], s.Loss[:n]
	}
	return s
}

// conversation is the example's messages, with its label as the answer
// when it has no assistant turn (a classification example).
func conversation(ex dataset.Example) ([]parse.Message, error) {
	if len(ex.Messages) == 0 {
		return nil, errors.New("no messages")
	}
	for _, m := range ex.Messages {
		switch m.Role {
		case "system", "user", "assistant":
		default:
			return nil, fmt.Errorf("role %q: want system, user or assistant", m.Role)
		}
		if m.Role == "assistant" {
			return ex.Messages, nil
		}
	}
	if ex.Label == "" {
		return nil, errors.New("no assistant turn and no label: nothing to learn")
	}
	return append(append([]parse.Message{}, ex.Messages...), parse.Message{Role: "assistant", Content: ex.Label}), nil
}

// name is how errors name an example.
func name(ex dataset.Example) string {
	if ex.ID == 0 {
		if ex.Line > 0 {
			return fmt.Sprintf("example at line %d", ex.Line)
		}
		return "example"
	}
	s := fmt.Sprintf("dataset %d, example %d", ex.ID>>32, ex.ID&(1<<32-1))
	if ex.Line > 0 {
		s += fmt.Sprintf(" (line %d)", ex.Line)
	}
	return s
}
