package openai

import (
	"encoding/json"
	"net/http"

	"github.com/hone-ai/hone/backend/infer"
)

// sseWriter writes server-sent events, flushing each at once so a client
// sees every token when it is made. After a failed write (the client has
// gone) it writes nothing more.
type sseWriter struct {
	w   http.ResponseWriter
	rc  *http.ResponseController
	err error
}

func newSSEWriter(w http.ResponseWriter) *sseWriter {
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Accel-Buffering", "no") // a reverse proxy must not hold tokens back
	w.WriteHeader(http.StatusOK)
	return &sseWriter{w: w, rc: http.NewResponseController(w)}
}

// event writes "data: <JSON of v>\n\n".
func (s *sseWriter) event(v any) {
	data, err := json.Marshal(v)
	if err != nil {
		s.err = err
		return
	}
	s.raw(data)
}

// raw writes one data event holding data as it is.
func (s *sseWriter) raw(data []byte) {
	if s.err != nil {
		return
	}
	msg := make([]byte, 0, len(data)+8)
	msg = append(append(append(msg, "data: "...), data...), "\n\n"...)
	if _, s.err = s.w.Write(msg); s.err == nil {
		s.err = s.rc.Flush()
	}
}

// done ends the stream as OpenAI does.
func (s *sseWriter) done() { s.raw([]byte("[DONE]")) }

// chunkStream turns a generation's events into an endpoint's chunks.
type chunkStream struct {
	*sseWriter
	sh           shape
	head         completion
	includeUsage bool // OpenAI's usage chunk before [DONE]
	continuous   bool // vLLM's usage on every chunk
	usage        infer.Usage
}

// chunk writes one chunk with choices, and the running usage when asked.
func (c *chunkStream) chunk(choices []any, usage *infer.Usage, stats *honeStats) {
	ch := c.head
	ch.Object, ch.Choices, ch.Usage, ch.Hone = c.sh.chunkObject, choices, usage, stats
	if usage == nil && c.continuous {
		u := c.usage
		ch.Usage = &u
	}
	c.event(ch)
}

// text writes an event's text, counting its tokens for continuous usage.
func (c *chunkStream) text(ev infer.Event) {
	c.usage.CompletionTokens += ev.Tokens
	if ev.Usage.PromptTokens > 0 {
		c.usage.PromptTokens = ev.Usage.PromptTokens
	}
	c.usage.TotalTokens = c.usage.PromptTokens + c.usage.CompletionTokens
	if ev.Text != "" { // an empty event is a stop string being held back
		c.chunk([]any{c.sh.delta(ev.Text, nil)}, nil, nil)
	}
}

// finish writes the chunk with the finish reason (and Hone's stats), then
// the usage chunk if asked for, then [DONE].
func (c *chunkStream) finish(last infer.Event) {
	c.usage = last.Usage
	finish := last.Finish
	c.chunk([]any{c.sh.delta("", &finish)}, nil, statsOf(last))
	if c.includeUsage {
		c.chunk([]any{}, &last.Usage, nil)
	}
	c.done()
}

// fail sends err as a data event, then [DONE]: the status is already 200,
// so this is how vLLM tells a stream's client that it broke.
func (c *chunkStream) fail(err error) {
	c.event(errorBody{Error: newErrorObject(asAPIError(err))})
	c.done()
}

// stream answers with the completion as server-sent events. It returns as
// soon as the client is gone: the request's context, which the engine
// holds, is cancelled then, so nothing is drained.
func (s *server) stream(w http.ResponseWriter, r *http.Request, events <-chan infer.Event, sh shape, head completion, b *samplingBody) {
	c := &chunkStream{sseWriter: newSSEWriter(w), sh: sh, head: head,
		includeUsage: b.includeUsage(), continuous: b.continuousUsage()}
	if sh.opening != nil {
		c.chunk([]any{sh.opening}, nil, nil)
	}
	for c.err == nil {
		select {
		case <-r.Context().Done():
			return
		case ev, ok := <-events:
			switch {
			case !ok:
				s.o.Logf("openai: %s: %v", r.URL.Path, infer.ErrNoLastEvent)
				c.fail(infer.ErrNoLastEvent)
				return
			case ev.Err != nil:
				s.logServerError(r, ev.Err)
				c.fail(ev.Err)
				return
			}
			c.text(ev)
			if ev.Done {
				c.finish(ev)
				return
			}
		}
	}
}
