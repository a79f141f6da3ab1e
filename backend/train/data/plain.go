package data

import (
	"strings"

	"github.com/hone-ai/hone/backend/dataset/parse"
)

// text encodes a plain-text example: the tokenizer's own special tokens
// (BOS where it adds one) around the text, then EOS, so that packed
// documents end as they do in pre-training. Every token is a target.
func (e *Encoder) text(msgs []parse.Message) segmented {
	parts := make([]string, len(msgs))
	for i, m := range msgs {
		parts[i] = m.Content
	}
	ids := e.tok.Encode(strings.Join(parts, "\n"), true)
	if eos := e.tok.EOS(); eos >= 0 && (len(ids) == 0 || ids[len(ids)-1] != eos) {
		ids = append(ids, eos)
	}
	return segmented{list: []segment{{ids: ids, target: true}}, last: -1}
}

// plain encodes a conversation for a model without a chat template: BOS,
// then each system or user turn's text followed by a newline, each
// assistant turn's text followed by EOS. Consecutive prompt turns are one
// segment ("system\nuser\n"); each answer is tokenised on its own, as its
// own generation would be.
func (e *Encoder) plain(msgs []parse.Message) segmented {
	s := segmented{last: -1, exactPrompt: true}
	if bos := e.tok.BOS(); bos >= 0 {
		s.list = append(s.list, segment{ids: []int{bos}})
	}
	var prompt strings.Builder
	for _, m := range msgs {
		if m.Role != "assistant" {
			prompt.WriteString(m.Content)
			prompt.WriteByte('\n')
			continue
		}
		if prompt.Len() > 0 {
			s.list = append(s.list, segment{ids: e.tok.Encode(prompt.String(), false)})
			prompt.Reset()
		}
		ids := e.tok.Encode(m.Content, false)
		if eos := e.tok.EOS(); eos >= 0 {
			ids = append(ids, eos)
		}
		s.last = len(s.list)
		s.list = append(s.list, segment{ids: ids, target: true})
	}
	if prompt.Len() > 0 {
		s.list = append(s.list, segment{ids: e.tok.Encode(prompt.String(), false)})
	}
	return s
}
