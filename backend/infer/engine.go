package infer

import (
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/hone-ai/hone/backend/compute"
	"github.com/hone-ai/hone/backend/dataset"
	"github.com/hone-ai/hone/backend/dataset/parse"
	"github.com/hone-ai/hone/backend/engine"
	"github.com/hone-ai/hone/backend/model"
	"github.com/hone-ai/hone/backend/tokenizer"
	"github.com/hone-ai/hone/backend/train"
	"github.com/hone-ai/hone/backend/train/data"
)

// Options configure an Engine.
type Options struct {
	Name         string         // the base model's id; default: the model file or folder name
	Load         string         // weights: "auto" (default), "packed", "f32", "bf16", "nf4"
	Context      int            // most positions a sequence may use; default min(the model's, 4096)
	MaxBatch     int            // sequences decoding at once; default 16, the rest wait
	StepTokens   int            // tokens one step carries (prompt chunks plus decodes), past the first chunk; default 512
	PrefillChunk int            // a prompt is read this many tokens at a time; default 256
	Device       compute.Device // required
}

// Engine is a base model with resident adapters and the loop that batches
// every running request into one step at a time (loop.go).
type Engine struct {
	name, path string
	o          Options
	m          *engine.Model
	tok        *tokenizer.Tokenizer
	enc        *data.Encoder
	stops      map[int]bool
	created    int64
	baseHash   func() (string, error) // sha256 of the base's weight files, computed once when an adapter asks

	mu       sync.Mutex
	adapters map[string]*resident
	waiting  []*job
	wake     chan struct{}
	done     chan struct{}
	closed   bool
}

// resident is an adapter held in memory, ready for any request.
type resident struct {
	info ModelInfo
	lora *engine.LoRA
}

// Open loads the base model at path for serving.
func Open(path string, o Options) (*Engine, error) {
	mm, err := model.OpenModel(path)
	if err != nil {
		return nil, err
	}
	defer mm.Close()
	load, err := loader(o.Load, mm)
	if err != nil {
		return nil, err
	}
	m, err := load(mm, o.Device)
	if err != nil {
		return nil, fmt.Errorf("load %s: %w", path, err)
	}
	tok, tmpl, err := tokenizer.ForModel(mm.Path)
	if err != nil {
		return nil, fmt.Errorf("the model's tokenizer: %w", err)
	}
	e := &Engine{path: mm.Path, o: o, m: m, tok: tok, enc: data.NewEncoder(tok, tmpl, data.Options{}),
		stops: map[int]bool{}, created: time.Now().Unix(), adapters: map[string]*resident{},
		wake: make(chan struct{}, 1), done: make(chan struct{})}
	for _, id := range tokenizer.StopTokens(tok, tmpl, mm.GenerationConfig) {
		e.stops[id] = true
	}
	if mm.Format == model.FormatLlama2C && tok.BOS() >= 0 {
		// llama2.c's models end a story with BOS, the delimiter they were
		// trained on (its run.c stops there), not EOS.
		e.stops[tok.BOS()] = true
	}
	e.name = o.Name
	if e.name == "" {
		base := filepath.Base(mm.Path)
		e.name = strings.TrimSuffix(base, filepath.Ext(base))
	}
	if e.o.Context <= 0 {
		e.o.Context = min(max(mm.Config.MaxPositions, 1), 4096)
	}
	e.o.Context = min(e.o.Context, max(mm.Config.MaxPositions, 1))
	if e.o.MaxBatch <= 0 {
		e.o.MaxBatch = 16
	}
	if e.o.StepTokens <= 0 {
		e.o.StepTokens = 512
	}
	if e.o.PrefillChunk <= 0 {
		e.o.PrefillChunk = 256
	}
	e.baseHash = sync.OnceValues(func() (string, error) { return hashBase(e.path) })
	go e.loop()
	return e, nil
}

// loader picks how the base's weights load: GGUF files keep their blocks
// (as llama.cpp does), 16-bit folders load as bf16, the rest as f32.
func loader(how string, mm *model.Model) (func(*model.Model, compute.Device) (*engine.Model, error), error) {
	switch how {
	case "", "auto":
		if mm.Format == model.FormatGGUF {
			return engine.LoadPacked, nil
		}
		if train.SixteenBit(mm) {
			return engine.LoadBF16, nil
		}
		return engine.Load, nil
	case "packed":
		return engine.LoadPacked, nil
	case "f32":
		return engine.Load, nil
	case "bf16":
		return engine.LoadBF16, nil
	case "nf4":
		return engine.LoadNF4, nil
	}
	return nil, fmt.Errorf("weights %q: want auto, packed, f32, bf16 or nf4", how)
}

// Name is the base model's id; Path its file or folder.
func (e *Engine) Name() string { return e.name }
func (e *Engine) Path() string { return e.path }

// ContextLength is the most positions a request's prompt and answer share.
func (e *Engine) ContextLength() int { return e.o.Context }

// Models lists the base, then the adapters by name.
func (e *Engine) Models() []ModelInfo {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := []ModelInfo{{ID: e.name, Path: e.path, Created: e.created}}
	for _, r := range e.adapters {
		out = append(out, r.info)
	}
	sort.Slice(out[1:], func(i, j int) bool { return out[1+i].ID < out[1+j].ID })
	return out
}

// Close stops the loop; running and waiting requests end cancelled.
func (e *Engine) Close() {
	e.mu.Lock()
	if !e.closed {
		e.closed = true
		close(e.done)
	}
	e.mu.Unlock()
}

// prompt renders a request to token ids: a chat through the model's chat
// template exactly as training renders the turns before an answer (for a
// model without one, the plain format training uses), a completion as its
// text after BOS.
func (e *Engine) prompt(r Request) ([]int, error) {
	if len(r.Messages) == 0 {
		return e.tok.Encode(r.Prompt, true), nil
	}
	var msgs []parse.Message
	if r.System != "" && r.Messages[0].Role != "system" {
		msgs = append(msgs, parse.Message{Role: "system", Content: r.System})
	}
	for i, m := range r.Messages {
		switch m.Role {
		case "system", "user", "assistant":
		default:
			return nil, Errorf("invalid_value", fmt.Sprintf("messages[%d].role", i), "messages[%d].role %q: want system, user or assistant", i, m.Role)
		}
		msgs = append(msgs, parse.Message{Role: m.Role, Content: m.Content})
	}
	if msgs[len(msgs)-1].Role == "assistant" {
		return nil, Errorf("invalid_value", "messages", "the last message is the assistant's: there is nothing to answer")
	}
	msgs = append(msgs, parse.Message{Role: "assistant"})
	ids, _, err := e.enc.Prompt(dataset.Example{Messages: msgs})
	if err != nil {
		return nil, Errorf("invalid_value", "messages", "the chat template: %v", err)
	}
	out := make([]int, len(ids))
	for i, id := range ids {
		out[i] = int(id)
	}
	return out, nil
}
