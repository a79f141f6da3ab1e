// Command load drives an OpenAI-compatible server with concurrent streaming
// requests and prints time to first token, end-to-end latency, per-stream
// decode speed and aggregate completion tokens/s. Requests take the -models
// names in turn (one base with many LoRA adapters behind one server is the
// case it was written for). -verify first runs every distinct request
// alone and then checks that each answer under load is the same text.
//
//	go run ./bench/serve/load -url http://127.0.0.1:8080/v1 -models a,b -concurrency 8 -requests 32
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

func main() {
	os.Exit(run(context.Background(), os.Args[1:], os.Stdout, os.Stderr))
}

// run is the command: 0 when every request succeeded (and, with -verify,
// every answer matched), 1 otherwise, 2 for bad flags.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	cfg, err := parseConfig(args, stderr)
	if err != nil {
		fmt.Fprintln(stderr, "load:", err)
		return 2
	}
	// One connection per stream, kept between requests as a client would;
	// an idle one is dropped before a server's keep-alive limit (llama-server:
	// 5 s) closes it under a request being sent.
	transport := &http.Transport{MaxIdleConnsPerHost: cfg.concurrency, MaxConnsPerHost: cfg.concurrency + 1,
		IdleConnTimeout: 2 * time.Second}
	cl := &client{http: &http.Client{Transport: transport, Timeout: cfg.timeout}, cfg: cfg,
		run: fmt.Sprintf("load-%d-%d", os.Getpid(), time.Now().UnixNano())}
	if cfg.wait > 0 {
		if err := cl.waitReady(ctx, cfg.wait); err != nil {
			fmt.Fprintln(stderr, "load:", err)
			return 1
		}
	}
	if len(cfg.models) == 0 {
		m, err := cl.firstModel(ctx)
		if err != nil {
			fmt.Fprintln(stderr, "load: -models not given:", err)
			return 1
		}
		cfg.models = []string{m}
	}
	var solo map[job]string
	if cfg.verify {
		if solo, err = runSolo(ctx, cl, cfg.distinctJobs()); err != nil {
			fmt.Fprintln(stderr, "load: verify:", err)
			return 1
		}
	}
	results, wall := runLoad(ctx, cl)
	s := summarize(cfg, results, wall)
	if cfg.verify {
		s.Mismatches = compare(solo, results)
	}
	if cfg.json {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(s); err != nil {
			fmt.Fprintln(stderr, "load:", err)
			return 1
		}
	} else {
		s.print(stdout)
	}
	if s.Failed > 0 || len(s.Mismatches) > 0 || s.OK == 0 {
		return 1
	}
	return 0
}

// runLoad keeps cfg.concurrency streams in flight until -requests have been
// sent or -duration has passed (requests in flight then run to the end),
// and returns every result with the wall time of the whole run.
func runLoad(ctx context.Context, cl *client) ([]result, time.Duration) {
	cfg := cl.cfg
	var next atomic.Int64
	var mu sync.Mutex
	var results []result
	start := time.Now()
	deadline := start.Add(cfg.duration)
	var wg sync.WaitGroup
	for range cfg.concurrency {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if cfg.requests > 0 && i >= cfg.requests || cfg.duration > 0 && !time.Now().Before(deadline) || ctx.Err() != nil {
					return
				}
				r := cl.do(ctx, cfg.jobAt(i))
				mu.Lock()
				results = append(results, r)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return results, time.Since(start)
}

// runSolo sends each distinct job alone, one after another, and keeps its
// answer: the reference the answers under load must equal.
func runSolo(ctx context.Context, cl *client, jobs []job) (map[job]string, error) {
	solo := make(map[job]string, len(jobs))
	for _, j := range jobs {
		if _, seen := solo[j]; seen {
			continue
		}
		r := cl.do(ctx, j)
		if r.err != nil {
			return nil, fmt.Errorf("alone: %w", r.err)
		}
		solo[j] = r.text
	}
	return solo, nil
}

// compare lists the successful results whose text differs from their job's
// solo answer.
func compare(solo map[job]string, results []result) []mismatch {
	var out []mismatch
	for _, r := range results {
		want, ok := solo[r.job]
		if r.err != nil || !ok || r.text == want {
			continue
		}
		out = append(out, mismatch{Model: r.job.model, Prompt: r.job.prompt, Solo: want, Load: r.text})
	}
	return out
}
