package data

import (
	"fmt"
	"strings"
	"unicode"

	"github.com/hone-ai/hone/backend/dataset/parse"
	"github.com/hone-ai/hone/backend/tokenizer"
)

// span is an answer's place in the whole conversation's rendering, in bytes.
type span struct{ start, end int }

// templated renders the conversation with the chat template, finds each
// assistant turn's span in it and tokenises the rendering segment by
// segment: prompt, answer, prompt, ..., prompt.
func (e *Encoder) templated(msgs []parse.Message) (segmented, error) {
	conv := toChat(msgs)
	full, err := e.render(conv, false)
	if err != nil {
		return segmented{}, err
	}
	s := segmented{last: -1}
	at := 0
	for i, m := range conv {
		if m.Role != "assistant" {
			continue
		}
		sp, exact, err := e.locate(conv, i, full, at)
		if err != nil {
			return segmented{}, fmt.Errorf("assistant turn %d (message %d): %w", countAssistant(conv[:i])+1, i+1, err)
		}
		if sp.start > at {
			s.list = append(s.list, segment{ids: e.tok.Encode(full[at:sp.start], false)})
		}
		s.last, s.exactPrompt = len(s.list), exact
		s.list = append(s.list, segment{ids: e.tok.Encode(full[sp.start:sp.end], false), target: true})
		at = sp.end
	}
	if at < len(full) {
		s.list = append(s.list, segment{ids: e.tok.Encode(full[at:], false)})
	}
	return s, nil
}

// locate finds assistant turn i (conv[i]) in full, the whole conversation's
// rendering, at or after byte from.
//
// The answer starts where the conversation before it, rendered with
// add_generation_prompt, ends, when that rendering is a prefix of full
// (exact is then true); otherwise (Mistral-Nemo writes the system prompt
// into the last user turn only) where the turn's content starts in full.
//
// It ends with the turn's end-of-turn token: the first special token the
// template writes after the content when the turn is the last one
// ("<|im_end|>"; not a later one, as Llama 3's base template writes the
// next assistant header after it), found after the content in full. A
// template that renders a turn differently once later turns follow (Qwen3
// drops the think block of earlier turns) is handled by finding where the
// content ends in full itself.
func (e *Encoder) locate(conv []tokenizer.Message, i int, full string, from int) (sp span, exact bool, err error) {
	prompt, err := e.render(conv[:i], true)
	if err != nil {
		return span{}, false, err
	}
	through, err := e.render(conv[:i+1], false)
	if err != nil {
		return span{}, false, err
	}
	end, err := e.contentEdge(conv[:i+1], i, through, false)
	if err != nil {
		return span{}, false, err
	}
	eot := e.endOfTurn(through[end:])
	if strings.HasPrefix(full, prompt) && len(prompt) >= from {
		sp.start, exact = len(prompt), true
	} else if sp.start, err = e.contentEdge(conv, i, full, true); err != nil {
		return span{}, false, err
	}
	switch prefix := strings.HasPrefix(full, through); {
	case eot == "" && prefix: // no special token ends the turn: all it writes counts
		sp.end = len(through)
	case eot == "":
		return span{}, false, fmt.Errorf("the template renders the turn differently once later turns follow, and writes no special token to end it")
	default:
		if !prefix {
			if end, err = e.contentEdge(conv, i, full, false); err != nil {
				return span{}, false, err
			}
		}
		k := strings.Index(full[end:], eot)
		if k < 0 {
			return span{}, false, fmt.Errorf("no %q after the turn's content", eot)
		}
		sp.end = end + k + len(eot)
	}
	if sp.start < from || sp.end <= sp.start {
		return span{}, false, fmt.Errorf("its rendering (bytes %d to %d) is not after the previous turn's (ending at %d)", sp.start, sp.end, from)
	}
	return sp, exact, nil
}

// endOfTurn is the text of the first special token in what a template
// writes after an answer's content ("<|im_end|>\n"), "" when there is none.
func (e *Encoder) endOfTurn(after string) string {
	for _, id := range e.tok.Encode(after, false) {
		if e.tok.IsSpecial(id) || id == e.tok.EOS() {
			if t := e.tok.Token(id); t != "" && strings.Contains(after, t) {
				return t
			}
			return ""
		}
	}
	return ""
}

// marker is inserted into a turn's content to see where the template puts
// it: a Unicode noncharacter, which no text holds and no template strips.
const marker = "\uFDD0"

// contentEdge returns where turn i's content starts (start) or ends in
// rendered, the rendering of conv: it renders conv again with marker at
// the content's start or end and the two must differ by exactly the
// marker. The marker goes inside the content's surrounding white space,
// which templates often trim.
func (e *Encoder) contentEdge(conv []tokenizer.Message, i int, rendered string, start bool) (int, error) {
	probe := append([]tokenizer.Message{}, conv...)
	c := probe[i].Content
	if start {
		k := len(c) - len(strings.TrimLeftFunc(c, unicode.IsSpace))
		probe[i].Content = c[:k] + marker + c[k:]
	} else {
		k := len(strings.TrimRightFunc(c, unicode.IsSpace))
		probe[i].Content = c[:k] + marker + c[k:]
	}
	r, err := e.render(probe, false)
	if err != nil {
		return 0, err
	}
	a := 0
	for a < len(rendered) && a < len(r) && rendered[a] == r[a] {
		a++
	}
	// The common prefix may run into the marker's first bytes.
	for k := a; k >= max(0, a-len(marker)); k-- {
		if len(r) == len(rendered)+len(marker) && r[k:k+len(marker)] == marker && r[k+len(marker):] == rendered[k:] {
			return k, nil
		}
	}
	return 0, fmt.Errorf("cannot find the turn's content in the rendered conversation: the template changes it, or the turns around it, depending on its text")
}

// render renders a conversation with the encoder's template variables.
func (e *Encoder) render(conv []tokenizer.Message, generation bool) (string, error) {
	s, err := e.tmpl.Render(conv, tokenizer.RenderOptions{AddGenerationPrompt: generation, Extra: e.o.Template, Now: e.o.Now})
	if err != nil {
		return "", fmt.Errorf("chat template: %w", err)
	}
	return s, nil
}

func toChat(msgs []parse.Message) []tokenizer.Message {
	conv := make([]tokenizer.Message, len(msgs))
	for i, m := range msgs {
		conv[i] = tokenizer.Message{Role: m.Role, Content: m.Content}
	}
	return conv
}

func countAssistant(conv []tokenizer.Message) int {
	n := 0
	for _, m := range conv {
		if m.Role == "assistant" {
			n++
		}
	}
	return n
}
