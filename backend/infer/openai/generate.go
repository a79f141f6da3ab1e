package openai

import (
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"time"

	"github.com/hone-ai/hone/backend/infer"
)

func (s *server) chat(w http.ResponseWriter, r *http.Request) {
	var b chatBody
	var sb samplingBody
	if err := s.decode(w, r, &sb, &b); err != nil {
		writeError(w, err)
		return
	}
	msgs, err := parseMessages(b.Messages)
	if err != nil {
		writeError(w, err)
		return
	}
	s.generate(w, r, &sb, infer.Request{Messages: msgs}, chatShape)
}

func (s *server) completions(w http.ResponseWriter, r *http.Request) {
	var b completionBody
	var sb samplingBody
	if err := s.decode(w, r, &sb, &b); err != nil {
		writeError(w, err)
		return
	}
	prompt, err := parsePrompt(b.Prompt)
	if err != nil {
		writeError(w, err)
		return
	}
	s.generate(w, r, &sb, infer.Request{Prompt: prompt}, textShape)
}

// generate completes req with b's model and sampling, then answers whole
// or as a stream. The request's context goes to the engine, so a client
// that leaves cancels its generation.
func (s *server) generate(w http.ResponseWriter, r *http.Request, b *samplingBody, req infer.Request, sh shape) {
	adapter, id, err := s.resolveModel(b.Model)
	if err != nil {
		writeError(w, err)
		return
	}
	sampling, err := b.sampling(s.g.ContextLength())
	if err != nil {
		writeError(w, err)
		return
	}
	req.Adapter, req.Sampling = adapter, sampling
	events, genErr := s.g.Generate(r.Context(), req)
	if genErr != nil {
		s.logServerError(r, genErr)
		writeError(w, genErr)
		return
	}
	head := completion{ID: sh.idPrefix + randomID(), Created: time.Now().Unix(), Model: id}
	if b.Stream {
		s.stream(w, r, events, sh, head, b)
		return
	}
	s.respond(w, r, events, sh, head)
}

// respond answers with the whole completion once the engine is done.
func (s *server) respond(w http.ResponseWriter, r *http.Request, events <-chan infer.Event, sh shape, head completion) {
	text, last, err := infer.Collect(r.Context(), events)
	if r.Context().Err() != nil {
		return // the client left: nobody to answer
	}
	if err != nil {
		s.logServerError(r, err)
		writeError(w, err)
		return
	}
	head.Object = sh.object
	head.Choices = []any{sh.whole(text, last.Finish)}
	head.Usage, head.Hone = &last.Usage, statsOf(last)
	writeJSON(w, http.StatusOK, head)
}

// randomID is the unique part of a completion's id.
func randomID() string {
	var b [12]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24+)
	return hex.EncodeToString(b[:])
}
