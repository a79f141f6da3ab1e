package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"strings"
	"sync/atomic"
	"time"
)

// job is one request's identity: the text of two runs of the same job must
// match in -verify mode (the seed is the run's, the same for every job).
type job struct {
	model, prompt string
}

// result is what one streamed request measured.
type result struct {
	job          job
	ttft         time.Duration // request sent to the first chunk with content
	e2e          time.Duration // request sent to the end of the stream
	decode       time.Duration // first content chunk to the last one
	tokens       int           // completion tokens (usage, else content chunks)
	fromUsage    bool          // tokens came from the usage chunk
	promptTokens int           // from the usage chunk; 0 without one
	text         string
	err          error
}

// client sends streaming requests to one OpenAI-compatible server.
type client struct {
	http *http.Client
	cfg  *config
	run  string       // this run's id, unique to it: the keys' prefix
	sent atomic.Int64 // requests sent, for their idempotency keys
}

func (c *client) endpoint() string {
	base := strings.TrimRight(c.cfg.url, "/")
	if c.cfg.chat {
		return base + "/chat/completions"
	}
	return base + "/completions"
}

// body is the request: streaming with the usage chunk asked for, the
// sampling the run sets, and -extra's fields on top (for a server's own
// options, such as llama-server's cache_prompt).
func (c *client) body(j job) ([]byte, error) {
	b := map[string]any{
		"model":          j.model,
		"stream":         true,
		"stream_options": map[string]any{"include_usage": true},
		"max_tokens":     c.cfg.maxTokens,
		"temperature":    c.cfg.temperature,
		"seed":           c.cfg.seed,
	}
	if c.cfg.chat {
		b["messages"] = []map[string]string{{"role": "user", "content": j.prompt}}
	} else {
		b["prompt"] = j.prompt
	}
	maps.Copy(b, c.cfg.extra)
	return json.Marshal(b)
}

// do runs one streaming request and times it; a failure is in result.err.
func (c *client) do(ctx context.Context, j job) result {
	r := result{job: j}
	body, err := c.body(j)
	if err != nil {
		r.err = err
		return r
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.endpoint(), bytes.NewReader(body))
	if err != nil {
		r.err = err
		return r
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "text/event-stream")
	// Marks the POST replayable: net/http then resends it on a fresh
	// connection when the reused one was closed by the server before it
	// answered ("server closed idle connection"), as it does for a GET.
	req.Header.Set("Idempotency-Key", fmt.Sprintf("%s-%d", c.run, c.sent.Add(1)))
	if c.cfg.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.cfg.token)
	}
	start := time.Now()
	resp, err := c.http.Do(req)
	if err != nil {
		r.err = fmt.Errorf("%s: %w", j.model, err)
		return r
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		r.err = fmt.Errorf("%s: HTTP %d: %s", j.model, resp.StatusCode, strings.TrimSpace(string(msg)))
		return r
	}
	if err := r.read(newSSEReader(resp.Body), start); err != nil {
		r.err = fmt.Errorf("%s: %w", j.model, err)
	}
	r.e2e = time.Since(start)
	return r
}

// read consumes the stream up to [DONE], timing the content chunks.
func (r *result) read(s *sseReader, start time.Time) error {
	var text strings.Builder
	var first, last time.Time
	chunks := 0
	for {
		data, err := s.next()
		if errors.Is(err, errDone) {
			break
		}
		if err == io.EOF {
			return errors.New("stream ended without [DONE]")
		}
		if err != nil {
			return fmt.Errorf("reading the stream: %w", err)
		}
		now := time.Now()
		var ch chunk
		if err := json.Unmarshal([]byte(data), &ch); err != nil {
			return fmt.Errorf("chunk %q: %w", truncate(data, 120), err)
		}
		if msg := ch.errorText(); msg != "" {
			return fmt.Errorf("server error in stream: %s", msg)
		}
		if ch.Usage != nil {
			r.tokens, r.promptTokens, r.fromUsage = ch.Usage.CompletionTokens, ch.Usage.PromptTokens, true
		}
		if s := ch.content(); s != "" {
			text.WriteString(s)
			chunks++
			if first.IsZero() {
				first = now
			}
			last = now
		}
	}
	if !r.fromUsage {
		r.tokens = chunks
	}
	r.text = text.String()
	if !first.IsZero() {
		r.ttft, r.decode = first.Sub(start), last.Sub(first)
	}
	return nil
}

// decodeRate is the stream's tokens after the first over the time after
// the first; 0 when it made fewer than two tokens.
func (r *result) decodeRate() float64 {
	if r.tokens < 2 || r.decode <= 0 {
		return 0
	}
	return float64(r.tokens-1) / r.decode.Seconds()
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}

// get sends GET base/path with the run's token.
func (c *client) get(ctx context.Context, path string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimRight(c.cfg.url, "/")+path, nil)
	if err != nil {
		return nil, err
	}
	if c.cfg.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.cfg.token)
	}
	return c.http.Do(req)
}

// firstModel is the first id GET /models lists.
func (c *client) firstModel(ctx context.Context) (string, error) {
	resp, err := c.get(ctx, "/models")
	if err != nil {
		return "", fmt.Errorf("listing models: %w", err)
	}
	defer resp.Body.Close()
	var list struct {
		Data []struct {
			ID string `json:"id"`
		} `json:"data"`
	}
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("listing models: HTTP %d", resp.StatusCode)
	}
	if err := json.NewDecoder(resp.Body).Decode(&list); err != nil {
		return "", fmt.Errorf("listing models: %w", err)
	}
	if len(list.Data) == 0 || list.Data[0].ID == "" {
		return "", errors.New("the server lists no model")
	}
	return list.Data[0].ID, nil
}

// waitReady polls GET /models until it answers 200 or limit passes:
// servers answer 503 there while the model loads.
func (c *client) waitReady(ctx context.Context, limit time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	var last error
	for {
		resp, err := c.get(ctx, "/models")
		if err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			err = fmt.Errorf("HTTP %d", resp.StatusCode)
		}
		last = err
		select {
		case <-ctx.Done():
			return fmt.Errorf("%s/models not ready after %v: %w", c.cfg.url, limit, last)
		case <-time.After(200 * time.Millisecond):
		}
	}
}
