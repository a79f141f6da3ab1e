package openai

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/hone-ai/hone/backend/infer"
)

const chatPath = "/v1/chat/completions"

// chatWith is a valid chat body with extra fields appended.
func chatWith(fields string) string {
	return `{"model":"fake-base","messages":[{"role":"user","content":"hi"}]` + fields + `}`
}

func TestRequestErrors(t *testing.T) {
	many := `"` + strings.Repeat(`s","`, 16) + `s"`
	for _, tc := range []struct {
		name, method, path, body string
		hdr                      []string
		status                   int
		code, param, message     string
	}{
		{"malformed JSON", "POST", chatPath, `{"model": "fake-base", "messages": [}`, nil, 400, "invalid_json", "", "at byte 37"},
		{"truncated JSON", "POST", chatPath, `{"model":`, nil, 400, "invalid_json", "", "unexpected end of JSON input"},
		{"trailing garbage", "POST", chatPath, `{} x`, nil, 400, "invalid_json", "", "after top-level value"},
		{"not an object", "POST", chatPath, `[1,2]`, nil, 400, "invalid_json", "", "must be a JSON object"},
		{"temperature of the wrong type", "POST", chatPath, chatWith(`,"temperature":"hot"`), nil, 400, "invalid_type", "temperature", "expected a number, but got string"},
		{"max_tokens not an integer", "POST", chatPath, chatWith(`,"max_tokens":1.5`), nil, 400, "invalid_type", "max_tokens", "expected an integer"},
		{"stream not a boolean", "POST", chatPath, chatWith(`,"stream":"yes"`), nil, 400, "invalid_type", "stream", "expected a boolean"},
		{"a message's role of the wrong type", "POST", chatPath, `{"messages":[{"role":1,"content":"x"}]}`, nil, 400, "invalid_type", "messages.role", "expected a string"},
		{"messages missing", "POST", chatPath, `{"model":"fake-base"}`, nil, 400, "missing_required_parameter", "messages", "messages"},
		{"an unknown role", "POST", chatPath, `{"messages":[{"role":"user","content":"x"},{"role":"tool","content":"y"}]}`, nil, 400, "invalid_value", "messages[1].role", `"tool"`},
		{"a user turn without content", "POST", chatPath, `{"messages":[{"role":"user"}]}`, nil, 400, "missing_required_parameter", "messages[0].content", "content"},
		{"an image part", "POST", chatPath, `{"messages":[{"role":"user","content":[{"type":"text","text":"a"},{"type":"image_url","image_url":{"url":"x"}}]}]}`,
			nil, 400, "invalid_value", "messages[0].content[1].type", `"image_url"`},
		{"content a number", "POST", chatPath, `{"messages":[{"role":"user","content":5}]}`, nil, 400, "invalid_type", "messages[0].content", "content parts"},
		{"negative max_tokens", "POST", chatPath, chatWith(`,"max_tokens":-1`), nil, 400, "invalid_value", "max_tokens", "minimum of 1"},
		{"zero max_completion_tokens", "POST", chatPath, chatWith(`,"max_completion_tokens":0`), nil, 400, "invalid_value", "max_completion_tokens", "minimum of 1"},
		{"max_tokens above the context", "POST", chatPath, chatWith(`,"max_tokens":2049`), nil, 400, "invalid_value", "max_tokens", "context length of 2048"},
		{"temperature above 2", "POST", chatPath, chatWith(`,"temperature":2.5`), nil, 400, "invalid_value", "temperature", "outside [0, 2]"},
		{"temperature below 0", "POST", chatPath, chatWith(`,"temperature":-0.1`), nil, 400, "invalid_value", "temperature", "outside [0, 2]"},
		{"top_p 0", "POST", chatPath, chatWith(`,"top_p":0`), nil, 400, "invalid_value", "top_p", "outside (0, 1]"},
		{"top_p above 1", "POST", chatPath, chatWith(`,"top_p":1.5`), nil, 400, "invalid_value", "top_p", "outside (0, 1]"},
		{"frequency_penalty above 2", "POST", chatPath, chatWith(`,"frequency_penalty":3`), nil, 400, "invalid_value", "frequency_penalty", "outside"},
		{"min_p above 1", "POST", chatPath, chatWith(`,"min_p":1.5`), nil, 400, "invalid_value", "min_p", "outside"},
		{"repetition_penalty 0", "POST", chatPath, chatWith(`,"repetition_penalty":0`), nil, 400, "invalid_value", "repetition_penalty", "greater than 0"},
		{"top_k -2", "POST", chatPath, chatWith(`,"top_k":-2`), nil, 400, "invalid_value", "top_k", "-1 or 0"},
		{"n 2", "POST", chatPath, chatWith(`,"n":2`), nil, 400, "invalid_value", "n", "n must be 1"},
		{"17 stop strings", "POST", chatPath, chatWith(`,"stop":[` + many + `]`), nil, 400, "invalid_value", "stop", "17 strings, at most 16"},
		{"an empty stop string", "POST", chatPath, chatWith(`,"stop":["a",""]`), nil, 400, "invalid_value", "stop", "string 1 is empty"},
		{"stop a number", "POST", chatPath, chatWith(`,"stop":7`), nil, 400, "invalid_type", "stop", "string or an array"},
		{"seed a fraction", "POST", chatPath, chatWith(`,"seed":1.5`), nil, 400, "invalid_type", "seed", "integer"},
		{"seed a string", "POST", chatPath, chatWith(`,"seed":"1"`), nil, 400, "invalid_type", "seed", "integer"},
		{"stream_options without stream", "POST", chatPath, chatWith(`,"stream_options":{"include_usage":true}`), nil, 400, "invalid_value", "stream_options", "only allowed"},
		{"an unknown model", "POST", chatPath, `{"model":"nope","messages":[{"role":"user","content":"x"}]}`, nil, 404, "model_not_found", "model", `"nope"`},
		{"an unknown model, streamed", "POST", chatPath, `{"model":"nope","stream":true,"messages":[{"role":"user","content":"x"}]}`, nil, 404, "model_not_found", "model", `"nope"`},
		{"prompt missing", "POST", "/v1/completions", `{"model":"fake-base"}`, nil, 400, "missing_required_parameter", "prompt", "prompt"},
		{"token-id prompt", "POST", "/v1/completions", `{"prompt":[1,2,3]}`, nil, 400, "invalid_type", "prompt", "token-id"},
		{"two prompts", "POST", "/v1/completions", `{"prompt":["a","b"]}`, nil, 400, "invalid_value", "prompt", "2 prompts"},
		{"unknown path", "GET", "/v1/embeddings", ``, nil, 404, "unknown_url", "", "/v1/embeddings"},
		{"unknown path outside /v1", "GET", "/", ``, nil, 404, "unknown_url", "", "GET /"},
		{"wrong method", "GET", chatPath, ``, nil, 405, "method_not_allowed", "", "allowed: POST"},
		{"wrong method on models", "POST", "/v1/models", `{}`, nil, 405, "method_not_allowed", "", "allowed: GET"},
		{"not JSON", "POST", chatPath, chatWith(``), []string{"Content-Type", "text/plain"}, 415, "unsupported_media_type", "", "application/json"},
		{"a foreign Host without a token", "GET", "/v1/models", ``, []string{"Host", "attacker.example:8000"}, 403, "forbidden_host", "", "attacker.example"},
		{"adapter name with a slash", "POST", "/v1/adapters", `{"name":"a/b","path":"/x"}`, nil, 400, "invalid_value", "name", `"a/b"`},
		{"adapter name with a backslash", "POST", "/v1/adapters", `{"name":"a\\b","path":"/x"}`, nil, 400, "invalid_value", "name", `"a\\b"`},
		{"adapter name ..", "POST", "/v1/adapters", `{"name":"..","path":"/x"}`, nil, 400, "invalid_value", "name", `".."`},
		{"adapter name .", "POST", "/v1/adapters", `{"name":".","path":"/x"}`, nil, 400, "invalid_value", "name", `"."`},
		{"adapter name empty", "POST", "/v1/adapters", `{"path":"/x"}`, nil, 400, "invalid_value", "name", `""`},
		{"adapter name of 65", "POST", "/v1/adapters", `{"name":"` + strings.Repeat("a", 65) + `","path":"/x"}`, nil, 400, "invalid_value", "name", "1 to 64"},
		{"adapter name with a space", "POST", "/v1/adapters", `{"name":"my adapter","path":"/x"}`, nil, 400, "invalid_value", "name", "1 to 64"},
		{"adapter name the base's", "POST", "/v1/adapters", `{"name":"fake-base","path":"/x"}`, nil, 400, "invalid_value", "name", "base model"},
		{"adapter path missing", "POST", "/v1/adapters", `{"name":"ok"}`, nil, 400, "missing_required_parameter", "path", "path"},
		{"adapter name of the wrong type", "POST", "/v1/adapters", `{"name":5,"path":"/x"}`, nil, 400, "invalid_type", "name", "expected a string"},
		{"an engine failure loading", "POST", "/v1/adapters", `{"name":"ok","path":"/broken"}`, nil, 500, "", "", "adapter_config.json"},
		{"unloading a backslashed name", "DELETE", "/v1/adapters/a%5Cb", ``, nil, 400, "invalid_value", "name", `"a\\b"`},
		{"unloading an unknown adapter", "DELETE", "/v1/adapters/nope", ``, nil, 404, "model_not_found", "model", `"nope"`},
		{"unloading the base", "DELETE", "/v1/adapters/fake-base", ``, nil, 404, "model_not_found", "model", `"fake-base"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := call(t, serve(t, newFake(), Options{}), tc.method, tc.path, tc.body, tc.hdr...)
			e := errorOf(t, r)
			if r.status != tc.status || deref(e.Code) != tc.code || deref(e.Param) != tc.param || !strings.Contains(e.Message, tc.message) {
				t.Errorf("got %d code %q param %q message %q\nwant %d code %q param %q message containing %q",
					r.status, deref(e.Code), deref(e.Param), e.Message, tc.status, tc.code, tc.param, tc.message)
			}
			if e.Type == "" || e.Message == "" {
				t.Errorf("error without type or message: %s", r.body)
			}
			if tc.status == 405 && r.header.Get("Allow") == "" {
				t.Error("405 without an Allow header")
			}
		})
	}
}

func TestEngineErrors(t *testing.T) {
	for _, tc := range []struct {
		name             string
		err              error
		status           int
		typ, code, param string
	}{
		{"an *infer.Error keeps its status, type, code and param",
			&infer.Error{Status: 400, Type: "invalid_request_error", Code: "context_length_exceeded", Param: "messages", Message: "too long"},
			400, "invalid_request_error", "context_length_exceeded", "messages"},
		{"a wrapped *infer.Error too", fmt.Errorf("engine: %w", infer.NotFound("x")), 404, "invalid_request_error", "model_not_found", "model"},
		{"an engine that is busy", &infer.Error{Status: 503, Type: "server_error", Code: "overloaded", Message: "all rows busy"},
			503, "server_error", "overloaded", ""},
		{"any other error is a 500", errors.New("out of device memory"), 500, "server_error", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake()
			f.genErr = tc.err
			for _, stream := range []string{"false", "true"} {
				r := call(t, serve(t, f, Options{}), "POST", chatPath, chatWith(`,"stream":`+stream))
				e := errorOf(t, r)
				if r.status != tc.status || e.Type != tc.typ || deref(e.Code) != tc.code || deref(e.Param) != tc.param ||
					!strings.Contains(tc.err.Error(), e.Message) {
					t.Errorf("stream %s: got %d %s", stream, r.status, r.body)
				}
			}
		})
	}
}

// countingReader is an endless JSON-looking body that counts what is read.
type countingReader struct {
	read atomic.Int64 // the transport may still be writing when the test looks
	size int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	read := c.read.Load()
	if read >= c.size {
		return 0, fmt.Errorf("read past the end")
	}
	n := min(int64(len(p)), c.size-read)
	for i := range p[:n] {
		p[i] = 'a'
	}
	if read == 0 {
		n = int64(copy(p, `{"model":"fake-base","messages":[{"role":"user","content":"`))
	}
	c.read.Add(n)
	return int(n), nil
}

func TestBodyLimit(t *testing.T) {
	const hundredMB = 100 << 20
	for _, tc := range []struct {
		name    string
		maxBody int64
		path    string
	}{
		{"the default 8 MiB on chat", 0, chatPath},
		{"a set limit on completions", 1 << 20, "/v1/completions"},
		{"adapters too", 0, "/v1/adapters"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body := &countingReader{size: hundredMB}
			req := httptest.NewRequest("POST", tc.path, body)
			req.Header.Set("Content-Type", "application/json")
			req.Host = "127.0.0.1"
			rec := httptest.NewRecorder()
			NewServer(newFake(), Options{MaxBody: tc.maxBody}).ServeHTTP(rec, req)
			limit := tc.maxBody
			if limit == 0 {
				limit = DefaultMaxBody
			}
			r := reply{status: rec.Code, header: rec.Header(), body: rec.Body.Bytes()}
			if e := errorOf(t, r); r.status != http.StatusRequestEntityTooLarge || !strings.Contains(e.Message, fmt.Sprint(limit)) {
				t.Fatalf("got %d %s", r.status, r.body)
			}
			// MaxBytesReader asks for at most one byte past the limit.
			if body.read.Load() > limit+1 {
				t.Fatalf("the server read %d bytes of a %d-byte body past a %d-byte limit", body.read.Load(), int64(hundredMB), limit)
			}
		})
	}
}

func TestBodyLimitOverTheNetwork(t *testing.T) {
	srv := serve(t, newFake(), Options{MaxBody: 1 << 20})
	body := &countingReader{size: 100 << 20}
	req, err := http.NewRequest("POST", srv.URL+chatPath, body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := srv.Client().Do(req)
	if err == nil {
		defer res.Body.Close()
		if res.StatusCode != http.StatusRequestEntityTooLarge {
			t.Fatalf("status %d, want 413", res.StatusCode)
		}
	}
	// The server closes the connection at the limit: the client stops
	// writing (with the 413 or a broken pipe) long before 100 MB.
	if body.read.Load() >= 100<<20 {
		t.Fatalf("the whole %d-byte body was sent (err %v)", body.read.Load(), err)
	}
	t.Logf("client wrote %d bytes before the server stopped it (err %v)", body.read.Load(), err)
}
