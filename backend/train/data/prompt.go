package data

import (
	"errors"
	"fmt"

	"github.com/hone-ai/hone/backend/dataset"
)

// ErrNoPrompt: a plain-text example has no prompt to generate from.
var ErrNoPrompt = errors.New("a plain-text example has no prompt")

// Prompt returns what an evaluator generates from and compares with: the
// tokens of the conversation before its last assistant turn, rendered with
// add_generation_prompt (for a model without a template, the plain format
// up to the answer), and that turn's text (the label, for a
// classification example without one). The tokens are exactly the ones the
// training sequence has before that answer whenever the template allows
// (always, for the templates tested); no truncation applies.
func (e *Encoder) Prompt(ex dataset.Example) (ids []int32, answer string, err error) {
	if e.err != nil {
		return nil, "", e.err
	}
	if ex.Text {
		return nil, "", fmt.Errorf("%s: %w", name(ex), ErrNoPrompt)
	}
	msgs, err := conversation(ex)
	if err != nil {
		return nil, "", fmt.Errorf("%s: %w", name(ex), err)
	}
	last := len(msgs) - 1
	for msgs[last].Role != "assistant" {
		last--
	}
	answer = msgs[last].Content
	msgs = msgs[:last+1]
	segs, err := e.segments(dataset.Example{Messages: msgs})
	if err != nil {
		return nil, "", fmt.Errorf("%s: %w", name(ex), err)
	}
	if !segs.exactPrompt {
		s, err := e.render(toChat(msgs[:last]), true)
		if err != nil {
			return nil, "", fmt.Errorf("%s: %w", name(ex), err)
		}
		return toInt32(e.tok.Encode(s, false)), answer, nil
	}
	for _, sg := range segs.list[:segs.last] {
		ids = append(ids, toInt32(sg.ids)...)
	}
	return ids, answer, nil
}

func toInt32(ids []int) []int32 {
	out := make([]int32, len(ids))
	for i, id := range ids {
		out[i] = int32(id)
	}
	return out
}
