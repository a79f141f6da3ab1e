// Command hone-engine-bench prints Hone's side of bench/engine/run.sh: the
// decode speed of a GGUF chat model, or the speed and peak memory of a LoRA
// training step, on GOMAXPROCS threads (the CPU kernels use that many).
//
//	go run ./bench/engine/hone -gguf M.gguf prompt [-prompt Q]   (the rendered chat, for llama.cpp's side)
//	go run ./bench/engine/hone -gguf M.gguf decode [-prompt Q] [-n 128]
//	go run ./bench/engine/hone -gguf M.gguf train [-seq 256] [-batch 4] [-rank 16] [-steps 3]
package main

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hone-ai/hone/backend/compute"
	"github.com/hone-ai/hone/backend/compute/cpu"
	"github.com/hone-ai/hone/backend/engine"
	"github.com/hone-ai/hone/backend/model"
	"github.com/hone-ai/hone/backend/tokenizer"
)

func main() {
	gguf := flag.String("gguf", os.Getenv("HONE_SMOLLM2_GGUF"), "model file")
	prompt := flag.String("prompt", "What is the capital of France?", "decode: the user turn")
	n := flag.Int("n", 128, "decode: tokens to generate (EOS is ignored so every run makes n)")
	seq := flag.Int("seq", 256, "train: sequence length")
	batch := flag.Int("batch", 4, "train: micro-batch")
	rank := flag.Int("rank", 16, "train: LoRA rank, on all seven linears of every layer")
	steps := flag.Int("steps", 3, "train: timed steps, after one untimed warm-up step")
	nf4 := flag.Bool("nf4", false, "train: the base quantised to NF4 as it loads (QLoRA)")
	flag.Parse()
	if *gguf == "" || flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: hone-engine-bench -gguf M.gguf prompt|decode|train [flags]")
		os.Exit(2)
	}
	var err error
	switch flag.Arg(0) {
	case "prompt":
		var text string
		if text, _, err = render(*gguf, *prompt); err == nil {
			fmt.Print(text)
		}
	case "decode":
		err = decode(*gguf, *prompt, *n)
	case "train":
		err = train(*gguf, *seq, *batch, *rank, *steps, *nf4)
	default:
		err = fmt.Errorf("unknown mode %q", flag.Arg(0))
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "hone-engine-bench:", err)
		os.Exit(1)
	}
}

// open reads the model with loader: f32 or NF4 for training, packed for decoding.
func open(path string, loader func(*model.Model, compute.Device) (*engine.Model, error)) (*engine.Model, error) {
	mm, err := model.OpenModel(path)
	if err != nil {
		return nil, err
	}
	defer mm.Close()
	return loader(mm, cpu.New())
}

// decode times the prompt's prefill plus the first token (time to first
// token) and then one-token steps with the KV cache, as llama.cpp's side
// measures them. The weights stay in the GGUF's blocks (engine.LoadPacked),
// as llama.cpp keeps them.
func decode(path, question string, n int) error {
	m, err := open(path, engine.LoadPacked)
	if err != nil {
		return err
	}
	text, tok, err := render(path, question)
	if err != nil {
		return err
	}
	prompt := tok.Encode(text, false)
	cache := m.NewCache(len(prompt) + n)
	start := time.Now()
	next := prompt
	var ttft time.Duration
	for i := range n {
		logits, err := m.Next(cache, next)
		if err != nil {
			return err
		}
		next = []int{slices.Index(logits, slices.Max(logits))}
		if i == 0 {
			ttft = time.Since(start)
		}
	}
	rest := time.Since(start) - ttft
	fmt.Printf("hone      decode: threads %d, prompt %d tokens, time to first token %.1f ms, decode %.1f tokens/s (%d tokens), packed weights\n",
		runtime.GOMAXPROCS(0), len(prompt), ms(ttft), float64(n-1)/rest.Seconds(), n-1)
	return nil
}

// train times LoRA steps (forward, backward, AdamW) on random tokens: the
// speed does not depend on the values, and PyTorch's side uses the same
// shapes. Every target counts, as with packed sequences.
func train(path string, seq, batch, rank, steps int, nf4 bool) error {
	loader, base := engine.Load, "f32 base"
	if nf4 {
		loader, base = engine.LoadNF4, "NF4 base (QLoRA)"
	}
	m, err := open(path, loader)
	if err != nil {
		return err
	}
	if err := m.AddLoRA(engine.LoRAConfig{Rank: rank, Alpha: float64(2 * rank)}, 1); err != nil {
		return err
	}
	tr, err := engine.NewTrainer(m, engine.TrainOptions{AdamW: engine.AdamW{LR: 1e-4, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8}})
	if err != nil {
		return err
	}
	r := rand.New(rand.NewPCG(1, 2))
	b := engine.Batch{B: batch, T: seq, Tokens: make([]int32, batch*seq), Targets: make([]int32, batch*seq)}
	for i := range b.Tokens {
		b.Tokens[i], b.Targets[i] = int32(r.IntN(m.Config.VocabSize)), int32(r.IntN(m.Config.VocabSize))
	}
	loaded := peakRSS()
	resetPeak()
	var took time.Duration
	for step := range steps + 1 {
		start := time.Now()
		if _, err := tr.Backward(b); err != nil {
			return err
		}
		if err := tr.Update(); err != nil {
			return err
		}
		if step > 0 { // the first step pays for first-touch page faults
			took += time.Since(start)
		}
	}
	fmt.Printf("hone      train:  threads %d, %s, LoRA r=%d all linears, batch %dx%d, %.1f tokens/s (%.2f s/step), peak RSS %.0f MiB in training (%.0f MiB while loading)\n",
		runtime.GOMAXPROCS(0), base, rank, batch, seq, float64(steps*batch*seq)/took.Seconds(), took.Seconds()/float64(steps), peakRSS(), loaded)
	return nil
}

// render writes one user turn through the model's chat template (the
// question as is for a base model).
func render(path, question string) (string, *tokenizer.Tokenizer, error) {
	tok, tmpl, err := tokenizer.ForModel(path)
	if err != nil || tmpl == nil {
		return question, tok, err
	}
	text, err := tmpl.Render([]tokenizer.Message{{Role: "user", Content: question}},
		tokenizer.RenderOptions{AddGenerationPrompt: true})
	return text, tok, err
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// peakRSS is the process's resident high-water mark (VmHWM) in MiB since
// start or the last resetPeak; 0 where /proc has no such line.
func peakRSS() float64 {
	raw, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if kb, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			v, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(kb), " kB"), 64)
			return v / 1024
		}
	}
	return 0
}

// resetPeak sets VmHWM to the current RSS (Linux >= 4.0), so that the
// training peak is not the loader's; PyTorch's side does the same.
func resetPeak() { _ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) }
