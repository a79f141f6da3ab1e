package train

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/hone-ai/hone/backend/compute"
	"github.com/hone-ai/hone/backend/engine"
	"github.com/hone-ai/hone/backend/model"
	"github.com/hone-ai/hone/backend/tokenizer"
)

// setup is everything a run builds before its first step.
type setup struct {
	config      model.Config
	model       *engine.Model
	tok         *tokenizer.Tokenizer
	tmpl        *tokenizer.ChatTemplate
	stops       []int
	source      *source
	eval        []engine.Batch
	data        DataStats
	totalSteps  int
	baseSHA256  string
	digest      string // of the encoded training sequences
	fingerprint string
	warnings    []string
}

// prepare opens the model and its tokenizer, encodes the data, loads the
// weights as the method asks and attaches the adapters.
func prepare(ctx context.Context, env Env, s Spec) (*setup, error) {
	mm, err := model.OpenModel(s.Model)
	if err != nil {
		return nil, &Failure{Reason: fmt.Sprintf("the base model could not be opened: %v", err),
			Suggestion: "check that the model file or folder is complete (a download that stopped half-way leaves it truncated), or download it again"}
	}
	defer mm.Close()
	su := &setup{config: mm.Config}
	if su.baseSHA256, err = HashModel(ctx, mm); err != nil {
		return nil, err
	}
	su.fingerprint = s.Fingerprint(su.baseSHA256)
	if err := su.tokenizer(mm); err != nil {
		return nil, err
	}
	if err := su.loadData(ctx, env, s); err != nil {
		return nil, err
	}
	if err := su.loadModel(env, s, mm); err != nil {
		return nil, err
	}
	su.warn(s)
	return su, nil
}

// tokenizer loads the model's tokenizer and chat template.
func (su *setup) tokenizer(mm *model.Model) error {
	var err error
	if su.tok, su.tmpl, err = tokenizer.ForModel(mm.Path); err != nil {
		return fmt.Errorf("the model's tokenizer: %w", err)
	}
	su.stops = tokenizer.StopTokens(su.tok, su.tmpl, mm.GenerationConfig)
	return nil
}

// BaseLoader is how a run of method loads mm's base weights, and so how
// chat and evaluation load them under its adapter: NF4 for QLoRA (an
// adapter trained against the quantised base scores lower on the f32 one),
// bf16 for LoRA on 16-bit weights, f32 otherwise.
func BaseLoader(method string, mm *model.Model) func(*model.Model, compute.Device) (*engine.Model, error) {
	switch {
	case method == MethodQLoRA:
		return engine.LoadNF4
	case method == MethodLoRA && SixteenBit(mm):
		return engine.LoadBF16 // as the checkpoint stores it: half f32's memory, the same values for bf16
	}
	return engine.Load
}

// loadModel loads the base for the method and attaches fresh adapters.
func (su *setup) loadModel(env Env, s Spec, mm *model.Model) error {
	m, err := BaseLoader(s.Method, mm)(mm, env.Device)
	if err != nil {
		return err
	}
	if s.Method != MethodFull {
		if err := m.AddLoRA(engine.LoRAConfig{Rank: s.Rank, Alpha: s.Alpha, Targets: s.Targets, Dropout: s.Dropout}, s.Seed); err != nil {
			return err
		}
	}
	su.model = m
	return nil
}

// SixteenBit reports whether the model stores its linears in bf16 or f16.
func SixteenBit(mm *model.Model) bool {
	for _, t := range mm.Weights.Tensors() {
		if strings.HasSuffix(t.Name, "q_proj.weight") {
			return t.DType == "BF16" || t.DType == "F16"
		}
	}
	return false
}

// warn notes the settings practice warns against.
func (su *setup) warn(s Spec) {
	if su.tmpl == nil {
		su.warnings = append(su.warnings, "the base model has no chat template: it is a base model, not an instruction-tuned one, which is almost always the better start; Hone trains it on a plain prompt-and-answer format")
	}
	if s.Epochs > 1 && su.data.Examples < 1000 {
		su.warnings = append(su.warnings, fmt.Sprintf("%g epochs over %d examples: the model will see each example %g times and may memorise them; watch the evaluation loss", s.Epochs, su.data.Examples, s.Epochs))
	}
	if su.eval == nil {
		su.warnings = append(su.warnings, "no evaluation set: the run cannot tell learning from memorising; split the dataset (hone dataset split) and name the eval part")
	}
}

// totalSteps is the run's optimizer steps: MaxSteps, or Epochs passes of
// perEpoch micro-batches, GradAccum a step.
func totalSteps(s Spec, perEpoch int) int {
	if s.MaxSteps > 0 {
		return s.MaxSteps
	}
	return max(1, int(math.Ceil(s.Epochs*float64(perEpoch)/float64(s.GradAccum))))
}

// HashModel is the sha256 of the model's weight files (the safetensors of
// a folder, in name order; a GGUF or llama2.c file itself): the adapter's
// contract names the exact base, and a resumed run checks it is unchanged.
func HashModel(ctx context.Context, mm *model.Model) (string, error) {
	files := []string{mm.Path}
	if fi, err := os.Stat(mm.Path); err == nil && fi.IsDir() {
		files, _ = filepath.Glob(filepath.Join(mm.Path, "*.safetensors"))
		slices.Sort(files)
	}
	if len(files) == 0 {
		return "", fmt.Errorf("model %s: no weight files to hash", mm.Path)
	}
	h := sha256.New()
	for _, f := range files {
		if ctx.Err() != nil {
			return "", ctx.Err()
		}
		fd, err := os.Open(f)
		if err != nil {
			return "", err
		}
		_, err = io.Copy(h, fd)
		fd.Close()
		if err != nil {
			return "", fmt.Errorf("hash %s: %w", f, err)
		}
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

var errNoData = errors.New("no example to train on")
