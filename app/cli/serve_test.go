package cli

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hone-ai/hone/backend/core"
	"github.com/hone-ai/hone/backend/infer/infertest"
)

// syncBuffer is a strings.Builder the command writes while the test reads.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestServeCommand: `hone serve` on stories260K with an adapter listens on
// a free loopback port, prints its URL, lists the base and the adapter,
// answers a chat completion on the adapter, and stops on an interrupt.
func TestServeCommand(t *testing.T) {
	adapter := infertest.TrainAdapter(t, "The dog ran to the big red ball.", 1)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stdout, stderr syncBuffer
	done := make(chan int)
	args := []string{"--data-dir", t.TempDir(), "serve", "--model", infertest.Stories(t), "--name", "stories",
		"--adapter", "dog=" + adapter, "--port", "0"}
	go func() { done <- Run(ctx, args, Env{Stdout: &stdout, Stderr: &stderr, Version: "test"}) }()
	var url string
	for deadline := time.Now().Add(time.Minute); url == "" && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		for _, line := range strings.Split(stdout.String(), "\n") {
			if u, ok := strings.CutPrefix(line, core.ServingPrefix); ok {
				url = u
			}
		}
		select {
		case code := <-done:
			t.Fatalf("serve exited %d: %s", code, stderr.String())
		default:
		}
	}
	if !strings.HasPrefix(url, "http://127.0.0.1:") {
		t.Fatalf("no URL line: %q", stdout.String())
	}
	var models struct {
		Data []struct{ ID string } `json:"data"`
	}
	get(t, url+"/models", &models)
	if len(models.Data) != 2 || models.Data[0].ID != "stories" || models.Data[1].ID != "dog" {
		t.Fatalf("models: %+v", models)
	}
	res, err := http.Post(url+"/chat/completions", "application/json",
		strings.NewReader(`{"model":"dog","messages":[{"role":"user","content":"Once upon a time"}],"max_tokens":8,"seed":1}`))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	var c struct {
		Choices []struct {
			Message struct{ Content string } `json:"message"`
		} `json:"choices"`
		Usage struct {
			CompletionTokens int `json:"completion_tokens"`
		} `json:"usage"`
	}
	if res.StatusCode != 200 || json.Unmarshal(body, &c) != nil || len(c.Choices) != 1 || c.Choices[0].Message.Content == "" || c.Usage.CompletionTokens == 0 {
		t.Fatalf("chat completion: %d %s", res.StatusCode, body)
	}
	cancel()
	if code := <-done; code != ExitOK {
		t.Fatalf("interrupted serve: exit %d: %s", code, stderr.String())
	}
}

// TestServeRefusesOpenBindWithoutToken: anything but loopback needs a token.
func TestServeRefusesOpenBindWithoutToken(t *testing.T) {
	code, _, errs := runHone(t, nil, "--data-dir", t.TempDir(), "serve", "--model", infertest.Stories(t), "--host", "0.0.0.0")
	if code == ExitOK || !strings.Contains(errs, "token") {
		t.Fatalf("exit %d: %s", code, errs)
	}
	code, _, errs = runHone(t, nil, "--data-dir", t.TempDir(), "serve", "--model", infertest.Stories(t), "--adapter", "../x=/tmp")
	if code != ExitUsage || !strings.Contains(errs, "../x") {
		t.Fatalf("adapter named ../x: exit %d: %s", code, errs)
	}
}

func get(t *testing.T, url string, v any) {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if err := json.NewDecoder(res.Body).Decode(v); err != nil || res.StatusCode != 200 {
		t.Fatalf("GET %s: %d %v", url, res.StatusCode, err)
	}
}
