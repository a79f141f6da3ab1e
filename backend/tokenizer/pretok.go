package tokenizer

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// splitter cuts text into pre-tokens, calling yield with each in order. The
// pieces are substrings of text except where a stage adds a prefix.
type splitter func(text string, yield func(string))

// The pre-tokenizer regexes Hone knows, as tokenizer.json spells them. Go's
// regexp has no lookahead, and these run on every byte of every training
// example, so each family has a hand-written matcher instead of a regex
// engine: gpt2 (GPT-2, SmolLM and other ByteLevel use_regex tokenizers),
// llama3 (Llama 3, digits in runs of up to three) and qwen2 (Qwen2/2.5/3,
// single digits).
const (
	gpt2Pattern   = `'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+`
	llama3Pattern = `(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`
	qwen2Pattern  = `(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`
)

// regexSplitter returns the matcher for a known pre-tokenizer regex.
func regexSplitter(pattern string) (splitter, error) {
	switch pattern {
	case gpt2Pattern:
		return splitGPT2, nil
	case llama3Pattern:
		return func(s string, yield func(string)) { splitLlama3(s, 3, yield) }, nil
	case qwen2Pattern:
		return func(s string, yield func(string)) { splitLlama3(s, 1, yield) }, nil
	}
	return nil, fmt.Errorf("unsupported pre-tokenizer regex %q (Hone knows the GPT-2, Llama 3 and Qwen2 patterns)", pattern)
}

// Character classes of the patterns: \p{L}, \p{N} and \s, where \s is the
// Unicode White_Space property (as the reference translates Oniguruma's \s).
func isLetter(r rune) bool {
	if r < utf8.RuneSelf {
		return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z'
	}
	return unicode.IsLetter(r)
}

func isNumber(r rune) bool {
	if r < utf8.RuneSelf {
		return '0' <= r && r <= '9'
	}
	return unicode.IsNumber(r)
}

func isSpace(r rune) bool {
	if r < utf8.RuneSelf {
		return r == ' ' || '\t' <= r && r <= '\r'
	}
	return unicode.Is(unicode.White_Space, r)
}

// isOther is [^\s\p{L}\p{N}].
func isOther(r rune) bool { return !isSpace(r) && !isLetter(r) && !isNumber(r) }

func runeAt(s string, i int) (rune, int) {
	if i >= len(s) {
		return -1, 0
	}
	if c := s[i]; c < utf8.RuneSelf {
		return rune(c), 1
	}
	return utf8.DecodeRuneInString(s[i:])
}

// scan advances from i over runes in class.
func scan(s string, i int, class func(rune) bool) int {
	for i < len(s) {
		r, w := runeAt(s, i)
		if !class(r) {
			break
		}
		i += w
	}
	return i
}

// contraction matches 's 't 're 've 'm 'll 'd at s[i] (the apostrophe),
// ASCII case-insensitively when fold is set; it returns the end or -1.
func contraction(s string, i int, fold bool) int {
	if i+1 >= len(s) || s[i] != '\'' {
		return -1
	}
	lower := func(c byte) byte {
		if fold && 'A' <= c && c <= 'Z' {
			return c + 'a' - 'A'
		}
		return c
	}
	switch lower(s[i+1]) {
	case 's', 't', 'm', 'd':
		return i + 2
	}
	if i+2 < len(s) {
		switch string([]byte{lower(s[i+1]), lower(s[i+2])}) {
		case "re", "ve", "ll":
			return i + 3
		}
	}
	return -1
}

// spaceRun matches the whitespace alternatives shared by the patterns,
// \s+(?!\S)|\s+, at s[i], a whitespace rune: a run of whitespace, less its
// last rune when a non-space follows and the run is longer than one rune.
func spaceRun(s string, i int) int {
	end, last := i, i
	for end < len(s) {
		r, w := runeAt(s, end)
		if !isSpace(r) {
			break
		}
		last = end
		end += w
	}
	if end < len(s) && last > i {
		return last
	}
	return end
}

func splitGPT2(s string, yield func(string)) {
	for i := 0; i < len(s); {
		n := matchGPT2(s, i)
		yield(s[i:n])
		i = n
	}
}

func matchGPT2(s string, i int) int {
	if n := contraction(s, i, false); n > 0 {
		return n
	}
	j := i
	if s[i] == ' ' {
		j++
	}
	if r, w := runeAt(s, j); w > 0 {
		switch {
		case isLetter(r):
			return scan(s, j+w, isLetter)
		case isNumber(r):
			return scan(s, j+w, isNumber)
		case isOther(r):
			return scan(s, j+w, isOther)
		}
	}
	if r, w := runeAt(s, i); !isSpace(r) {
		return i + w // unreachable: every rune is in one class
	}
	return spaceRun(s, i)
}

func splitLlama3(s string, maxDigits int, yield func(string)) {
	for i := 0; i < len(s); {
		n := matchLlama3(s, i, maxDigits)
		yield(s[i:n])
		i = n
	}
}

func matchLlama3(s string, i, maxDigits int) int {
	if n := contraction(s, i, true); n > 0 {
		return n
	}
	r, w := runeAt(s, i)
	// [^\r\n\p{L}\p{N}]?\p{L}+
	if isLetter(r) {
		return scan(s, i+w, isLetter)
	}
	if r != '\r' && r != '\n' && !isNumber(r) {
		if r2, w2 := runeAt(s, i+w); w2 > 0 && isLetter(r2) {
			return scan(s, i+w+w2, isLetter)
		}
	}
	// \p{N}{1,maxDigits}
	if isNumber(r) {
		j := i + w
		for n := 1; n < maxDigits; n++ {
			r2, w2 := runeAt(s, j)
			if w2 == 0 || !isNumber(r2) {
				break
			}
			j += w2
		}
		return j
	}
	// ' ?[^\s\p{L}\p{N}]+[\r\n]*'
	j := i
	if r == ' ' {
		j++
	}
	if r2, w2 := runeAt(s, j); w2 > 0 && isOther(r2) {
		j = scan(s, j+w2, isOther)
		for j < len(s) && (s[j] == '\r' || s[j] == '\n') {
			j++
		}
		return j
	}
	if !isSpace(r) {
		return i + w // unreachable: every rune is in one class
	}
	// \s*[\r\n]+ ends after the run's last newline, if it has one.
	lastNL := -1
	for j := i; j < len(s); {
		r2, w2 := runeAt(s, j)
		if !isSpace(r2) {
			break
		}
		j += w2
		if r2 == '\r' || r2 == '\n' {
			lastNL = j
		}
	}
	if lastNL > 0 {
		return lastNL
	}
	return spaceRun(s, i)
}

// splitDigits is the Digits pre-tokenizer: runs of ASCII digits (or single
// digits when individual) apart from runs of anything else.
func splitDigits(individual bool) splitter {
	isDigit := func(c byte) bool { return '0' <= c && c <= '9' }
	return func(s string, yield func(string)) {
		for i := 0; i < len(s); {
			j := i + 1
			switch {
			case !isDigit(s[i]):
				for j < len(s) && !isDigit(s[j]) {
					j++
				}
			case !individual:
				for j < len(s) && isDigit(s[j]) {
					j++
				}
			}
			yield(s[i:j])
			i = j
		}
	}
}

// chain runs each splitter on the pieces of the one before.
func chain(stages []splitter) splitter {
	switch len(stages) {
	case 0:
		return func(s string, yield func(string)) { yield(s) }
	case 1:
		return stages[0]
	}
	first, rest := stages[0], chain(stages[1:])
	return func(s string, yield func(string)) {
		first(s, func(piece string) { rest(piece, yield) })
	}
}

// metaspace is the Metaspace pre-tokenizer: spaces become the replacement
// (▁), which is also prepended always, never, or to the first section only;
// with split, each piece starts at a replacement.
type metaspace struct {
	replacement string
	prepend     string // "always", "first" or "never"
}

func (m *metaspace) apply(text string, first bool) string {
	text = strings.ReplaceAll(text, " ", m.replacement)
	if (m.prepend == "always" || m.prepend == "first" && first) && !strings.HasPrefix(text, m.replacement) {
		text = m.replacement + text
	}
	return text
}

// splitBefore cuts s before each occurrence of sep.
func splitBefore(sep string) splitter {
	return func(s string, yield func(string)) {
		for len(s) > 0 {
			start := 0
			if strings.HasPrefix(s, sep) {
				start = len(sep)
			}
			i := strings.Index(s[start:], sep)
			if i < 0 {
				yield(s)
				return
			}
			yield(s[:start+i])
			s = s[start+i:]
		}
	}
}
