package openai

import (
	"context"
	"fmt"
	"time"

	sdk "github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	"github.com/openai/openai-go/v3/packages/param"

	"github.com/hone-ai/hone/backend/infer"
)

// Generate streams a chat completion when r has Messages, else a text
// completion of r.Prompt. A refused request (4xx, 5xx before the stream)
// is the server's *infer.Error; the last event carries Done, Finish,
// Usage and the engine's seed and speeds (Hone's "hone" field), or Err
// when the stream broke.
func (c *Client) Generate(ctx context.Context, r infer.Request) (<-chan infer.Event, error) {
	start := time.Now()
	opts := samplingOptions(r.Sampling)
	if len(r.Messages) == 0 {
		stream := c.api.Completions.NewStreaming(ctx, completionParams(r), opts...)
		return startPump(ctx, stream, textChunk, start)
	}
	params, err := chatParams(r)
	if err != nil {
		return nil, err
	}
	stream := c.api.Chat.Completions.NewStreaming(ctx, params, opts...)
	return startPump(ctx, stream, chatChunk, start)
}

// samplingOptions sets what the SDK's params cannot carry: vLLM's extra
// fields, a seed above int64, and vLLM's continuous usage (which gives
// each event its token count). Zero values are "off" in infer.Sampling,
// so they are left out and the server's defaults (also off) apply.
func samplingOptions(s infer.Sampling) []option.RequestOption {
	opts := []option.RequestOption{option.WithJSONSet("stream_options.continuous_usage_stats", true)}
	if s.TopK > 0 {
		opts = append(opts, option.WithJSONSet("top_k", s.TopK))
	}
	if s.MinP > 0 {
		opts = append(opts, option.WithJSONSet("min_p", s.MinP))
	}
	if s.RepetitionPenalty > 0 {
		opts = append(opts, option.WithJSONSet("repetition_penalty", s.RepetitionPenalty))
	}
	if s.Seed != nil {
		opts = append(opts, option.WithJSONSet("seed", *s.Seed))
	}
	if s.IgnoreEOS {
		opts = append(opts, option.WithJSONSet("ignore_eos", true))
	}
	return opts
}

// sharedParams are the OpenAI sampling fields both endpoints take.
// Temperature is always sent: 0 is greedy here, but absent is 1 there.
type sharedParams struct {
	temperature, topP, frequency, presence param.Opt[float64]
	maxTokens                              param.Opt[int64]
}

func shared(s infer.Sampling) sharedParams {
	p := sharedParams{temperature: sdk.Float(s.Temperature)}
	if s.TopP > 0 {
		p.topP = sdk.Float(s.TopP)
	}
	if s.FrequencyPenalty != 0 {
		p.frequency = sdk.Float(s.FrequencyPenalty)
	}
	if s.PresencePenalty != 0 {
		p.presence = sdk.Float(s.PresencePenalty)
	}
	if s.MaxTokens > 0 {
		p.maxTokens = sdk.Int(int64(s.MaxTokens))
	}
	return p
}

func chatParams(r infer.Request) (sdk.ChatCompletionNewParams, error) {
	msgs, err := chatMessages(r.Messages, r.System)
	if err != nil {
		return sdk.ChatCompletionNewParams{}, err
	}
	p := shared(r.Sampling)
	return sdk.ChatCompletionNewParams{
		Model: r.Adapter, Messages: msgs, Temperature: p.temperature, TopP: p.topP,
		FrequencyPenalty: p.frequency, PresencePenalty: p.presence, MaxCompletionTokens: p.maxTokens,
		Stop:          sdk.ChatCompletionNewParamsStopUnion{OfStringArray: r.Stop},
		StreamOptions: sdk.ChatCompletionStreamOptionsParam{IncludeUsage: sdk.Bool(true)},
	}, nil
}

func completionParams(r infer.Request) sdk.CompletionNewParams {
	p := shared(r.Sampling)
	return sdk.CompletionNewParams{
		Model: sdk.CompletionNewParamsModel(r.Adapter), Prompt: sdk.CompletionNewParamsPromptUnion{OfString: sdk.String(r.Prompt)},
		Temperature: p.temperature, TopP: p.topP, FrequencyPenalty: p.frequency, PresencePenalty: p.presence, MaxTokens: p.maxTokens,
		Stop:          sdk.CompletionNewParamsStopUnion{OfStringArray: r.Stop},
		StreamOptions: sdk.ChatCompletionStreamOptionsParam{IncludeUsage: sdk.Bool(true)},
	}
}

// chatMessages converts the turns, putting system first when the turns
// have no system message of their own (infer.Request's rule).
func chatMessages(turns []infer.Message, system string) ([]sdk.ChatCompletionMessageParamUnion, error) {
	var out []sdk.ChatCompletionMessageParamUnion
	if system != "" && !hasSystem(turns) {
		out = append(out, sdk.SystemMessage(system))
	}
	for i, m := range turns {
		switch m.Role {
		case "system":
			out = append(out, sdk.SystemMessage(m.Content))
		case "developer":
			out = append(out, sdk.DeveloperMessage(m.Content))
		case "user":
			out = append(out, sdk.UserMessage(m.Content))
		case "assistant":
			out = append(out, sdk.AssistantMessage(m.Content))
		default:
			return nil, infer.Errorf("invalid_value", fmt.Sprintf("messages[%d].role", i), "Invalid role %q in message %d", m.Role, i)
		}
	}
	return out, nil
}

func hasSystem(turns []infer.Message) bool {
	for _, m := range turns {
		if m.Role == "system" || m.Role == "developer" {
			return true
		}
	}
	return false
}
