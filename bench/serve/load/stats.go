package main

import (
	"fmt"
	"io"
	"math"
	"slices"
	"time"
)

// percentile is the nearest-rank percentile (0 < p <= 100): the smallest
// value with at least p% of the values at or below it, so always one that
// was measured. 0 for no values.
func percentile(values []float64, p float64) float64 {
	if len(values) == 0 {
		return 0
	}
	sorted := slices.Sorted(slices.Values(values))
	rank := int(math.Ceil(p / 100 * float64(len(sorted))))
	return sorted[max(rank, 1)-1]
}

func mean(values []float64) float64 {
	if len(values) == 0 {
		return 0
	}
	var sum float64
	for _, v := range values {
		sum += v
	}
	return sum / float64(len(values))
}

// summary is a run's figures; -json prints it as is.
type summary struct {
	Label            string     `json:"label,omitempty"`
	Concurrency      int        `json:"concurrency"`
	Models           []string   `json:"models"`
	Endpoint         string     `json:"endpoint"`
	MaxTokens        int        `json:"max_tokens"`
	OK               int        `json:"requests_ok"`
	Failed           int        `json:"requests_failed"`
	Errors           []string   `json:"errors,omitempty"`
	TTFTp50          float64    `json:"ttft_ms_p50"`
	TTFTp99          float64    `json:"ttft_ms_p99"`
	E2Ep50           float64    `json:"e2e_ms_p50"`
	E2Ep99           float64    `json:"e2e_ms_p99"`
	DecodeMean       float64    `json:"decode_tokens_per_s_mean"`
	Aggregate        float64    `json:"aggregate_tokens_per_s"`
	CompletionTokens int        `json:"completion_tokens"`
	PromptTokensMean float64    `json:"prompt_tokens_mean,omitempty"`
	TokenSource      string     `json:"token_source"`
	WallSeconds      float64    `json:"wall_s"`
	Mismatches       []mismatch `json:"mismatches,omitempty"`
}

// mismatch is a -verify failure: a streamed answer under load that differs
// from the same request's answer alone.
type mismatch struct {
	Model  string `json:"model"`
	Prompt string `json:"prompt"`
	Solo   string `json:"solo"`
	Load   string `json:"load"`
}

const maxErrors = 5

// summarize reduces the results of one load run over wall time.
func summarize(cfg *config, results []result, wall time.Duration) summary {
	s := summary{Label: cfg.label, Concurrency: cfg.concurrency, Models: cfg.models,
		MaxTokens: cfg.maxTokens, WallSeconds: wall.Seconds()}
	s.Endpoint = (&client{cfg: cfg}).endpoint()
	var ttft, e2e, rate, prompt []float64
	usage := 0
	for _, r := range results {
		if r.err != nil {
			s.Failed++
			if len(s.Errors) < maxErrors {
				s.Errors = append(s.Errors, r.err.Error())
			}
			continue
		}
		s.OK++
		s.CompletionTokens += r.tokens
		e2e = append(e2e, ms(r.e2e))
		if r.ttft > 0 { // a stream with no content has no first token
			ttft = append(ttft, ms(r.ttft))
		}
		if v := r.decodeRate(); v > 0 {
			rate = append(rate, v)
		}
		if r.fromUsage {
			usage++
			prompt = append(prompt, float64(r.promptTokens))
		}
	}
	s.TTFTp50, s.TTFTp99 = percentile(ttft, 50), percentile(ttft, 99)
	s.E2Ep50, s.E2Ep99 = percentile(e2e, 50), percentile(e2e, 99)
	s.DecodeMean = mean(rate)
	s.PromptTokensMean = mean(prompt)
	if wall > 0 {
		s.Aggregate = float64(s.CompletionTokens) / wall.Seconds()
	}
	switch {
	case usage == s.OK:
		s.TokenSource = "usage"
	case usage == 0:
		s.TokenSource = "content chunks"
	default:
		s.TokenSource = fmt.Sprintf("usage for %d of %d, content chunks for the rest", usage, s.OK)
	}
	return s
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// print writes the summary for a person.
func (s *summary) print(w io.Writer) {
	label := ""
	if s.Label != "" {
		label = s.Label + ": "
	}
	fmt.Fprintf(w, "%s%d ok, %d failed; concurrency %d over %d model(s), %s, max_tokens %d\n",
		label, s.OK, s.Failed, s.Concurrency, len(s.Models), s.Endpoint, s.MaxTokens)
	for _, e := range s.Errors {
		fmt.Fprintf(w, "  error: %s\n", e)
	}
	fmt.Fprintf(w, "  time to first token  p50 %.1f ms, p99 %.1f ms", s.TTFTp50, s.TTFTp99)
	if s.PromptTokensMean > 0 {
		fmt.Fprintf(w, " (prompt %.0f tokens)", s.PromptTokensMean)
	}
	fmt.Fprintf(w, "\n  end-to-end latency   p50 %.1f ms, p99 %.1f ms\n", s.E2Ep50, s.E2Ep99)
	if s.DecodeMean > 0 {
		fmt.Fprintf(w, "  per-stream decode    mean %.1f tokens/s\n", s.DecodeMean)
	} else {
		fmt.Fprintln(w, "  per-stream decode    n/a (no stream made two tokens)")
	}
	fmt.Fprintf(w, "  aggregate            %.1f completion tokens/s (%d tokens in %.2f s; counted from %s)\n",
		s.Aggregate, s.CompletionTokens, s.WallSeconds, s.TokenSource)
	for _, m := range s.Mismatches {
		fmt.Fprintf(w, "  MISMATCH %s, prompt %q:\n    alone: %q\n    load:  %q\n", m.Model, truncate(m.Prompt, 80), m.Solo, m.Load)
	}
}
