package infer

import (
	"context"
	"errors"
	"strings"
	"unicode/utf8"
)

// Detokenizer turns a stream of token ids into text as it is generated, as
// vLLM's incremental detokenizer and HF's TextStreamer do: each Add returns
// the text that is now final, and all the Adds plus Flush give exactly
// decode(all ids).
//
// Decoding one token at a time would be wrong: a byte-fallback character
// (<0xE2><0x82><0xAC> for "€") or a byte-level BPE token holding part of a
// character decodes to an invalid fragment, and a SentencePiece decoder
// drops the space at the start of whatever it decodes. Decoding everything
// each time would be right but O(n²) over a long answer. So it decodes a
// short window: the tokens of the last emitted piece (the prefix, whose text
// was emitted) and the tokens since. The new text is decode(window) less
// decode(prefix); both start at the same token, so a leading space is
// dropped from both or neither. Text that ends in an incomplete UTF-8
// character waits for the rest.
//
// This relies on decode being concatenation apart from the start of its
// output, which holds for byte-level BPE, SentencePiece and Metaspace
// decoders. A prefix whose tokens decode to nothing on their own (a lone
// "▁" the decoder strips) would anchor nothing, so the window then keeps
// its older start.
type Detokenizer struct {
	decode func([]int) string
	win    []int  // the window: the prefix, then the tokens not yet emitted
	read   int    // win[:read] is the prefix
	prefix string // decode(win[:read]), already emitted
}

// NewDetokenizer streams the text of decode, the tokenizer's Decode.
func NewDetokenizer(decode func([]int) string) *Detokenizer {
	return &Detokenizer{decode: decode}
}

// Add appends a token and returns the text that became final with it,
// possibly "" (an incomplete character, or a token with no text yet).
func (d *Detokenizer) Add(tok int) string {
	d.win = append(d.win, tok)
	text := d.decode(d.win)
	if len(text) <= len(d.prefix) || partialRune(text) {
		return ""
	}
	out := text[len(d.prefix):]
	next := d.win[d.read:]
	if p := d.decode(next); p != "" {
		d.win = append(d.win[:0], next...)
		d.prefix = p
	} else {
		d.prefix = text
	}
	d.read = len(d.win)
	return out
}

// Flush returns the text not yet returned: an incomplete character at the
// end of the generation comes out as its bytes, as decode gives them.
func (d *Detokenizer) Flush() string {
	text := d.decode(d.win)
	if len(text) <= len(d.prefix) {
		return ""
	}
	out := text[len(d.prefix):]
	d.prefix, d.read = text, len(d.win)
	return out
}

// partialRune reports whether s ends in the first bytes of a UTF-8
// character that more bytes could complete. Invalid bytes are not partial:
// no token would complete them, so they go out as they are.
func partialRune(s string) bool {
	for i := len(s) - 1; i >= 0 && i >= len(s)-utf8.UTFMax; i-- {
		if utf8.RuneStart(s[i]) {
			return !utf8.FullRuneInString(s[i:])
		}
	}
	return false
}

// StopMatcher cuts a text stream at the first stop string, as the OpenAI
// API does: the stop string and what follows are not emitted. Text that
// could be the start of a stop string is held back until it is known not
// to be. The match that ends first wins (the one a token-by-token stream
// would see complete first), and of those ending at the same place the
// longest, so the result does not depend on how the text was split.
type StopMatcher struct {
	stops   []string
	held    string
	stopped bool
}

// NewStopMatcher matches stops; empty strings are ignored.
func NewStopMatcher(stops []string) *StopMatcher {
	m := &StopMatcher{}
	for _, s := range stops {
		if s != "" {
			m.stops = append(m.stops, s)
		}
	}
	return m
}

// Push adds text and returns what can be emitted. stopped reports a
// complete stop string: emit is then the text before it, and later Pushes
// return nothing.
func (m *StopMatcher) Push(text string) (emit string, stopped bool) {
	if m.stopped {
		return "", true
	}
	buf := m.held + text
	if i, ok := m.match(buf); ok {
		m.stopped, m.held = true, ""
		return buf[:i], true
	}
	cut := len(buf) - m.partial(buf)
	m.held = buf[cut:]
	return buf[:cut], false
}

// Flush returns the text held back, for a generation that ended for
// another reason (a stop token, the length limit).
func (m *StopMatcher) Flush() string {
	out := m.held
	m.held = ""
	return out
}

// match is where the stop string that ends first in buf starts.
func (m *StopMatcher) match(buf string) (int, bool) {
	start, end := -1, 0
	for _, s := range m.stops {
		i := strings.Index(buf, s)
		if i < 0 {
			continue
		}
		if e := i + len(s); start < 0 || e < end || e == end && i < start {
			start, end = i, e
		}
	}
	return start, start >= 0
}

// partial is the length of the longest end of buf that begins a stop
// string: buf holds no complete one, so what is before it is final.
func (m *StopMatcher) partial(buf string) int {
	best := 0
	for _, s := range m.stops {
		for n := min(len(s)-1, len(buf)); n > best; n-- {
			if strings.HasSuffix(buf, s[:n]) {
				best = n
				break
			}
		}
	}
	return best
}

// ErrNoLastEvent is a stream that closed before its event with Done, which
// the Generator contract rules out.
var ErrNoLastEvent = errors.New("the engine ended the generation without its last event")

// Collect joins a generation's text and returns its last event, or the
// error an event carries. It stops waiting when ctx ends: then the engine
// is cancelling and the answer has nowhere to go.
func Collect(ctx context.Context, events <-chan Event) (string, Event, error) {
	var text strings.Builder
	for {
		select {
		case <-ctx.Done():
			return "", Event{}, ctx.Err()
		case ev, ok := <-events:
			if !ok {
				return "", Event{}, ErrNoLastEvent
			}
			if ev.Err != nil {
				return "", ev, ev.Err
			}
			text.WriteString(ev.Text)
			if ev.Done {
				return text.String(), ev, nil
			}
		}
	}
}
