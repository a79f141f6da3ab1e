package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/iotest"
	"time"
)

func TestPercentile(t *testing.T) {
	hundred := make([]float64, 100)
	for i := range hundred {
		hundred[i] = float64(100 - i) // unsorted on purpose
	}
	cases := []struct {
		name   string
		values []float64
		p      float64
		want   float64
	}{
		{"empty", nil, 50, 0},
		{"one value", []float64{5}, 99, 5},
		{"1..100 p50", hundred, 50, 50},
		{"1..100 p99", hundred, 99, 99},
		{"1..100 p100", hundred, 100, 100},
		{"1..100 p1", hundred, 1, 1},
		{"odd count median", []float64{3, 1, 2}, 50, 2},
		{"even count median is the lower", []float64{4, 1, 3, 2}, 50, 2},
		{"p99 of ten is the max", []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 99, 10},
		{"p90 of ten", []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 90, 9},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := slices.Clone(c.values)
			if got := percentile(c.values, c.p); got != c.want {
				t.Fatalf("percentile(%v, %v) = %v, want %v", c.values, c.p, got, c.want)
			}
			if !slices.Equal(in, c.values) {
				t.Fatal("percentile reordered its input")
			}
		})
	}
}

func TestDecodeRate(t *testing.T) {
	cases := []struct {
		tokens int
		decode time.Duration
		want   float64
	}{
		{tokens: 11, decode: time.Second, want: 10},
		{tokens: 5, decode: 200 * time.Millisecond, want: 20},
		{tokens: 1, decode: 0, want: 0},
		{tokens: 3, decode: 0, want: 0},
	}
	for _, c := range cases {
		r := result{tokens: c.tokens, decode: c.decode}
		if got := r.decodeRate(); got != c.want {
			t.Errorf("%d tokens in %v: %v tokens/s, want %v", c.tokens, c.decode, got, c.want)
		}
	}
}

func TestSSEReader(t *testing.T) {
	cases := []struct {
		name string
		raw  string
		want []string
		end  error
	}{
		{"done", "data: a\n\ndata: b\n\ndata: [DONE]\n\n", []string{"a", "b"}, errDone},
		{"crlf and no space", "data:a\r\n\r\ndata: [DONE]\r\n\r\n", []string{"a"}, errDone},
		{"comments and other fields skipped", ": ping\n\nevent: x\nid: 3\ndata: a\n\n", []string{"a"}, io.EOF},
		{"multi-line data joined", "data: a\ndata: b\n\n", []string{"a\nb"}, io.EOF},
		{"colon inside the data", `data: {"a":"b: c"}` + "\n\n", []string{`{"a":"b: c"}`}, io.EOF},
		{"last event without blank line", "data: a\n\ndata: b", []string{"a", "b"}, io.EOF},
		{"blank lines between events", "\n\n\ndata: a\n\n\n\n", []string{"a"}, io.EOF},
		{"empty stream", "", nil, io.EOF},
	}
	for _, c := range cases {
		readers := map[string]func() io.Reader{
			"whole":       func() io.Reader { return strings.NewReader(c.raw) },
			"byte a read": func() io.Reader { return iotest.OneByteReader(strings.NewReader(c.raw)) },
		}
		for how, open := range readers {
			t.Run(c.name+"/"+how, func(t *testing.T) {
				s := newSSEReader(open())
				var got []string
				var err error
				for {
					var d string
					if d, err = s.next(); err != nil {
						break
					}
					got = append(got, d)
				}
				if !slices.Equal(got, c.want) || !errors.Is(err, c.end) {
					t.Fatalf("events %q ending %v, want %q ending %v", got, err, c.want, c.end)
				}
			})
		}
	}
}

// runJSON runs the command against srv and decodes its -json summary.
func runJSON(t *testing.T, srv *httptest.Server, args ...string) (summary, int) {
	t.Helper()
	var out, errOut bytes.Buffer
	args = append([]string{"-url", srv.URL + "/v1", "-json"}, args...)
	code := run(context.Background(), args, &out, &errOut)
	var s summary
	if err := json.Unmarshal(out.Bytes(), &s); err != nil {
		t.Fatalf("summary %q (stderr %q): %v", out.String(), errOut.String(), err)
	}
	return s, code
}

func TestLoadStreamsSplitAcrossReads(t *testing.T) {
	f := &fakeServer{tokens: []string{"Paris", " is", " the", " capital", "."}, usage: 9,
		firstDelay: 30 * time.Millisecond, tokenDelay: 5 * time.Millisecond, piece: 7}
	srv := httptest.NewServer(f)
	defer srv.Close()
	s, code := runJSON(t, srv, "-models", "a,b", "-concurrency", "4", "-requests", "8", "-token", "sekret", "-max-tokens", "16")
	if code != 0 || s.OK != 8 || s.Failed != 0 {
		t.Fatalf("exit %d, %d ok, %d failed (%v)", code, s.OK, s.Failed, s.Errors)
	}
	// The usage chunk's count wins over the five content chunks.
	if s.CompletionTokens != 8*9 || s.TokenSource != "usage" || s.PromptTokensMean != 7 {
		t.Fatalf("%d tokens from %s, prompt %v; want 72 from usage, prompt 7", s.CompletionTokens, s.TokenSource, s.PromptTokensMean)
	}
	// The server waits before its first content (after the role chunk, which
	// is no token) and between tokens: lower bounds on what was measured.
	if s.TTFTp50 < 30 || s.E2Ep50 < 50 || s.TTFTp99 < s.TTFTp50 || s.E2Ep99 < s.E2Ep50 {
		t.Fatalf("ttft p50 %v p99 %v, e2e p50 %v p99 %v ms: below what the server waited", s.TTFTp50, s.TTFTp99, s.E2Ep50, s.E2Ep99)
	}
	if want := float64(s.CompletionTokens) / s.WallSeconds; s.Aggregate != want || s.DecodeMean <= 0 {
		t.Fatalf("aggregate %v (want %v), decode mean %v", s.Aggregate, want, s.DecodeMean)
	}
	// Every POST is replayable (a key of its own) for net/http's retry.
	if len(f.keys) != 8 || f.keys[""] {
		t.Fatalf("idempotency keys %v, want 8 distinct", f.keys)
	}
	if calls := f.modelCalls(); calls["a"] != 4 || calls["b"] != 4 {
		t.Fatalf("models not taken in turn: %v", calls)
	}
	body := f.bodies[0]
	if body["stream"] != true || body["stream_options"].(map[string]any)["include_usage"] != true ||
		body["max_tokens"] != 16.0 || body["messages"] == nil || f.paths[0] != "/v1/chat/completions" || f.auth[0] != "Bearer sekret" {
		t.Fatalf("request %s %v auth %q", f.paths[0], body, f.auth[0])
	}
}

func TestLoadCountsChunksWithoutUsage(t *testing.T) {
	f := &fakeServer{tokens: []string{"a", "b", "c"}, piece: 3}
	srv := httptest.NewServer(f)
	defer srv.Close()
	s, code := runJSON(t, srv, "-chat=false", "-requests", "2", "-extra", `{"cache_prompt":false}`)
	if code != 0 || s.CompletionTokens != 6 || s.TokenSource != "content chunks" {
		t.Fatalf("exit %d, %d tokens from %s; want 6 from content chunks", code, s.CompletionTokens, s.TokenSource)
	}
	// Without -models, the first model the server lists.
	if f.paths[0] != "/v1/completions" || f.bodies[0]["prompt"] == nil || f.bodies[0]["cache_prompt"] != false || f.bodies[0]["model"] != "base" {
		t.Fatalf("completions request %s %v", f.paths[0], f.bodies[0])
	}
}

func TestLoadReportsFailures(t *testing.T) {
	cases := []struct {
		name string
		f    *fakeServer
		want string
	}{
		{"http status", &fakeServer{tokens: []string{"x"}, status: func(m string) int {
			if m == "bad" {
				return http.StatusNotFound
			}
			return http.StatusOK
		}}, "HTTP 404"},
		{"stream cut before [DONE]", &fakeServer{tokens: []string{"x"}, noDone: true}, "without [DONE]"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			srv := httptest.NewServer(c.f)
			defer srv.Close()
			s, code := runJSON(t, srv, "-models", "good,bad", "-requests", "4")
			if code != 1 || s.Failed == 0 || !strings.Contains(strings.Join(s.Errors, "\n"), c.want) {
				t.Fatalf("exit %d, %d failed, errors %q; want exit 1 and %q", code, s.Failed, s.Errors, c.want)
			}
		})
	}
}

func TestVerify(t *testing.T) {
	// "flaky" answers differently after its first call: the solo run gets
	// one text, the load another.
	answer := func(model string, call int) []string {
		if model == "flaky" && call > 1 {
			return []string{"Lyon"}
		}
		return []string{"Par", "is"}
	}
	cases := []struct {
		models     string
		wantCode   int
		mismatches int
	}{
		{"stable,other", 0, 0},
		{"stable,flaky", 1, 3},
	}
	for _, c := range cases {
		t.Run(c.models, func(t *testing.T) {
			f := &fakeServer{answer: answer, piece: 5}
			srv := httptest.NewServer(f)
			defer srv.Close()
			s, code := runJSON(t, srv, "-verify", "-models", c.models, "-concurrency", "3", "-requests", "6")
			if code != c.wantCode || len(s.Mismatches) != c.mismatches {
				t.Fatalf("exit %d, mismatches %+v; want exit %d and %d", code, s.Mismatches, c.wantCode, c.mismatches)
			}
			for _, m := range s.Mismatches {
				if m.Model != "flaky" || m.Solo != "Paris" || m.Load != "Lyon" || m.Prompt == "" {
					t.Fatalf("mismatch %+v", m)
				}
			}
			// Each model once alone, then three times under load.
			for _, m := range strings.Split(c.models, ",") {
				if n := f.modelCalls()[m]; n != 4 {
					t.Fatalf("%s called %d times, want 4", m, n)
				}
			}
		})
	}
}

func TestPromptsAndDistinctJobs(t *testing.T) {
	path := filepath.Join(t.TempDir(), "prompts.txt")
	raw := "plain one\n\n" + `"<|im_start|>user\nHi<|im_end|>\n"` + "\nthird\n"
	if err := os.WriteFile(path, []byte(raw), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := parseConfig([]string{"-prompts", path, "-models", "m1, m2"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"plain one", "<|im_start|>user\nHi<|im_end|>\n", "third"}
	if !slices.Equal(cfg.prompts, want) || !slices.Equal(cfg.models, []string{"m1", "m2"}) || cfg.requests != 4 {
		t.Fatalf("prompts %q models %q requests %d", cfg.prompts, cfg.models, cfg.requests)
	}
	cfg.requests = 100
	jobs := cfg.distinctJobs()
	seen := map[job]bool{}
	for _, j := range jobs {
		seen[j] = true
	}
	if len(jobs) != 6 || len(seen) != 6 {
		t.Fatalf("2 models x 3 prompts in turn: %d jobs, %d distinct; want 6", len(jobs), len(seen))
	}
}

func TestPromptFileKeepsNewlines(t *testing.T) {
	path := filepath.Join(t.TempDir(), "rendered.txt")
	text := "<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n"
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := parseConfig([]string{"-prompt-file", path}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(cfg.prompts, []string{text}) || len(cfg.models) != 0 {
		t.Fatalf("prompts %q models %q", cfg.prompts, cfg.models)
	}
}

func TestBadFlags(t *testing.T) {
	for _, args := range [][]string{
		{"-concurrency", "0"},
		{"-prompt-file", "a", "-prompts", "b"},
		{"-prompt-file", "/nonexistent/prompt.txt"},
		{"-extra", "{not json"},
		{"stray"},
	} {
		if code := run(context.Background(), args, io.Discard, io.Discard); code != 2 {
			t.Errorf("%q: exit %d, want 2", args, code)
		}
	}
}

func TestWaitReady(t *testing.T) {
	cases := []struct {
		name      string
		readyAt   int // the GET /models call that first answers 200; 0: never
		wantCode  int
		wantCalls int
	}{
		{"ready after loading", 3, 0, 3},
		{"never ready", 0, 1, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := &fakeServer{tokens: []string{"x"}}
			var polls int
			mux := http.NewServeMux()
			mux.HandleFunc("GET /v1/models", func(w http.ResponseWriter, r *http.Request) {
				polls++
				if c.readyAt == 0 || polls < c.readyAt {
					http.Error(w, "Loading model", http.StatusServiceUnavailable)
					return
				}
				_, _ = w.Write([]byte(`{"data":[{"id":"base"}]}`))
			})
			mux.Handle("POST /", f)
			srv := httptest.NewServer(mux)
			defer srv.Close()
			var out, errOut bytes.Buffer
			code := run(context.Background(), []string{"-url", srv.URL + "/v1", "-wait", "2s", "-requests", "1", "-models", "base"}, &out, &errOut)
			if code != c.wantCode {
				t.Fatalf("exit %d, want %d (stderr %q)", code, c.wantCode, errOut.String())
			}
			if c.wantCalls > 0 && polls != c.wantCalls {
				t.Fatalf("%d polls, want %d", polls, c.wantCalls)
			}
			if c.readyAt == 0 && (len(f.modelCalls()) != 0 || !strings.Contains(errOut.String(), "not ready")) {
				t.Fatalf("requests sent to a server never ready, stderr %q", errOut.String())
			}
		})
	}
}
