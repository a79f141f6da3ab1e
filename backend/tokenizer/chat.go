package tokenizer

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sort"
	"time"

	"github.com/hone-ai/hone/backend/model"
	"github.com/hone-ai/hone/backend/tokenizer/jinja"
)

// ErrNoChatTemplate: the model has no chat template (a base model).
var ErrNoChatTemplate = errors.New("no chat_template")

// Message is one chat turn.
type Message struct {
	Role    string
	Content string
	// Fields are the message's other keys (reasoning_content, tool_calls,
	// name, ...): strings, numbers, bools, []any, map[string]any, or
	// *jinja.Dict where key order matters (tojson).
	Fields map[string]any
}

// RenderOptions are the variables a chat template sees besides messages.
type RenderOptions struct {
	AddGenerationPrompt bool
	// BOSToken and EOSToken default to the template's own; empty leaves
	// them undefined.
	BOSToken, EOSToken string
	Tools              []any          // tool definitions; nil leaves tools undefined
	Extra              map[string]any // further variables: enable_thinking, date_string, ...
	Now                time.Time      // what strftime_now formats; zero: the current time
}

// ChatTemplate is a parsed Jinja chat template, rendered the way
// transformers' apply_chat_template renders it.
type ChatTemplate struct {
	tpl *jinja.Template
	src string
	// BOSToken and EOSToken are the defaults for RenderOptions, from the
	// tokenizer configuration the template came with.
	BOSToken, EOSToken string
}

// ParseChatTemplate parses a chat template's source.
func ParseChatTemplate(src string) (*ChatTemplate, error) {
	tpl, err := jinja.Parse(src)
	if err != nil {
		return nil, fmt.Errorf("chat template: %w", err)
	}
	return &ChatTemplate{tpl: tpl, src: src}, nil
}

// Source is the template's Jinja text, as the model ships it.
func (c *ChatTemplate) Source() string { return c.src }

// ChatTemplateFromHFConfig reads chat_template (a string, or a list of named
// templates of which "default" is taken) and the BOS/EOS tokens from a
// tokenizer_config.json.
func ChatTemplateFromHFConfig(path string) (*ChatTemplate, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var cfg struct {
		ChatTemplate json.RawMessage `json:"chat_template"`
		BOSToken     tokenName       `json:"bos_token"`
		EOSToken     tokenName       `json:"eos_token"`
	}
	if err := json.Unmarshal(data, &cfg); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	src, err := chatTemplateSource(cfg.ChatTemplate)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	c, err := ParseChatTemplate(src)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	c.BOSToken, c.EOSToken = string(cfg.BOSToken), string(cfg.EOSToken)
	return c, nil
}

func chatTemplateSource(raw json.RawMessage) (string, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return "", ErrNoChatTemplate
	}
	var src string
	if err := json.Unmarshal(raw, &src); err == nil {
		return src, nil
	}
	var named []struct{ Name, Template string }
	if err := json.Unmarshal(raw, &named); err != nil {
		return "", fmt.Errorf("chat_template: want a string or a list of {name, template}")
	}
	for _, n := range named {
		if n.Name == "default" {
			return n.Template, nil
		}
	}
	return "", fmt.Errorf("chat_template: no template named \"default\"")
}

// ChatTemplateFromGGUF reads tokenizer.chat_template from GGUF metadata;
// tok (from the same file) supplies the BOS and EOS token text.
func ChatTemplateFromGGUF(g *model.GGUF, tok *Tokenizer) (*ChatTemplate, error) {
	src, ok := g.Metadata["tokenizer.chat_template"].(string)
	if !ok {
		return nil, fmt.Errorf("GGUF metadata: %w", ErrNoChatTemplate)
	}
	c, err := ParseChatTemplate(src)
	if err != nil {
		return nil, err
	}
	if tok != nil {
		c.BOSToken, c.EOSToken = tok.Token(tok.BOS()), tok.Token(tok.EOS())
	}
	return c, nil
}

// Render renders the conversation. An error from the template's
// raise_exception is a *jinja.Exception.
func (c *ChatTemplate) Render(messages []Message, opts RenderOptions) (string, error) {
	msgs := make([]any, len(messages))
	for i, m := range messages {
		d := jinja.NewDict()
		d.Set("role", m.Role)
		d.Set("content", m.Content)
		keys := make([]string, 0, len(m.Fields))
		for k := range m.Fields {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			d.Set(k, jinja.FromGo(m.Fields[k]))
		}
		msgs[i] = d
	}
	vars := map[string]any{}
	for k, v := range opts.Extra {
		vars[k] = v
	}
	vars["messages"] = msgs
	vars["add_generation_prompt"] = opts.AddGenerationPrompt
	if opts.Tools != nil {
		vars["tools"] = opts.Tools
	}
	for name, v := range map[string]string{"bos_token": first(opts.BOSToken, c.BOSToken), "eos_token": first(opts.EOSToken, c.EOSToken)} {
		if v != "" {
			vars[name] = v
		}
	}
	now := opts.Now
	if now.IsZero() {
		now = time.Now()
	}
	return c.tpl.Render(vars, now)
}

func first(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
