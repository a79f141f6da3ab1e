package tokenizer

import (
	"sort"
	"strings"
	"unicode"
)

// addedToken is a token matched whole in the text before any other step.
type addedToken struct {
	content string
	id      int32
	special bool
	// lstrip and rstrip swallow the whitespace before and after the token.
	lstrip, rstrip bool
	// normalized tokens are matched in the normalized text, the others in
	// the raw text.
	normalized bool
}

// addedVocab finds added tokens in text: at each position the longest one
// that starts there, scanning left to right.
type addedVocab struct {
	byID map[int32]addedToken
	raw  matcher
	norm matcher
}

type matcher struct {
	first   [256]bool
	byFirst map[byte][]addedToken // longest first
}

func (m *matcher) add(tok addedToken) {
	if tok.content == "" {
		return
	}
	if m.byFirst == nil {
		m.byFirst = map[byte][]addedToken{}
	}
	c := tok.content[0]
	m.first[c] = true
	m.byFirst[c] = append(m.byFirst[c], tok)
	sort.SliceStable(m.byFirst[c], func(i, j int) bool { return len(m.byFirst[c][i].content) > len(m.byFirst[c][j].content) })
}

// match returns the longest token starting at s[i].
func (m *matcher) match(s string, i int) (addedToken, bool) {
	if !m.first[s[i]] {
		return addedToken{}, false
	}
	for _, tok := range m.byFirst[s[i]] {
		if strings.HasPrefix(s[i:], tok.content) {
			return tok, true
		}
	}
	return addedToken{}, false
}

func (a *addedVocab) add(tok addedToken) {
	if a.byID == nil {
		a.byID = map[int32]addedToken{}
	}
	a.byID[tok.id] = tok
	if tok.normalized {
		a.norm.add(tok)
	} else {
		a.raw.add(tok)
	}
}

// section is a piece of text, or an added token (token >= 0).
type section struct {
	text  string
	token int32
}

// split cuts text at the added tokens of one kind (normalized or raw) and
// applies their lstrip/rstrip.
func (a *addedVocab) split(text string, normalized bool) []section {
	m := &a.raw
	if normalized {
		m = &a.norm
	}
	if m.byFirst == nil {
		if text == "" {
			return nil
		}
		return []section{{text: text, token: -1}}
	}
	var out []section
	start := 0
	for i := 0; i < len(text); {
		tok, ok := m.match(text, i)
		if !ok {
			i++
			continue
		}
		if i > start {
			out = append(out, section{text: text[start:i], token: -1})
		}
		out = append(out, section{text: tok.content, token: tok.id})
		i += len(tok.content)
		start = i
	}
	if start < len(text) {
		out = append(out, section{text: text[start:], token: -1})
	}
	for i, sec := range out {
		if sec.token < 0 {
			continue
		}
		tok := a.byID[sec.token]
		if tok.lstrip && i > 0 && out[i-1].token < 0 {
			out[i-1].text = strings.TrimRightFunc(out[i-1].text, unicode.IsSpace)
		}
		if tok.rstrip && i+1 < len(out) && out[i+1].token < 0 {
			out[i+1].text = strings.TrimLeftFunc(out[i+1].text, unicode.IsSpace)
		}
	}
	kept := out[:0]
	for _, sec := range out {
		if sec.token >= 0 || sec.text != "" {
			kept = append(kept, sec)
		}
	}
	return kept
}
