package openai

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	sdk "github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/packages/respjson"
	"github.com/openai/openai-go/v3/packages/ssestream"

	"github.com/hone-ai/hone/backend/infer"
)

// chunk is what the pump needs of one stream chunk of either endpoint.
type chunk struct {
	text, finish string
	usage        *infer.Usage
	hone         *honeStats
}

func chatChunk(c sdk.ChatCompletionChunk) chunk {
	ch := chunk{usage: usageOf(c.JSON.Usage, c.Usage), hone: honeOf(c.JSON.ExtraFields)}
	if len(c.Choices) > 0 {
		ch.text, ch.finish = c.Choices[0].Delta.Content, c.Choices[0].FinishReason
	}
	return ch
}

func textChunk(c sdk.Completion) chunk {
	ch := chunk{usage: usageOf(c.JSON.Usage, c.Usage), hone: honeOf(c.JSON.ExtraFields)}
	if len(c.Choices) > 0 {
		ch.text, ch.finish = c.Choices[0].Text, string(c.Choices[0].FinishReason)
	}
	return ch
}

func usageOf(field respjson.Field, u sdk.CompletionUsage) *infer.Usage {
	if !field.Valid() {
		return nil
	}
	return &infer.Usage{PromptTokens: int(u.PromptTokens), CompletionTokens: int(u.CompletionTokens), TotalTokens: int(u.TotalTokens)}
}

func honeOf(extra map[string]respjson.Field) *honeStats {
	raw := extra["hone"].Raw()
	if raw == "" {
		return nil
	}
	var h honeStats
	if json.Unmarshal([]byte(raw), &h) != nil {
		return nil
	}
	return &h
}

// startPump returns the refusal of a stream that failed before its first
// byte, else a channel the stream's events are pumped into.
func startPump[T any](ctx context.Context, stream *ssestream.Stream[T], read func(T) chunk, start time.Time) (<-chan infer.Event, error) {
	if err := stream.Err(); err != nil {
		return nil, clientError(err)
	}
	// One slot lets the last event (cancelled) go out to a reader that is
	// not waiting at that moment without blocking the pump for ever.
	ch := make(chan infer.Event, 1)
	p := &pump{ctx: ctx, ch: ch, start: start}
	go func() {
		defer close(ch)
		defer stream.Close()
		for stream.Next() {
			if !p.add(read(stream.Current())) {
				break
			}
		}
		p.end(stream.Err())
	}()
	return ch, nil
}

// pump turns chunks into events, keeping what the last event reports.
type pump struct {
	ctx     context.Context
	ch      chan<- infer.Event
	start   time.Time
	first   time.Time // when the first text came
	counted int       // completion tokens already given to events
	last    infer.Event
}

// add sends a chunk's text, if any, as an event; false when ctx ended.
func (p *pump) add(c chunk) bool {
	ev := infer.Event{Text: c.text}
	if c.usage != nil {
		ev.Tokens = max(c.usage.CompletionTokens-p.counted, 0)
		p.counted, p.last.Usage = c.usage.CompletionTokens, *c.usage
	}
	if c.finish != "" {
		p.last.Finish = c.finish
	}
	if c.hone != nil {
		p.last.Seed, p.last.TimeToFirstMS, p.last.TokensPerSecond = c.hone.Seed, c.hone.TimeToFirstMS, c.hone.TokensPerSecond
	}
	if ev.Text == "" {
		return true
	}
	if p.first.IsZero() {
		p.first = time.Now()
	}
	select {
	case p.ch <- ev:
		return true
	case <-p.ctx.Done():
		return false
	}
}

// end sends the last event: cancelled when ctx ended (best effort, as the
// reader may have left), the stream's error, or the finish.
func (p *pump) end(err error) {
	last := p.last
	last.Done = true
	if p.ctx.Err() != nil {
		last.Finish = infer.FinishCancelled
		select {
		case p.ch <- last:
		default:
		}
		return
	}
	switch {
	case err != nil:
		last.Err = streamError(err)
	case last.Finish == "":
		last.Err = errors.New("the server ended the stream without a finish reason")
	}
	p.fillSpeeds(&last)
	select {
	case p.ch <- last:
	case <-p.ctx.Done():
	}
}

// fillSpeeds measures time to first token and decode speed here when the
// server did not report the engine's own.
func (p *pump) fillSpeeds(last *infer.Event) {
	if last.TimeToFirstMS == 0 && !p.first.IsZero() {
		last.TimeToFirstMS = float64(p.first.Sub(p.start).Microseconds()) / 1000
	}
	if decode := time.Since(p.first).Seconds(); last.TokensPerSecond == 0 && !p.first.IsZero() && decode > 0 {
		last.TokensPerSecond = float64(last.Usage.CompletionTokens) / decode
	}
}

// streamError turns an error event in the stream (the server's error
// object) back into an *infer.Error; other errors (a broken connection)
// stay as they are.
func streamError(err error) error {
	var se *ssestream.StreamError
	if !errors.As(err, &se) {
		return fmt.Errorf("reading the stream: %w", err)
	}
	var body errorBody
	if json.Unmarshal(se.Event.Data, &body) != nil || body.Error.Message == "" {
		return err
	}
	status := http.StatusInternalServerError
	if body.Error.Type == "invalid_request_error" {
		status = http.StatusBadRequest
	}
	return &infer.Error{Status: status, Type: body.Error.Type, Code: deref(body.Error.Code), Param: deref(body.Error.Param), Message: body.Error.Message}
}

// deref reads an optional string.
func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
