package openai

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hone-ai/hone/backend/infer"
)

// wireChunk is a stream chunk as a client decodes it; delta stays raw so
// the test sees its exact shape.
type wireChunk struct {
	ID      string `json:"id"`
	Object  string `json:"object"`
	Created int64  `json:"created"`
	Model   string `json:"model"`
	Choices []struct {
		Index        int             `json:"index"`
		Delta        json.RawMessage `json:"delta"`
		Text         *string         `json:"text"`
		FinishReason *string         `json:"finish_reason"`
	} `json:"choices"`
	Usage *infer.Usage `json:"usage"`
	Hone  *honeStats   `json:"hone"`
}

// streamed is what a test reads from a stream: the text of its deltas,
// each chunk, and the events as sent.
type streamed struct {
	text   string
	chunks []wireChunk
	data   []string
}

func readStream(t *testing.T, r reply) streamed {
	t.Helper()
	if r.status != 200 || r.header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("status %d, Content-Type %q: %s", r.status, r.header.Get("Content-Type"), r.body)
	}
	s := streamed{data: sseData(t, r.body)}
	if s.data[len(s.data)-1] != "[DONE]" {
		t.Fatalf("stream does not end with [DONE]: %q", s.data)
	}
	for _, d := range s.data[:len(s.data)-1] {
		c := decodeAs[wireChunk](t, []byte(d))
		s.chunks = append(s.chunks, c)
		for _, ch := range c.Choices {
			if ch.Text != nil {
				s.text += *ch.Text
			}
			var delta struct{ Content string }
			if len(ch.Delta) > 0 && json.Unmarshal(ch.Delta, &delta) == nil {
				s.text += delta.Content
			}
		}
	}
	return s
}

func TestStreaming(t *testing.T) {
	for _, tc := range []struct {
		name, path, body string
		object           string
		text             string
		opening          bool // a chat's role chunk first
		usageChunk       bool
		continuous       bool
	}{
		{"chat with include_usage", chatPath,
			`{"model":"support-bot","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"how are you"}]}`,
			"chat.completion.chunk", "[support-bot] you said: how are you", true, true, false},
		{"chat without usage", chatPath, `{"stream":true,"messages":[{"role":"user","content":"hi"}]}`,
			"chat.completion.chunk", "[fake-base] you said: hi", true, false, false},
		{"chat with vLLM's continuous usage", chatPath,
			`{"stream":true,"stream_options":{"include_usage":true,"continuous_usage_stats":true},"messages":[{"role":"user","content":"a b"}]}`,
			"chat.completion.chunk", "[fake-base] you said: a b", true, true, true},
		{"text completion", "/v1/completions", `{"model":"fake-base","stream":true,"prompt":"Once upon"}`,
			"text_completion", "Once upon and so on", false, false, false},
		{"text completion with usage", "/v1/completions",
			`{"stream":true,"stream_options":{"include_usage":true},"prompt":"Once upon","max_tokens":2}`,
			"text_completion", "Once upon ", false, true, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newTestGenerator(t).(*fakeGen)
			s := readStream(t, call(t, serve(t, f, Options{}), "POST", tc.path, tc.body))
			if s.text != tc.text {
				t.Errorf("streamed text %q, want %q", s.text, tc.text)
			}
			checkEnvelopes(t, s, tc.object)
			checkOpening(t, s, tc.opening)
			last := checkFinish(t, s, tc.usageChunk, tc.object == "chat.completion.chunk")
			checkUsage(t, s, tc.usageChunk, tc.continuous, last)
		})
	}
}

// checkEnvelopes: every chunk shares one id, created and model.
func checkEnvelopes(t *testing.T, s streamed, object string) {
	t.Helper()
	first := s.chunks[0]
	for i, c := range s.chunks {
		if c.Object != object || c.ID != first.ID || c.Created != first.Created || c.Model != first.Model || c.Created == 0 {
			t.Errorf("chunk %d envelope %s differs from %s", i, s.data[i], s.data[0])
		}
	}
}

// checkOpening: a chat stream opens with {"role":"assistant","content":""}.
func checkOpening(t *testing.T, s streamed, want bool) {
	t.Helper()
	got := len(s.chunks[0].Choices) == 1 && string(s.chunks[0].Choices[0].Delta) == `{"role":"assistant","content":""}`
	if got != want {
		t.Errorf("opening chunk %s, want a role chunk: %v", s.data[0], want)
	}
}

// checkFinish finds the chunk with the finish reason: the last before the
// usage chunk, with an empty delta (chat) or text, and Hone's stats.
func checkFinish(t *testing.T, s streamed, usageChunk, chat bool) infer.Usage {
	t.Helper()
	i := len(s.chunks) - 1
	if usageChunk {
		i--
	}
	c := s.chunks[i]
	if len(c.Choices) != 1 || c.Choices[0].FinishReason == nil || c.Hone == nil || c.Hone.Seed != 424242 {
		t.Fatalf("finish chunk %s", s.data[i])
	}
	if chat && string(c.Choices[0].Delta) != `{}` {
		t.Errorf("finish chunk delta %s, want {}", c.Choices[0].Delta)
	}
	for j, other := range s.chunks[:i] {
		if len(other.Choices) == 1 && other.Choices[0].FinishReason != nil {
			t.Errorf("chunk %d has a finish reason before the end: %s", j, s.data[j])
		}
	}
	words := len(splitWords(s.text))
	return infer.Usage{CompletionTokens: words}
}

// checkUsage: the usage chunk has no choices and counts the words; with
// continuous usage every chunk carries the running count.
func checkUsage(t *testing.T, s streamed, usageChunk, continuous bool, want infer.Usage) {
	t.Helper()
	last := s.chunks[len(s.chunks)-1]
	if usageChunk {
		if last.Choices == nil || len(last.Choices) != 0 || last.Usage == nil || last.Usage.CompletionTokens != want.CompletionTokens ||
			last.Usage.TotalTokens != last.Usage.PromptTokens+want.CompletionTokens {
			t.Errorf("usage chunk %s, want %d completion tokens and \"choices\":[]", s.data[len(s.data)-2], want.CompletionTokens)
		}
	}
	prev := -1
	for i, c := range s.chunks {
		switch {
		case continuous && c.Usage == nil:
			t.Errorf("chunk %d lacks continuous usage: %s", i, s.data[i])
		case continuous && c.Usage.CompletionTokens < prev:
			t.Errorf("chunk %d usage went down: %s", i, s.data[i])
		case !continuous && c.Usage != nil && !(usageChunk && i == len(s.chunks)-1):
			t.Errorf("chunk %d has usage it was not asked for: %s", i, s.data[i])
		}
		if c.Usage != nil {
			prev = c.Usage.CompletionTokens
		}
	}
}

func TestStreamErrorAfterStart(t *testing.T) {
	f := newFake()
	f.midErr = &infer.Error{Status: 500, Type: "server_error", Code: "device_lost", Message: "the GPU went away"}
	r := call(t, serve(t, f, Options{}), "POST", chatPath, `{"stream":true,"messages":[{"role":"user","content":"a b c"}]}`)
	s := sseData(t, r.body)
	if r.status != 200 || len(s) != 4 || s[3] != "[DONE]" {
		t.Fatalf("want opening, one word, an error, [DONE]; got %d %q", r.status, s)
	}
	e := decodeAs[struct {
		Error wireError `json:"error"`
	}](t, []byte(s[2])).Error
	if e.Message != "the GPU went away" || e.Type != "server_error" || deref(e.Code) != "device_lost" {
		t.Errorf("error event %s", s[2])
	}
}

// TestDisconnectMidStream: a client that leaves cancels the engine's
// context. The fake holds after its first word until then, so the first
// delta arriving also shows each event is flushed as it is made.
func TestDisconnectMidStream(t *testing.T) {
	for _, stream := range []bool{true, false} {
		f := newFake()
		f.hold = true
		srv := serve(t, f, Options{})
		ctx, cancel := context.WithCancel(context.Background())
		body := `{"stream":true,"messages":[{"role":"user","content":"a b c"}]}`
		if !stream {
			body = `{"messages":[{"role":"user","content":"a b c"}]}`
		}
		req, _ := http.NewRequestWithContext(ctx, "POST", srv.URL+chatPath, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if !stream {
			time.AfterFunc(50*time.Millisecond, cancel) // the whole answer never comes
		}
		res, err := srv.Client().Do(req)
		if stream {
			if err != nil {
				t.Fatal(err)
			}
			waitForDelta(t, res)
		}
		cancel()
		select {
		case <-f.cancelled:
		case <-time.After(5 * time.Second):
			t.Fatalf("stream %v: the engine's context was not cancelled after the client left", stream)
		}
		if res != nil {
			res.Body.Close()
		}
	}
}

// waitForDelta reads the stream until the first content delta.
func waitForDelta(t *testing.T, res *http.Response) {
	t.Helper()
	got := make(chan error, 1)
	go func() {
		sc := bufio.NewScanner(res.Body)
		for sc.Scan() {
			if strings.Contains(sc.Text(), `"content":"[fake-base] "`) {
				got <- nil
				return
			}
		}
		got <- errors.New("the stream ended before the first word")
	}()
	select {
	case err := <-got:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the first word was not flushed while the generation went on")
	}
}
