package openai

import "github.com/hone-ai/hone/backend/infer"

// completion is the envelope of every answer and chunk of both endpoints.
// Usage is omitted from chunks unless asked for; Hone is the package
// comment's extension.
type completion struct {
	ID      string       `json:"id"`
	Object  string       `json:"object"`
	Created int64        `json:"created"`
	Model   string       `json:"model"`
	Choices any          `json:"choices"`
	Usage   *infer.Usage `json:"usage,omitempty"`
	Hone    *honeStats   `json:"hone,omitempty"`
}

type honeStats struct {
	Seed            uint64  `json:"seed"`
	TimeToFirstMS   float64 `json:"ttft_ms"`
	TokensPerSecond float64 `json:"tokens_per_second"`
}

func statsOf(ev infer.Event) *honeStats {
	return &honeStats{Seed: ev.Seed, TimeToFirstMS: ev.TimeToFirstMS, TokensPerSecond: ev.TokensPerSecond}
}

// Chat choices: a whole message, or a delta. A delta's content is a
// pointer so the last chunk's delta can be {} as OpenAI sends it.
type chatMessage struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

type chatChoice struct {
	Index        int         `json:"index"`
	Message      chatMessage `json:"message"`
	Logprobs     *struct{}   `json:"logprobs"`
	FinishReason string      `json:"finish_reason"`
}

type chatDelta struct {
	Role    string  `json:"role,omitempty"`
	Content *string `json:"content,omitempty"`
}

type chatChunkChoice struct {
	Index        int       `json:"index"`
	Delta        chatDelta `json:"delta"`
	Logprobs     *struct{} `json:"logprobs"`
	FinishReason *string   `json:"finish_reason"`
}

// textChoice is a text completion's choice, whole or chunk alike.
type textChoice struct {
	Text         string    `json:"text"`
	Index        int       `json:"index"`
	Logprobs     *struct{} `json:"logprobs"`
	FinishReason *string   `json:"finish_reason"`
}

// shape is what differs between the two endpoints' answers.
type shape struct {
	object      string // a whole answer's object
	chunkObject string // a stream chunk's object
	idPrefix    string
	whole       func(text, finish string) any         // the choice of a whole answer
	delta       func(text string, finish *string) any // the choice of a chunk
	opening     any                                   // the first chunk's choice, if any
}

var chatShape = shape{
	object: "chat.completion", chunkObject: "chat.completion.chunk", idPrefix: "chatcmpl-",
	whole: func(text, finish string) any {
		return chatChoice{Message: chatMessage{Role: "assistant", Content: text}, FinishReason: finish}
	},
	delta: func(text string, finish *string) any {
		if finish != nil {
			return chatChunkChoice{FinishReason: finish}
		}
		return chatChunkChoice{Delta: chatDelta{Content: &text}}
	},
	// OpenAI opens a chat stream with the role and empty content.
	opening: chatChunkChoice{Delta: chatDelta{Role: "assistant", Content: new(string)}},
}

// textShape: OpenAI names a text completion's chunks "text_completion"
// too, and sends no opening chunk.
var textShape = shape{
	object: "text_completion", chunkObject: "text_completion", idPrefix: "cmpl-",
	whole: func(text, finish string) any { return textChoice{Text: text, FinishReason: &finish} },
	delta: func(text string, finish *string) any { return textChoice{Text: text, FinishReason: finish} },
}
