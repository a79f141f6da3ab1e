package infer

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"sort"
	"time"

	"github.com/hone-ai/hone/backend/engine"
)

// job is one request from Generate to its last event.
type job struct {
	ctx       context.Context
	adapter   *resident // nil: the base
	prompt    []int
	max       int // answer tokens at most
	out       chan Event
	sampler   *Sampler
	detok     *Detokenizer
	stop      *StopMatcher
	seed      uint64
	cache     *engine.Cache
	fed       int  // prompt tokens already in the cache
	next      int  // the token to feed next, once the prompt is in
	made      int  // answer tokens made
	stopped   bool // a stop string completed: what it held back is dropped
	ignoreEOS bool
	start     time.Time
	first     time.Time
}

// Generate checks r, renders its prompt and queues it; the loop streams its
// events. The channel is buffered for the whole answer, so a slow reader
// never holds up the batch.
func (e *Engine) Generate(ctx context.Context, r Request) (<-chan Event, error) {
	j, err := e.newJob(ctx, r)
	if err != nil {
		return nil, err
	}
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		return nil, fmt.Errorf("infer: the engine is closed")
	}
	out := j.out // the loop may finish j as soon as it is queued
	e.waiting = append(e.waiting, j)
	e.mu.Unlock()
	select {
	case e.wake <- struct{}{}:
	default:
	}
	return out, nil
}

func (e *Engine) newJob(ctx context.Context, r Request) (*job, error) {
	j := &job{ctx: ctx, start: time.Now()}
	if r.Adapter != "" && r.Adapter != e.name {
		e.mu.Lock()
		j.adapter = e.adapters[r.Adapter]
		e.mu.Unlock()
		if j.adapter == nil {
			return nil, NotFound(r.Adapter)
		}
	}
	if r.MaxTokens < 0 {
		return nil, Errorf("invalid_value", "max_tokens", "max_tokens %d: want 0 (until the context is full) or more", r.MaxTokens)
	}
	if err := checkSampling(r.Sampling); err != nil {
		return nil, err
	}
	prompt, err := e.prompt(r)
	if err != nil {
		return nil, err
	}
	if len(prompt) == 0 {
		return nil, Errorf("invalid_value", "prompt", "the prompt is empty")
	}
	room := e.o.Context - len(prompt)
	if room < 1 {
		return nil, &Error{Status: 400, Type: "invalid_request_error", Code: "context_length_exceeded", Param: "messages",
			Message: fmt.Sprintf("The prompt is %d tokens; this model's context is %d, which leaves no room for an answer", len(prompt), e.o.Context)}
	}
	j.prompt, j.max = prompt, room
	if r.MaxTokens > 0 {
		j.max = min(r.MaxTokens, room)
	}
	if r.Seed != nil {
		j.seed = *r.Seed
	} else {
		var b [8]byte
		_, _ = rand.Read(b[:])
		j.seed = binary.LittleEndian.Uint64(b[:])
	}
	j.sampler = NewSampler(r.Sampling, j.seed, prompt)
	j.detok = NewDetokenizer(e.tok.Decode)
	j.stop = NewStopMatcher(r.Stop)
	j.ignoreEOS = r.IgnoreEOS
	j.out = make(chan Event, j.max+2)
	return j, nil
}

// checkSampling refuses settings no sampler can honour.
func checkSampling(s Sampling) error {
	switch {
	case s.Temperature < 0 || s.Temperature > 100:
		return Errorf("invalid_value", "temperature", "temperature %g: want 0 (greedy) to 2", s.Temperature)
	case s.TopP < 0 || s.TopP > 1:
		return Errorf("invalid_value", "top_p", "top_p %g: want (0, 1]", s.TopP)
	case s.TopK < 0:
		return Errorf("invalid_value", "top_k", "top_k %d: want 0 (off) or more", s.TopK)
	case s.MinP < 0 || s.MinP > 1:
		return Errorf("invalid_value", "min_p", "min_p %g: want [0, 1]", s.MinP)
	case s.RepetitionPenalty < 0:
		return Errorf("invalid_value", "repetition_penalty", "repetition_penalty %g: want > 0 (1: off)", s.RepetitionPenalty)
	case s.FrequencyPenalty < -2 || s.FrequencyPenalty > 2:
		return Errorf("invalid_value", "frequency_penalty", "frequency_penalty %g: want [-2, 2]", s.FrequencyPenalty)
	case s.PresencePenalty < -2 || s.PresencePenalty > 2:
		return Errorf("invalid_value", "presence_penalty", "presence_penalty %g: want [-2, 2]", s.PresencePenalty)
	}
	return nil
}

// loop is continuous batching: each turn it admits waiting requests up to
// MaxBatch, drops those whose client left, and runs one step in which every
// decoding request feeds its last token and requests still reading their
// prompt feed a chunk of it, within StepTokens. A long prompt so joins over
// a few steps while the others keep streaming, and a finished request's
// row is free for the next at once.
func (e *Engine) loop() {
	ws := e.m.NewWorkspace()
	var active []*job
	for {
		active = e.admit(active)
		if len(active) == 0 {
			select {
			case <-e.wake:
				continue
			case <-e.done:
				e.cancelWaiting()
				return
			}
		}
		select {
		case <-e.done:
			for _, j := range active {
				j.finish(FinishCancelled)
			}
			e.cancelWaiting()
			return
		default:
		}
		active = e.turn(ws, active)
	}
}

// admit moves waiting requests into the batch while it has room.
func (e *Engine) admit(active []*job) []*job {
	e.mu.Lock()
	defer e.mu.Unlock()
	for len(e.waiting) > 0 && len(active) < e.o.MaxBatch {
		j := e.waiting[0]
		e.waiting = e.waiting[1:]
		if j.ctx.Err() != nil {
			j.finish(FinishCancelled)
			continue
		}
		j.cache = e.m.NewCache(min(len(j.prompt)+min(j.max, 64), e.o.Context))
		active = append(active, j)
	}
	return active
}

func (e *Engine) cancelWaiting() {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, j := range e.waiting {
		j.finish(FinishCancelled)
	}
	e.waiting = nil
}

// turn runs one step over the active requests and returns those still going.
func (e *Engine) turn(ws *engine.Workspace, active []*job) []*job {
	live := active[:0]
	for _, j := range active {
		if j.ctx.Err() != nil {
			j.finish(FinishCancelled)
			continue
		}
		live = append(live, j)
	}
	var rows []engine.Row
	var in []*job
	budget := e.o.StepTokens
	for _, j := range live { // decoding rows first: one token each
		if j.fed == len(j.prompt) && budget > 0 {
			rows, in = append(rows, e.row(j, []int{j.next})), append(in, j)
			budget--
		}
	}
	// Then prompt chunks with what is left. A prompt is cut at fixed places
	// (every PrefillChunk tokens), whatever else runs: each chunk multiplies
	// on its own, so its numbers, like a decoding row's, never depend on the
	// load (batch invariance: a seed gives the same answer alone or not).
	chunks := 0
	for _, j := range live {
		if j.fed < len(j.prompt) {
			n := min(len(j.prompt)-j.fed, e.o.PrefillChunk)
			if n > budget && chunks > 0 {
				continue
			}
			rows, in = append(rows, e.row(j, j.prompt[j.fed:j.fed+n])), append(in, j)
			budget -= n
			chunks++
		}
	}
	if len(rows) == 0 {
		return live
	}
	sortRows(rows, in) // rows of one adapter side by side: the engine runs them as one product
	logits, err := e.m.Step(ws, rows)
	if err != nil {
		for _, j := range in {
			j.fail(err)
		}
		return dropFinished(live)
	}
	for i, j := range in {
		if j.fed < len(j.prompt) {
			j.fed += len(rows[i].Tokens)
			if j.fed < len(j.prompt) {
				continue // more prompt to read before the first token
			}
		}
		e.emit(j, logits[i])
	}
	return dropFinished(live)
}

// row is j's next row, its cache grown (doubling) to take the tokens.
func (e *Engine) row(j *job, tokens []int) engine.Row {
	if need := j.cache.Len + len(tokens); need > j.cache.Cap() {
		e.m.GrowCache(j.cache, min(max(need, 2*j.cache.Cap()), e.o.Context))
	}
	var lora *engine.LoRA
	if j.adapter != nil {
		lora = j.adapter.lora
	}
	return engine.Row{Cache: j.cache, Tokens: tokens, LoRA: lora}
}

func adapterKey(j *job) string {
	if j.adapter == nil {
		return ""
	}
	return j.adapter.info.ID
}

// sortRows orders rows (and their jobs) by adapter, keeping order otherwise.
func sortRows(rows []engine.Row, in []*job) {
	idx := make([]int, len(rows))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return adapterKey(in[idx[a]]) < adapterKey(in[idx[b]]) })
	r2, j2 := make([]engine.Row, len(rows)), make([]*job, len(in))
	for i, k := range idx {
		r2[i], j2[i] = rows[k], in[k]
	}
	copy(rows, r2)
	copy(in, j2)
}

// emit samples j's next token from its logits and streams its text.
func (e *Engine) emit(j *job, logits []float32) {
	tok := j.sampler.Sample(logits)
	if j.made == 0 {
		j.first = time.Now()
	}
	if e.stops[tok] && !j.ignoreEOS {
		j.finish(FinishStop)
		return
	}
	j.sampler.Accept(tok)
	j.made++
	j.next = tok
	text, stopped := j.stop.Push(j.detok.Add(tok))
	if text != "" || j.made == 1 {
		j.out <- Event{Text: text, Tokens: 1}
	}
	switch {
	case stopped:
		j.stopped = true
		j.finish(FinishStop)
	case j.made >= j.max:
		j.finish(FinishLength)
	}
}

// finish sends j's last event (the text held back, usage, timings) and
// closes its stream; a job finishes once.
func (j *job) finish(reason string) {
	if j.out == nil {
		return
	}
	text := ""
	if !j.stopped {
		text, _ = j.stop.Push(j.detok.Flush())
		text += j.stop.Flush()
	}
	ev := Event{Text: text, Done: true, Finish: reason, Seed: j.seed,
		Usage: Usage{PromptTokens: len(j.prompt), CompletionTokens: j.made, TotalTokens: len(j.prompt) + j.made}}
	if !j.first.IsZero() {
		ev.TimeToFirstMS = float64(j.first.Sub(j.start).Microseconds()) / 1000
		if j.made > 1 {
			ev.TokensPerSecond = float64(j.made-1) / time.Since(j.first).Seconds()
		}
	}
	j.out <- ev
	close(j.out)
	j.out, j.cache = nil, nil
}

// fail ends j with an engine error.
func (j *job) fail(err error) {
	if j.out == nil {
		return
	}
	j.out <- Event{Done: true, Finish: FinishStop, Err: err, Seed: j.seed}
	close(j.out)
	j.out, j.cache = nil, nil
}

func dropFinished(js []*job) []*job {
	live := js[:0]
	for _, j := range js {
		if j.out != nil {
			live = append(live, j)
		}
	}
	clear(js[len(live):])
	return live
}
