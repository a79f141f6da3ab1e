package model

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// maxHFConfigSize bounds what LoadHFConfig reads: real config.json files are
// a few KiB, so anything bigger is the wrong file.
const maxHFConfigSize = 16 << 20

// LoadHFConfig reads a Hugging Face config.json; path is the model folder or
// the file itself. Name is the folder's base name.
func LoadHFConfig(path string) (Config, error) {
	file, err := filepath.Abs(path)
	if err != nil {
		return Config{}, fmt.Errorf("config %s: %w", path, err)
	}
	fi, err := os.Stat(file)
	if err != nil {
		return Config{}, fmt.Errorf("load model config: %w", err)
	}
	if fi.IsDir() {
		dir := file
		file = filepath.Join(dir, "config.json")
		if _, err := os.Stat(file); errors.Is(err, fs.ErrNotExist) {
			return Config{}, fmt.Errorf("model folder %s has no config.json", dir)
		}
	}
	data, err := readLimited(file, maxHFConfigSize)
	if err != nil {
		return Config{}, fmt.Errorf("config %s: %w", file, err)
	}
	return parseHFConfig(data, file)
}

// readLimited reads a whole file that must not exceed limit bytes.
func readLimited(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("larger than %d MiB, not a model config", limit>>20)
	}
	return data, nil
}

// parseHFConfig turns config.json bytes into a validated Config; source is the
// file path, used in errors and for the model's name (its folder).
func parseHFConfig(data []byte, source string) (Config, error) {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(data, &obj); err != nil {
		return Config{}, fmt.Errorf("config %s: %w", source, describeJSONError(data, err))
	}
	if obj == nil {
		return Config{}, fmt.Errorf("config %s: want a JSON object, got null", source)
	}
	// Multimodal wrappers (Gemma 3, Llama 4, Mistral 3) keep the decoder in
	// text_config and omit its defaults, which we cannot fill in here.
	if _, ok := obj["hidden_size"]; !ok {
		if _, ok := obj["text_config"]; ok {
			return Config{}, fmt.Errorf("config %s: multimodal config (sizes in \"text_config\") is not supported", source)
		}
	}
	f := hfFields{source: source, obj: obj}
	c := Config{
		Name:             filepath.Base(filepath.Dir(source)),
		HiddenSize:       f.int("hidden_size"),
		Layers:           f.int("num_hidden_layers"),
		Heads:            f.int("num_attention_heads"),
		IntermediateSize: f.int("intermediate_size"),
		VocabSize:        f.int("vocab_size"),
		MaxPositions:     f.int("max_position_embeddings"),
		Source:           source,
	}
	c.Architecture = f.architecture()
	kvHeads, hasKV := f.optInt("num_key_value_heads")
	headDim, hasHeadDim := f.optInt("head_dim")
	tied, hasTied := f.optBool("tie_word_embeddings")
	// transformers' defaults for the Llama family.
	c.RopeTheta, c.NormEps = 10000, 1e-6
	if v, ok := f.optFloat("rms_norm_eps"); ok {
		c.NormEps = v
	}
	// transformers 5 keeps rope_theta and the scaling in rope_parameters.
	f.rope(&c, "rope_parameters")
	f.rope(&c, "rope_scaling")
	if v, ok := f.optFloat("rope_theta"); ok {
		c.RopeTheta = v
	}
	if !hasHeadDim && hfHeadDim(c.Architecture) > 0 {
		headDim, hasHeadDim = hfHeadDim(c.Architecture), true
	}
	f.variants(&c)
	if f.err != nil {
		return Config{}, f.err
	}

	if err := c.setAttention(kvHeads, hasKV, headDim, hasHeadDim); err != nil {
		return Config{}, fmt.Errorf("config %s: %w", source, err)
	}
	// Transformers drops tie_word_embeddings from config.json when it equals
	// the class default, which is true only for the Gemma family.
	c.TiedEmbeddings = tied
	if !hasTied {
		switch c.Architecture {
		case "gemma", "gemma2", "gemma3", "gemma3_text":
			c.TiedEmbeddings = true
		}
	}
	return c, c.Validate()
}

// hfFields reads typed fields from a config.json object, remembering the
// first error so the caller can read every field and check once.
type hfFields struct {
	source string
	obj    map[string]json.RawMessage
	err    error
}

// raw returns the field's JSON, treating null as absent (transformers writes
// null for unset optional fields such as head_dim).
func (f *hfFields) raw(key string) (json.RawMessage, bool) {
	v, ok := f.obj[key]
	if !ok || string(bytes.TrimSpace(v)) == "null" {
		return nil, false
	}
	return v, true
}

func (f *hfFields) fail(format string, args ...any) {
	if f.err == nil {
		f.err = fmt.Errorf("config %s: "+format, append([]any{f.source}, args...)...)
	}
}

func (f *hfFields) int(key string) int {
	v, ok := f.optInt(key)
	if !ok {
		f.fail("missing field %q", key)
	}
	return v
}

func (f *hfFields) optInt(key string) (int, bool) {
	raw, ok := f.raw(key)
	if !ok {
		return 0, false
	}
	// Not json.Number: it would also accept a quoted "4096".
	if kind := jsonKind(raw); kind != "a number" {
		f.fail("field %q: want an integer, got %s", key, kind)
		return 0, true
	}
	v, err := strconv.ParseInt(string(bytes.TrimSpace(raw)), 10, strconv.IntSize)
	if err != nil {
		f.fail("field %q: want an integer, got %s", key, bytes.TrimSpace(raw))
		return 0, true
	}
	return int(v), true
}

func (f *hfFields) optFloat(key string) (float64, bool) {
	raw, ok := f.raw(key)
	if !ok {
		return 0, false
	}
	var v float64
	if kind := jsonKind(raw); kind != "a number" || json.Unmarshal(raw, &v) != nil {
		f.fail("field %q: want a number, got %s", key, kind)
	}
	return v, true
}

// rope reads RoPE settings from an object such as rope_scaling:
// {"rope_type" (or "type"), "factor", "original_max_position_embeddings",
// "low_freq_factor", "high_freq_factor", "rope_theta", and YaRN's
// "attention_factor", "beta_fast", "beta_slow", "mscale", "mscale_all_dim"}.
func (f *hfFields) rope(c *Config, key string) {
	raw, ok := f.raw(key)
	if !ok {
		return
	}
	var r struct {
		RopeType string  `json:"rope_type"`
		Type     string  `json:"type"`
		Factor   float64 `json:"factor"`
		Original float64 `json:"original_max_position_embeddings"`
		Low      float64 `json:"low_freq_factor"`
		High     float64 `json:"high_freq_factor"`
		Theta    float64 `json:"rope_theta"`
		// YaRN.
		Attention    float64 `json:"attention_factor"`
		BetaFast     float64 `json:"beta_fast"`
		BetaSlow     float64 `json:"beta_slow"`
		Mscale       float64 `json:"mscale"`
		MscaleAllDim float64 `json:"mscale_all_dim"`
	}
	if err := json.Unmarshal(raw, &r); err != nil {
		f.fail("field %q: want an object of RoPE settings: %v", key, describeJSONError(raw, err))
		return
	}
	if r.Theta != 0 {
		c.RopeTheta = r.Theta
	}
	if r.RopeType == "" {
		r.RopeType = r.Type
	}
	if r.RopeType != "" && r.RopeType != "default" {
		c.RopeScaling = RopeScaling{Type: r.RopeType, Factor: r.Factor, OriginalMaxPositions: int(min(max(r.Original, 0), 1<<30)), LowFreqFactor: r.Low, HighFreqFactor: r.High,
			AttentionFactor: r.Attention, BetaFast: r.BetaFast, BetaSlow: r.BetaSlow, Mscale: r.Mscale, MscaleAllDim: r.MscaleAllDim}
	}
}

func (f *hfFields) optBool(key string) (bool, bool) {
	raw, ok := f.raw(key)
	if !ok {
		return false, false
	}
	var v bool
	if err := json.Unmarshal(raw, &v); err != nil {
		f.fail("field %q: want true or false, got %s", key, jsonKind(raw))
	}
	return v, true
}

func (f *hfFields) optString(key string) (string, bool) {
	raw, ok := f.raw(key)
	if !ok {
		return "", false
	}
	var v string
	if err := json.Unmarshal(raw, &v); err != nil {
		f.fail("field %q: want a string, got %s", key, jsonKind(raw))
	}
	return v, true
}

// architecture is model_type in lower case; configs without one fall back to
// the first class in architectures ("LlamaForCausalLM" -> "llama").
func (f *hfFields) architecture() string {
	if mt, ok := f.optString("model_type"); ok {
		return strings.ToLower(mt)
	}
	raw, ok := f.raw("architectures")
	if !ok {
		return ""
	}
	var archs []string
	if err := json.Unmarshal(raw, &archs); err != nil {
		f.fail("field %q: want a list of strings, got %s", "architectures", jsonKind(raw))
		return ""
	}
	if len(archs) == 0 {
		return ""
	}
	return strings.TrimSuffix(strings.ToLower(archs[0]), "forcausallm")
}

// jsonKind names the JSON type of a value for error messages.
func jsonKind(raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return "nothing"
	}
	switch raw[0] {
	case '"':
		return "a string"
	case '{':
		return "an object"
	case '[':
		return "an array"
	case 't', 'f':
		return "a boolean"
	}
	return "a number"
}

// describeJSONError turns a decoding error into one that says where in the
// file the problem is, as line:column.
func describeJSONError(data []byte, err error) error {
	var syn *json.SyntaxError
	if errors.As(err, &syn) {
		// Offset counts the bytes read, including the offending one.
		p := int(min(max(syn.Offset-1, 0), int64(len(data))))
		line := 1 + bytes.Count(data[:p], []byte("\n"))
		col := p - bytes.LastIndexByte(data[:p], '\n')
		return fmt.Errorf("invalid JSON at %d:%d: %s", line, col, syn)
	}
	var typ *json.UnmarshalTypeError
	if errors.As(err, &typ) {
		return fmt.Errorf("want a JSON object, got %s", typ.Value)
	}
	return err
}
