package tokenizer

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/hone-ai/hone/backend/testfiles"
)

var benchTokenizers = []string{"llama3", "qwen3", "mistral"}

// BenchmarkEncode encodes the conformance corpus; tokens/s is the figure to
// compare with the reference (see TestEncodeSpeedVsReference).
func BenchmarkEncode(b *testing.B) {
	for _, name := range benchTokenizers {
		b.Run(name, func(b *testing.B) {
			tok, _ := loadHF(b, name)
			texts := loadCorpus(b)
			b.ResetTimer()
			tokens := 0
			for range b.N {
				for _, s := range texts {
					tokens += len(tok.Encode(s, false))
				}
			}
			b.ReportMetric(float64(tokens)/b.Elapsed().Seconds(), "tokens/s")
		})
	}
}

// encodeRate measures Hone's encode throughput on the corpus for at least d.
func encodeRate(tok *Tokenizer, texts []string, d time.Duration) float64 {
	for _, s := range texts {
		tok.Encode(s, false)
	}
	tokens := 0
	start := time.Now()
	for time.Since(start) < d {
		for _, s := range texts {
			tokens += len(tok.Encode(s, false))
		}
	}
	return float64(tokens) / time.Since(start).Seconds()
}

// TestEncodeSpeedVsReference prints Hone's encode throughput beside the
// reference's (@huggingface/tokenizers under Node) in the same run. It
// needs node and the reference packages, and runs only when
// HONE_TOKENIZER_BENCH=1.
func TestEncodeSpeedVsReference(t *testing.T) {
	if os.Getenv("HONE_TOKENIZER_BENCH") != "1" {
		t.Skip("set HONE_TOKENIZER_BENCH=1 to compare encode speed with the reference")
	}
	testfiles.ReferenceTokenizers(t, "@lenml")
	const seconds = 2
	cmd := exec.Command("node", filepath.Join(refDir, "bench.mjs"), fmt.Sprint(seconds))
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, os.Stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("node bench.mjs: %v", err)
	}
	ref := map[string]float64{}
	sc := bufio.NewScanner(&out)
	for sc.Scan() {
		var r struct {
			Tokenizer  string  `json:"tokenizer"`
			TokensPerS float64 `json:"tokens_per_s"`
		}
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("bench.mjs output %q: %v", sc.Text(), err)
		}
		ref[r.Tokenizer] = r.TokensPerS
	}
	texts := loadCorpus(t)
	fmt.Printf("%-8s %14s %14s %7s\n", "", "Hone tok/s", "reference", "ratio")
	for _, name := range benchTokenizers {
		tok, _ := loadHF(t, name)
		hone := encodeRate(tok, texts, seconds*time.Second)
		fmt.Printf("%-8s %14.0f %14.0f %6.2fx\n", name, hone, ref[name], hone/ref[name])
		if hone < ref[name] {
			t.Errorf("%s: Hone encodes %.0f tokens/s, slower than the reference's %.0f", name, hone, ref[name])
		}
	}
}
