package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strings"
)

// sseReader yields the data of each server-sent event. It reads by lines
// from a buffered reader, so an event split across TCP reads (or a line
// split in the middle of its JSON) comes out whole.
type sseReader struct {
	r *bufio.Reader
}

func newSSEReader(r io.Reader) *sseReader {
	return &sseReader{r: bufio.NewReaderSize(r, 64<<10)}
}

// errDone is returned after OpenAI's "data: [DONE]" terminator.
var errDone = errors.New("stream done")

// next returns the data of the next event: its data lines joined by "\n",
// as the SSE spec says. Comments (":" lines) and other fields (event:, id:,
// retry:) are skipped. It returns errDone at [DONE] and io.EOF at the end of
// the stream; an event cut off by the end of the stream is still returned.
func (s *sseReader) next() (string, error) {
	var data []string
	for {
		line, err := s.r.ReadString('\n')
		if err != nil && err != io.EOF {
			return "", err
		}
		if err == io.EOF && line == "" {
			return dispatch(data)
		}
		line = strings.TrimRight(line, "\r\n")
		if line == "" {
			if len(data) == 0 {
				continue // blank lines between events
			}
			return dispatch(data)
		}
		if field, value, ok := strings.Cut(line, ":"); ok && field == "data" {
			data = append(data, strings.TrimPrefix(value, " "))
		} else if line == "data" {
			data = append(data, "")
		}
	}
}

func dispatch(data []string) (string, error) {
	if len(data) == 0 {
		return "", io.EOF
	}
	joined := strings.Join(data, "\n")
	if joined == "[DONE]" {
		return "", errDone
	}
	return joined, nil
}

// chunk is the part of an OpenAI streaming chunk (chat or completions) the
// tool reads.
type chunk struct {
	Choices []struct {
		Delta struct {
			Content string `json:"content"`
		} `json:"delta"`
		Text string `json:"text"`
	} `json:"choices"`
	Usage *struct {
		PromptTokens     int `json:"prompt_tokens"`
		CompletionTokens int `json:"completion_tokens"`
	} `json:"usage"`
	Error any `json:"error"`
}

// content is the text this chunk adds, over all its choices.
func (c *chunk) content() string {
	var b strings.Builder
	for _, ch := range c.Choices {
		b.WriteString(ch.Delta.Content)
		b.WriteString(ch.Text)
	}
	return b.String()
}

// errorText renders a chunk's error field, which servers send as a string
// or as an object with a message.
func (c *chunk) errorText() string {
	switch e := c.Error.(type) {
	case nil:
		return ""
	case string:
		return e
	case map[string]any:
		if m, ok := e["message"].(string); ok {
			return m
		}
	}
	return fmt.Sprint(c.Error)
}
