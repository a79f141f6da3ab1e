// Command hone-serve-bench is Hone's in-process side of bench/serve/run.sh,
// on GOMAXPROCS threads:
//
//	hone-serve-bench adapters -gguf M.gguf -n 25 -out DIR
//	    makes n distinct LoRA adapters (r=16, every linear; one AdamW step
//	    each on its own text, so no two answer alike), as PEFT folders
//	hone-serve-bench engine -gguf M.gguf -adapters DIR
//	    prints memory with every adapter resident, the cost of switching
//	    adapters between steps, and decode tokens/s at batch 1, 8 rows on
//	    8 different adapters and 8 rows on one (no HTTP: the engine alone)
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/hone-ai/hone/backend/compute/cpu"
	"github.com/hone-ai/hone/backend/engine"
	"github.com/hone-ai/hone/backend/infer"
	"github.com/hone-ai/hone/backend/model"
	"github.com/hone-ai/hone/backend/tokenizer"
)

func main() {
	gguf := flag.String("gguf", os.Getenv("HONE_SMOLLM2_GGUF"), "model file")
	n := flag.Int("n", 25, "adapters: how many")
	out := flag.String("out", "", "adapters: output folder")
	dir := flag.String("adapters", "", "engine: folder of adapters (each a subfolder)")
	tokens := flag.Int("tokens", 64, "engine: tokens each request decodes")
	mode := ""
	if len(os.Args) > 1 {
		mode = os.Args[1]
		flag.CommandLine.Parse(os.Args[2:])
	}
	var err error
	switch mode {
	case "adapters":
		err = makeAdapters(*gguf, *n, *out)
	case "engine":
		err = measure(*gguf, *dir, *tokens)
	default:
		err = fmt.Errorf("usage: hone-serve-bench adapters|engine -gguf M.gguf [flags]")
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "hone-serve-bench:", err)
		os.Exit(1)
	}
}

// makeAdapters trains n adapters one step each on their own sentence.
func makeAdapters(path string, n int, out string) error {
	if out == "" {
		return fmt.Errorf("adapters: -out DIR is required")
	}
	mm, err := model.OpenModel(path)
	if err != nil {
		return err
	}
	defer mm.Close()
	tok, _, err := tokenizer.ForModel(path)
	if err != nil {
		return err
	}
	m, err := engine.Load(mm, cpu.New())
	if err != nil {
		return err
	}
	for i := range n {
		if err := m.AddLoRA(engine.LoRAConfig{Rank: 16, Alpha: 32}, uint64(i+1)); err != nil {
			return err
		}
		ids := tok.Encode(fmt.Sprintf("Adapter %d says: the answer to question %d is %d, always.", i, i*7, i*i), false)
		b := engine.Batch{B: 1, T: len(ids) - 1}
		for k := range b.T {
			b.Tokens, b.Targets = append(b.Tokens, int32(ids[k])), append(b.Targets, int32(ids[k+1]))
		}
		tr, err := engine.NewTrainer(m, engine.TrainOptions{AdamW: engine.AdamW{LR: 2e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8}})
		if err != nil {
			return err
		}
		if _, err := tr.Backward(b); err != nil {
			return err
		}
		if err := tr.Update(); err != nil {
			return err
		}
		if err := m.SaveLoRA(filepath.Join(out, fmt.Sprintf("a%02d", i))); err != nil {
			return err
		}
	}
	fmt.Printf("made %d adapters (r=16, all linears) in %s\n", n, out)
	return nil
}

func measure(path, dir string, tokens int) error {
	rss0 := rssMiB()
	e, err := infer.Open(path, infer.Options{Device: cpu.New(), MaxBatch: 16})
	if err != nil {
		return err
	}
	defer e.Close()
	runtime.GC()
	rssBase := rssMiB()
	names, err := loadAll(e, dir)
	if err != nil {
		return err
	}
	runtime.GC()
	rssAll := rssMiB()
	fmt.Printf("hone  memory: base loaded %.0f MiB RSS (+%.0f), with %d adapters resident %.0f MiB (+%.1f MiB each)\n",
		rssBase, rssBase-rss0, len(names), rssAll, (rssAll-rssBase)/float64(max(len(names), 1)))
	prompt := []infer.Message{{Role: "user", Content: "What is the capital of France?"}}
	run := func(adapters []string) (ttft, perStream, aggregate float64, err error) {
		var wg sync.WaitGroup
		var mu sync.Mutex
		var first, tps []float64
		made := 0
		start := time.Now()
		for i, a := range adapters {
			wg.Add(1)
			go func() {
				defer wg.Done()
				s := uint64(i)
				ch, gerr := e.Generate(context.Background(), infer.Request{Adapter: a, Messages: prompt,
					Sampling: infer.Sampling{Temperature: 0.7, Seed: &s, MaxTokens: tokens}})
				if gerr != nil {
					mu.Lock()
					err = gerr
					mu.Unlock()
					return
				}
				for ev := range ch {
					if ev.Done {
						mu.Lock()
						first, tps = append(first, ev.TimeToFirstMS), append(tps, ev.TokensPerSecond)
						made += ev.Usage.CompletionTokens
						mu.Unlock()
					}
				}
			}()
		}
		wg.Wait()
		return median(first), mean(tps), float64(made) / time.Since(start).Seconds(), err
	}
	one := []string{""}
	if _, _, _, err := run(one); err != nil { // warm-up
		return err
	}
	for _, c := range []struct {
		what     string
		adapters []string
	}{
		{"batch 1, base", one},
		{"batch 1, one adapter", names[:min(1, len(names))]},
		{"8 streams on one adapter", repeat(names[:min(1, len(names))], 8)},
		{"8 streams on 8 adapters", names[:min(8, len(names))]},
	} {
		if len(c.adapters) == 0 {
			continue
		}
		ttft, per, agg, err := run(c.adapters)
		if err != nil {
			return err
		}
		fmt.Printf("hone  %-26s time to first token %6.1f ms (median), %5.1f tokens/s per stream, %6.1f tokens/s in all\n", c.what+":", ttft, per, agg)
	}
	return switchCost(path, dir, names)
}

// switchCost times decode steps of one row that changes adapter every step
// against one that keeps its adapter: the difference is what a switch costs.
func switchCost(path, dir string, names []string) error {
	if len(names) < 2 {
		return nil
	}
	mm, err := model.OpenModel(path)
	if err != nil {
		return err
	}
	defer mm.Close()
	m, err := engine.LoadPacked(mm, cpu.New())
	if err != nil {
		return err
	}
	var loras []*engine.LoRA
	for _, n := range names {
		l, err := m.ReadLoRA(filepath.Join(dir, n))
		if err != nil {
			return err
		}
		loras = append(loras, l)
	}
	const steps = 200
	timeSteps := func(pick func(i int) *engine.LoRA) (time.Duration, error) {
		ws, cache := m.NewWorkspace(), m.NewCache(steps+1)
		start := time.Now()
		for i := range steps {
			if _, err := m.Step(ws, []engine.Row{{Cache: cache, Tokens: []int{1 + i%100}, LoRA: pick(i)}}); err != nil {
				return 0, err
			}
		}
		return time.Since(start) / steps, nil
	}
	same, err := timeSteps(func(int) *engine.LoRA { return loras[0] })
	if err != nil {
		return err
	}
	switched, err := timeSteps(func(i int) *engine.LoRA { return loras[i%len(loras)] })
	if err != nil {
		return err
	}
	fmt.Printf("hone  adapter switch: a decode step %.3f ms on one adapter, %.3f ms switching every step over %d: %+.1f µs per switch (a pointer per row; loading one from disk took the adapters line above)\n",
		ms(same), ms(switched), len(loras), float64((switched-same).Nanoseconds())/1000)
	return nil
}

func loadAll(e *infer.Engine, dir string) ([]string, error) {
	if dir == "" {
		return nil, nil
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var names []string
	start := time.Now()
	for _, d := range ents {
		if d.IsDir() {
			if err := e.LoadAdapter(d.Name(), filepath.Join(dir, d.Name())); err != nil {
				return nil, err
			}
			names = append(names, d.Name())
		}
	}
	sort.Strings(names)
	if len(names) > 0 {
		fmt.Printf("hone  loading an adapter from disk: %.1f ms each (%d)\n", ms(time.Since(start))/float64(len(names)), len(names))
	}
	return names, nil
}

func repeat(s []string, n int) []string {
	var out []string
	for range n {
		out = append(out, s...)
	}
	return out
}

func median(x []float64) float64 {
	if len(x) == 0 {
		return 0
	}
	sort.Float64s(x)
	return x[len(x)/2]
}

func mean(x []float64) float64 {
	s := 0.0
	for _, v := range x {
		s += v
	}
	return s / float64(max(len(x), 1))
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// rssMiB is the process's resident memory now.
func rssMiB() float64 {
	raw, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if kb, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			var v float64
			fmt.Sscanf(strings.TrimSpace(kb), "%f", &v)
			return v / 1024
		}
	}
	return 0
}
