package openai

import (
	"context"
	"encoding/json"
	"errors"
	"github.com/hone-ai/hone/backend/compute/cpu"
	"github.com/hone-ai/hone/backend/infer/infertest"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hone-ai/hone/backend/infer"
	"github.com/hone-ai/hone/backend/testfiles"
)

// The official SDKs' harness: testdata/clients holds client.mjs (npm's
// openai, installed by `npm ci` there) and client.py (PyPI's openai, in
// the venv `make .cache/client-venv` makes at the repository root).
const (
	clientsDir = "testdata/clients"
	clientVenv = "../../../.cache/client-venv"
)

// sdkSummary is what both scripts print.
type sdkSummary struct {
	SDK      string                    `json:"sdk"`
	Listed   []string                  `json:"listed"`
	Results  map[string]sdkModelResult `json:"results"`
	Failures []string                  `json:"failures"`
	OK       bool                      `json:"ok"`
}

type sdkModelResult struct {
	Chat       sdkText `json:"chat"`
	Completion sdkText `json:"completion"`
}

type sdkText struct {
	Text     string `json:"text"`
	Streamed string `json:"streamed"`
	Finish   string `json:"finish"`
}

// TestRealClients runs OpenAI's own Node and Python SDKs against the
// server on a real loopback listener, with a token: over the fake (exact
// texts), and over the real engine on stories260K with two adapters
// trained on it (each answer equal to the engine's own for that request).
func TestRealClients(t *testing.T) {
	t.Run("fake", func(t *testing.T) { realClients(t, newTestGenerator(t)) })
	t.Run("stories260K", func(t *testing.T) { realClients(t, realEngine(t)) })
}

// realEngine serves stories260K with two adapters trained on it.
func realEngine(t *testing.T) infer.Generator {
	t.Helper()
	e, err := infer.Open(infertest.Stories(t), infer.Options{Device: cpu.New()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.Close)
	for name, text := range map[string]string{"dog": "The dog ran to the big red ball.", "boat": "Tom had a blue boat. He sailed it."} {
		if err := e.LoadAdapter(name, infertest.TrainAdapter(t, text, uint64(len(text)))); err != nil {
			t.Fatal(err)
		}
	}
	return e
}

func realClients(t *testing.T, g infer.Generator) {
	node := lookPath(t, "node", "Node 20.19+ comes with the machine (see the Makefile's tools rule)")
	testfiles.Require(t, filepath.Join(clientsDir, "node_modules", "openai", "package.json"),
		"run `npm ci --prefix backend/infer/openai/testdata/clients`, as `make test` does")
	python, err := filepath.Abs(testfiles.Require(t, filepath.Join(clientVenv, "bin", "python"),
		"run `make .cache/client-venv`, as `make test` does"))
	if err != nil {
		t.Fatal(err)
	}

	const token = "hone-test-token"
	baseURL := listen(t, NewServer(g, Options{Token: token, Logf: t.Logf}))
	models := modelIDs(g)
	env := append(os.Environ(), "OPENAI_BASE_URL="+baseURL, "OPENAI_API_KEY="+token, "HONE_TEST_MODELS="+strings.Join(models, ","))
	for _, tc := range []struct{ name, bin, script string }{
		{"node", node, "client.mjs"},
		{"python", python, "client.py"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := runSDK(t, env, tc.bin, tc.script)
			t.Logf("%s: ok over %v", s.SDK, s.Listed)
			checkSDKText(t, g, models, s)
		})
	}
}

func lookPath(t *testing.T, name, how string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		return testfiles.Require(t, name+" (on PATH)", how)
	}
	return path
}

// listen serves h on a fresh loopback port and returns its /v1 URL.
func listen(t *testing.T, h http.Handler) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			t.Errorf("serving: %v", err)
		}
	}()
	t.Cleanup(func() { _ = srv.Close() })
	return "http://" + ln.Addr().String() + "/v1"
}

// modelIDs is the base (as the server names it with no BaseName) and then
// every adapter.
func modelIDs(g infer.Generator) []string {
	var base string
	var adapters []string
	for _, m := range g.Models() {
		if m.Adapter {
			adapters = append(adapters, m.ID)
		} else if base == "" {
			base = m.ID
		}
	}
	return append([]string{base}, adapters...)
}

// runSDK runs one script and decodes its summary, failing with its
// output when it reports a failure.
func runSDK(t *testing.T, env []string, bin, script string) sdkSummary {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, script)
	cmd.Dir, cmd.Env = clientsDir, env
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	var s sdkSummary
	if jsonErr := json.Unmarshal(out, &s); jsonErr != nil {
		t.Fatalf("%s %s: %v; no summary (%v)\nstdout: %s\nstderr: %s", bin, script, err, jsonErr, out, stderr.String())
	}
	if err != nil || !s.OK || len(s.Failures) > 0 {
		t.Fatalf("%s: %v\nfailures: %q\nstderr: %s", s.SDK, err, s.Failures, stderr.String())
	}
	return s
}

// checkSDKText: every model answered, whole and streamed alike; with the
// fake, exactly what it says, so the SDK read the text the engine made.
func checkSDKText(t *testing.T, g infer.Generator, models []string, s sdkSummary) {
	t.Helper()
	f, isFake := g.(*fakeGen)
	for i, model := range models {
		r, ok := s.Results[model]
		if !ok {
			t.Fatalf("%s: no result for %s", s.SDK, model)
		}
		if r.Chat.Text == "" || r.Chat.Text != r.Chat.Streamed || r.Completion.Text == "" || r.Completion.Text != r.Completion.Streamed {
			t.Errorf("%s %s: whole and streamed differ: %+v", s.SDK, model, r)
		}
		adapter := model
		if i == 0 {
			adapter = ""
		}
		if !isFake {
			// The SDK's text is the engine's own for the same request.
			sampling := infer.Sampling{MaxTokens: 24, Seed: ptr(uint64(1234))}
			chat := infer.Request{Adapter: adapter, Messages: []infer.Message{{Role: "system", Content: "You are brief."},
				{Role: "user", Content: "Say hello to the tester."}}, Sampling: sampling}
			if want := direct(t, g, chat); r.Chat.Text != want {
				t.Errorf("%s %s: chat %q, the engine says %q", s.SDK, model, r.Chat.Text, want)
			}
			if want := direct(t, g, infer.Request{Adapter: adapter, Prompt: "The capital of France is", Sampling: sampling}); r.Completion.Text != want {
				t.Errorf("%s %s: completion %q, the engine says %q", s.SDK, model, r.Completion.Text, want)
			}
			continue
		}
		wantChat := f.reply(infer.Request{Adapter: adapter, Messages: []infer.Message{{Role: "user", Content: "Say hello to the tester."}}})
		wantText := f.reply(infer.Request{Prompt: "The capital of France is"})
		if r.Chat.Text != wantChat || r.Completion.Text != wantText || r.Chat.Finish != "stop" {
			t.Errorf("%s %s: chat %q completion %q finish %q, want %q and %q", s.SDK, model, r.Chat.Text, r.Completion.Text,
				r.Chat.Finish, wantChat, wantText)
		}
	}
}

// direct is the engine's answer to r, read straight from Generate.
func direct(t *testing.T, g infer.Generator, r infer.Request) string {
	t.Helper()
	ch, err := g.Generate(context.Background(), r)
	if err != nil {
		t.Fatal(err)
	}
	text, _, err := infer.Collect(context.Background(), ch)
	if err != nil {
		t.Fatal(err)
	}
	return text
}

func ptr[T any](v T) *T { return &v }
