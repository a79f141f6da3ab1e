package openai

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hone-ai/hone/backend/compute/cpu"
	"github.com/hone-ai/hone/backend/infer"
	"github.com/hone-ai/hone/backend/infer/infertest"
)

// TestLoad is the server under load, loopback only and bounded in time:
// 200 concurrent streaming chat requests over 25 adapters (and the base)
// on stories260K for HONE_LOAD_SECONDS (default 60), each through the Go
// SDK client. No request may fail, and every streamed answer must equal
// that request's answer run alone with the same seed: no stream lost,
// cut or mixed up with another. Prints the latency percentiles.
func TestLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("a minute of load: not in -short")
	}
	secs := 60
	if v, err := strconv.Atoi(os.Getenv("HONE_LOAD_SECONDS")); err == nil && v > 0 {
		secs = v
	}
	e, err := infer.Open(infertest.Stories(t), infer.Options{Device: cpu.New(), MaxBatch: 32})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.Close)
	models := []string{""}
	for i := range 25 {
		name := fmt.Sprintf("a%02d", i)
		if err := e.LoadAdapter(name, infertest.TrainAdapter(t, fmt.Sprintf("Adapter %d: the %s cat sat on mat %d.", i, []string{"red", "big", "old", "shy"}[i%4], i), uint64(i+1))); err != nil {
			t.Fatal(err)
		}
		models = append(models, name)
	}
	const token = "load-token"
	c := NewClient(listen(t, NewServer(e, Options{Token: token})), token)

	// The requests, and each one's answer alone: sampled (temperature 0.9,
	// top-p 0.95) with its own seed, different lengths.
	prompts := []string{"Once upon a time", "The dog", "Tom had a", "One day, a little girl", "The sun was"}
	var reqs []infer.Request
	for i := range 130 {
		s := uint64(1000 + i)
		reqs = append(reqs, infer.Request{Adapter: models[i%len(models)], Messages: []infer.Message{{Role: "user", Content: prompts[i%len(prompts)]}},
			Sampling: infer.Sampling{Temperature: 0.9, TopP: 0.95, MaxTokens: 8 + i%40, Seed: &s}})
	}
	alone := make([]string, len(reqs))
	for i, r := range reqs {
		text, err := stream(context.Background(), c, r)
		if err != nil {
			t.Fatalf("request %d alone: %v", i, err)
		}
		alone[i] = text
	}

	var (
		mu        sync.Mutex
		latencies []time.Duration
		mixed     []string
		failures  []string
		next      atomic.Int64
	)
	deadline := time.Now().Add(time.Duration(secs) * time.Second)
	var wg sync.WaitGroup
	for range 200 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Now().Before(deadline) {
				i := int(next.Add(1)) % len(reqs)
				start := time.Now()
				text, err := stream(context.Background(), c, reqs[i])
				mu.Lock()
				switch {
				case err != nil:
					failures = append(failures, fmt.Sprintf("request %d: %v", i, err))
				case text != alone[i]:
					mixed = append(mixed, fmt.Sprintf("request %d on %q: %q under load, %q alone", i, reqs[i].Adapter, text, alone[i]))
				default:
					latencies = append(latencies, time.Since(start))
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if len(failures) > 0 || len(mixed) > 0 {
		t.Fatalf("%d failed, %d differ from alone, of %d\nfirst failures: %s\nfirst differences: %s", len(failures), len(mixed),
			len(failures)+len(mixed)+len(latencies), strings.Join(first(failures, 3), "\n"), strings.Join(first(mixed, 3), "\n"))
	}
	slices.Sort(latencies)
	pct := func(p float64) time.Duration { return latencies[int(p*float64(len(latencies)-1))] }
	t.Logf("load: %d streamed requests in %d s by 200 clients over %d adapters and the base, all equal to their answers alone; latency p50 %v, p99 %v, max %v",
		len(latencies), secs, len(models)-1, pct(0.5).Round(time.Millisecond), pct(0.99).Round(time.Millisecond), latencies[len(latencies)-1].Round(time.Millisecond))
	if len(latencies) < 200 {
		t.Fatalf("only %d requests finished in %d s", len(latencies), secs)
	}
}

// stream runs r through the client and returns its text; a stream that
// ends without its last event is an error.
func stream(ctx context.Context, c *Client, r infer.Request) (string, error) {
	ch, err := c.Generate(ctx, r)
	if err != nil {
		return "", err
	}
	text, _, err := infer.Collect(ctx, ch)
	return text, err
}

func first(s []string, n int) []string { return s[:min(n, len(s))] }
