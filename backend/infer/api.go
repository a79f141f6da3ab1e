// Package infer serves a base model with many LoRA adapters resident:
// requests name an adapter (or none, for the base), run through continuous
// batching in which each row applies its own adapter, sample as llama.cpp
// and vLLM do, and stream their text token by token. The HTTP API
// (infer/openai) and the window's chat both stand on Engine.Generate.
package infer

import (
	"context"
	"fmt"
	"net/http"
)

// Message is one chat turn.
type Message struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

// Sampling is how the next token is drawn, as OpenAI, vLLM and llama.cpp
// name the settings. Zero values mean "off" except where noted; Defaults
// fills OpenAI's defaults.
type Sampling struct {
	Temperature       float64  `json:"temperature"`        // 0: greedy
	TopP              float64  `json:"top_p"`              // 1 (or 0): off
	TopK              int      `json:"top_k"`              // 0: off
	MinP              float64  `json:"min_p"`              // 0: off
	RepetitionPenalty float64  `json:"repetition_penalty"` // 1 (or 0): off; llama.cpp/HF style, over prompt and output
	FrequencyPenalty  float64  `json:"frequency_penalty"`  // OpenAI style, over the output
	PresencePenalty   float64  `json:"presence_penalty"`   // OpenAI style, over the output
	Seed              *uint64  `json:"seed,omitempty"`     // nil: a random seed (reported back)
	Stop              []string `json:"stop,omitempty"`     // stop strings, not included in the text
	MaxTokens         int      `json:"max_tokens"`         // 0: until the context is full
	IgnoreEOS         bool     `json:"ignore_eos"`         // the model's stop tokens do not end it (as vLLM's and llama.cpp's, for benchmarks)
}

// Request is one generation: a chat (Messages, through the model's chat
// template) or a raw completion (Prompt, no template).
type Request struct {
	Adapter  string    // "" or the base model's name: no adapter
	Messages []Message // chat
	System   string    // a system prompt put first in Messages when they have none
	Prompt   string    // completion, used when Messages is empty
	Sampling
}

// Usage counts a request's tokens.
type Usage struct {
	PromptTokens     int `json:"prompt_tokens"`
	CompletionTokens int `json:"completion_tokens"`
	TotalTokens      int `json:"total_tokens"`
}

// Finish reasons, as OpenAI names them (cancelled is Hone's: the client left).
const (
	FinishStop      = "stop"
	FinishLength    = "length"
	FinishCancelled = "cancelled"
)

// Event is one step of a generation's stream: some text (possibly empty
// while a stop string may be starting), or the last event with Done set.
type Event struct {
	Text   string `json:"text"`
	Tokens int    `json:"tokens"` // tokens this event's text came from
	Done   bool   `json:"done"`
	Finish string `json:"finish,omitempty"`
	Usage  Usage  `json:"usage"`
	// On the last event: the seed used, time to first token and decode speed.
	Seed            uint64  `json:"seed"`
	TimeToFirstMS   float64 `json:"ttftMs"`
	TokensPerSecond float64 `json:"tokensPerSecond"`
	Err             error   `json:"-"`
}

// ModelInfo is a model the engine serves: the base or a resident adapter.
type ModelInfo struct {
	ID      string `json:"id"`
	Adapter bool   `json:"adapter"`
	Path    string `json:"path"`
	Created int64  `json:"created"`
}

// Generator is what a front end (HTTP API, chat screen) needs of an engine.
type Generator interface {
	Models() []ModelInfo
	// Generate checks r and starts it; the channel yields its events and
	// closes after the one with Done. Cancelling ctx stops the generation
	// (finish "cancelled") and frees its row. A bad request is an *Error.
	Generate(ctx context.Context, r Request) (<-chan Event, error)
	LoadAdapter(name, dir string) error
	UnloadAdapter(name string) error
	ContextLength() int
}

// Error is a request the engine refuses, with the HTTP status and OpenAI
// error type and code a server answers with.
type Error struct {
	Status  int
	Type    string // "invalid_request_error", "not_found_error"
	Code    string // "model_not_found", "context_length_exceeded", "invalid_value", ...
	Param   string
	Message string
}

func (e *Error) Error() string { return e.Message }

// Errorf makes an invalid-request Error (400) about param.
func Errorf(code, param, format string, a ...any) *Error {
	return &Error{Status: http.StatusBadRequest, Type: "invalid_request_error", Code: code, Param: param,
		Message: fmt.Sprintf(format, a...)}
}

// NotFound is the Error for an unknown model or adapter name.
func NotFound(name string) *Error {
	return &Error{Status: http.StatusNotFound, Type: "invalid_request_error", Code: "model_not_found", Param: "model",
		Message: fmt.Sprintf("The model %q does not exist: GET /v1/models lists the base and its adapters", name)}
}
