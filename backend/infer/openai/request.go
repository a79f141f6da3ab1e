package openai

import (
	"encoding/json"

	"github.com/hone-ai/hone/backend/infer"
)

// samplingBody holds the fields chat and text completions share. Pointers
// tell "absent" (OpenAI's default) from a given zero; fields whose JSON
// type varies (stop, seed) stay raw and are parsed with their name known.
type samplingBody struct {
	Model               string          `json:"model"`
	Temperature         *float64        `json:"temperature"`
	TopP                *float64        `json:"top_p"`
	MaxTokens           *int            `json:"max_tokens"`
	MaxCompletionTokens *int            `json:"max_completion_tokens"`
	N                   *int            `json:"n"`
	Stop                json.RawMessage `json:"stop"`
	Seed                json.RawMessage `json:"seed"`
	FrequencyPenalty    *float64        `json:"frequency_penalty"`
	PresencePenalty     *float64        `json:"presence_penalty"`
	TopK                *int            `json:"top_k"`
	MinP                *float64        `json:"min_p"`
	RepetitionPenalty   *float64        `json:"repetition_penalty"`
	IgnoreEOS           bool            `json:"ignore_eos"` // vLLM's and llama.cpp's: decode max_tokens, past stop tokens (benchmarks)
	Stream              bool            `json:"stream"`
	StreamOptions       *streamOptions  `json:"stream_options"`
}

// streamOptions: include_usage is OpenAI's, continuous_usage_stats vLLM's.
type streamOptions struct {
	IncludeUsage         bool `json:"include_usage"`
	ContinuousUsageStats bool `json:"continuous_usage_stats"`
}

type chatBody struct {
	Messages []messageBody `json:"messages"`
}

type messageBody struct {
	Role    string          `json:"role"`
	Content json.RawMessage `json:"content"`
}

type completionBody struct {
	Prompt json.RawMessage `json:"prompt"`
}

// sampling checks the shared fields and converts them, starting from
// OpenAI's defaults (temperature 1, top_p 1). Each check names its field;
// the first failure is the answer.
func (b *samplingBody) sampling(ctxLen int) (infer.Sampling, *infer.Error) {
	s := infer.Sampling{Temperature: 1, TopP: 1, IgnoreEOS: b.IgnoreEOS}
	var stopErr, seedErr *infer.Error
	s.Stop, stopErr = parseStop(b.Stop)
	s.Seed, seedErr = parseSeed(b.Seed)
	err := firstError(
		setFloat(&s.Temperature, b.Temperature, "temperature", 0, 2, false),
		setFloat(&s.TopP, b.TopP, "top_p", 0, 1, true),
		setFloat(&s.FrequencyPenalty, b.FrequencyPenalty, "frequency_penalty", -2, 2, false),
		setFloat(&s.PresencePenalty, b.PresencePenalty, "presence_penalty", -2, 2, false),
		setFloat(&s.MinP, b.MinP, "min_p", 0, 1, false),
		b.setRepetitionPenalty(&s),
		b.setTopK(&s),
		b.setMaxTokens(&s, ctxLen),
		b.checkN(),
		b.checkStreamOptions(),
		stopErr,
		seedErr,
	)
	return s, err
}

func firstError(errs ...*infer.Error) *infer.Error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// setFloat sets *dst to v when given, after checking it lies in [lo, hi]
// (or (lo, hi] when openLo).
func setFloat(dst *float64, v *float64, param string, lo, hi float64, openLo bool) *infer.Error {
	if v == nil {
		return nil
	}
	if *v < lo || (openLo && *v == lo) || *v > hi {
		low := "["
		if openLo {
			low = "("
		}
		return infer.Errorf("invalid_value", param, "Invalid '%s': %g is outside %s%g, %g]", param, *v, low, lo, hi)
	}
	*dst = *v
	return nil
}

// setRepetitionPenalty: vLLM requires it positive; 1 is "off".
func (b *samplingBody) setRepetitionPenalty(s *infer.Sampling) *infer.Error {
	if b.RepetitionPenalty == nil {
		return nil
	}
	if *b.RepetitionPenalty <= 0 {
		return infer.Errorf("invalid_value", "repetition_penalty",
			"Invalid 'repetition_penalty': %g must be greater than 0 (1 is off)", *b.RepetitionPenalty)
	}
	s.RepetitionPenalty = *b.RepetitionPenalty
	return nil
}

// setTopK: vLLM takes -1 or 0 for "off" and any positive count.
func (b *samplingBody) setTopK(s *infer.Sampling) *infer.Error {
	if b.TopK == nil {
		return nil
	}
	if *b.TopK < -1 {
		return infer.Errorf("invalid_value", "top_k", "Invalid 'top_k': %d must be -1 or 0 (off) or a positive count", *b.TopK)
	}
	s.TopK = max(*b.TopK, 0)
	return nil
}

// setMaxTokens takes max_completion_tokens over the older max_tokens, as
// OpenAI and vLLM do, and holds it within [1, the context length].
func (b *samplingBody) setMaxTokens(s *infer.Sampling, ctxLen int) *infer.Error {
	v, param := b.MaxCompletionTokens, "max_completion_tokens"
	if v == nil {
		v, param = b.MaxTokens, "max_tokens"
	}
	if v == nil {
		return nil
	}
	if *v < 1 {
		return infer.Errorf("invalid_value", param, "Invalid '%s': %d is below the minimum of 1", param, *v)
	}
	if ctxLen > 0 && *v > ctxLen {
		return infer.Errorf("invalid_value", param,
			"Invalid '%s': %d is more than the model's context length of %d tokens", param, *v, ctxLen)
	}
	s.MaxTokens = *v
	return nil
}

// checkN: one choice per request; the engine batches requests, not n.
func (b *samplingBody) checkN() *infer.Error {
	if b.N != nil && *b.N != 1 {
		return infer.Errorf("invalid_value", "n", "Invalid 'n': %d; this server returns one choice per request (n must be 1)", *b.N)
	}
	return nil
}

// checkStreamOptions refuses stream_options without stream, as vLLM does,
// rather than silently dropping what the client asked for.
func (b *samplingBody) checkStreamOptions() *infer.Error {
	if b.StreamOptions != nil && !b.Stream {
		return infer.Errorf("invalid_value", "stream_options", "Invalid 'stream_options': only allowed when 'stream' is true")
	}
	return nil
}

// includeUsage and continuousUsage read stream_options.
func (b *samplingBody) includeUsage() bool {
	return b.StreamOptions != nil && b.StreamOptions.IncludeUsage
}

func (b *samplingBody) continuousUsage() bool {
	return b.StreamOptions != nil && b.StreamOptions.ContinuousUsageStats
}
