package openai

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/hone-ai/hone/backend/infer"
)

// maxStops is how many stop strings a request may give: OpenAI allows 4,
// vLLM any number; 16 covers chat templates' several end markers.
const maxStops = 16

// isNull reports an absent or null raw field.
func isNull(raw json.RawMessage) bool {
	return len(raw) == 0 || bytes.Equal(raw, []byte("null"))
}

// parseStop reads stop: a string or an array of up to maxStops non-empty
// strings (an empty one would end every generation at once).
func parseStop(raw json.RawMessage) ([]string, *infer.Error) {
	if isNull(raw) {
		return nil, nil
	}
	var one string
	var stops []string
	if json.Unmarshal(raw, &one) == nil {
		stops = []string{one}
	} else if err := json.Unmarshal(raw, &stops); err != nil {
		return nil, infer.Errorf("invalid_type", "stop", "Invalid type for 'stop': expected a string or an array of strings")
	}
	if len(stops) > maxStops {
		return nil, infer.Errorf("invalid_value", "stop", "Invalid 'stop': %d strings, at most %d are allowed", len(stops), maxStops)
	}
	for i, s := range stops {
		if s == "" {
			return nil, infer.Errorf("invalid_value", "stop", "Invalid 'stop': string %d is empty", i)
		}
	}
	return stops, nil
}

// parseSeed reads seed: an integer, kept exactly (a float64 would round
// large seeds). A negative one, which OpenAI's int64 range allows, keeps
// its two's-complement bits, so each distinct seed stays distinct.
func parseSeed(raw json.RawMessage) (*uint64, *infer.Error) {
	if isNull(raw) {
		return nil, nil
	}
	text := string(raw)
	if u, err := strconv.ParseUint(text, 10, 64); err == nil {
		return &u, nil
	}
	if i, err := strconv.ParseInt(text, 10, 64); err == nil {
		u := uint64(i)
		return &u, nil
	}
	return nil, infer.Errorf("invalid_type", "seed", "Invalid 'seed': expected an integer, got %s", text)
}

// contentPart is one element of an array content: only text parts are
// served, since the engine takes text.
type contentPart struct {
	Type string `json:"type"`
	Text string `json:"text"`
}

// parseContent reads a message's content: a string, or an array of text
// parts joined with "\n" (as vLLM joins them for text-only models). Only
// an assistant turn may have none (OpenAI's tool-call turns).
func parseContent(raw json.RawMessage, role, param string) (string, *infer.Error) {
	if isNull(raw) {
		if role == "assistant" {
			return "", nil
		}
		return "", infer.Errorf("missing_required_parameter", param, "Missing required parameter: '%s'", param)
	}
	var text string
	if json.Unmarshal(raw, &text) == nil {
		return text, nil
	}
	var parts []contentPart
	if err := json.Unmarshal(raw, &parts); err != nil {
		return "", infer.Errorf("invalid_type", param, "Invalid type for '%s': expected a string or an array of content parts", param)
	}
	texts := make([]string, len(parts))
	for i, p := range parts {
		if p.Type != "text" {
			return "", infer.Errorf("invalid_value", fmt.Sprintf("%s[%d].type", param, i),
				"Invalid '%s[%d].type': %q; this server takes text parts only", param, i, p.Type)
		}
		texts[i] = p.Text
	}
	return strings.Join(texts, "\n"), nil
}

// roles maps the roles a chat may use to those chat templates know:
// "developer" is OpenAI's newer name for "system".
var roles = map[string]string{"system": "system", "developer": "system", "user": "user", "assistant": "assistant"}

// parseMessages converts a chat's messages, naming the bad one's index.
func parseMessages(msgs []messageBody) ([]infer.Message, *infer.Error) {
	if len(msgs) == 0 {
		return nil, infer.Errorf("missing_required_parameter", "messages", "Missing required parameter: 'messages' (at least one)")
	}
	out := make([]infer.Message, len(msgs))
	for i, m := range msgs {
		role, ok := roles[m.Role]
		if !ok {
			return nil, infer.Errorf("invalid_value", fmt.Sprintf("messages[%d].role", i),
				"Invalid 'messages[%d].role': %q; this server takes system, developer, user and assistant", i, m.Role)
		}
		content, err := parseContent(m.Content, m.Role, fmt.Sprintf("messages[%d].content", i))
		if err != nil {
			return nil, err
		}
		out[i] = infer.Message{Role: role, Content: content}
	}
	return out, nil
}

// parsePrompt reads a completion's prompt: a string or an array holding
// one string. Several prompts would need several choices (n is 1), and
// token-id prompts depend on a tokenizer the client cannot see here.
func parsePrompt(raw json.RawMessage) (string, *infer.Error) {
	if isNull(raw) {
		return "", infer.Errorf("missing_required_parameter", "prompt", "Missing required parameter: 'prompt'")
	}
	var text string
	if json.Unmarshal(raw, &text) == nil {
		return text, nil
	}
	var texts []string
	if json.Unmarshal(raw, &texts) == nil && len(texts) == 1 {
		return texts[0], nil
	}
	if json.Unmarshal(raw, &texts) == nil {
		return "", infer.Errorf("invalid_value", "prompt", "Invalid 'prompt': %d prompts; send one prompt per request", len(texts))
	}
	return "", infer.Errorf("invalid_type", "prompt",
		"Invalid type for 'prompt': expected a string; token-id prompts are not supported, send the text")
}
