// Package tokenizer turns text into token ids and back for the model
// families Hone trains: byte-level BPE (Llama 3, Qwen, SmolLM, GPT-2) and
// SentencePiece-style BPE with byte fallback (Llama 2, Mistral), loaded from
// tokenizer.json, SentencePiece tokenizer.model, llama2.c tokenizer.bin or
// GGUF metadata. It also renders chat templates (see ChatTemplate).
//
// Encoding follows Hugging Face tokenizers: added tokens are cut out of the
// text first, the rest is normalized, pre-tokenized and merged by BPE.
package tokenizer

import (
	"sync"
	"unicode/utf8"
)

// Tokenizer encodes and decodes text. It is safe for concurrent use.
type Tokenizer struct {
	vocab []string         // id -> token as the vocabulary spells it
	ids   map[string]int32 // vocabulary spelling -> id (added tokens too)
	model *bpe

	// byteLevel tokenizers run BPE over the UTF-8 bytes of each pre-token;
	// the others over its runes.
	byteLevel bool
	byteSym   [256]int32       // byte-level: the id of each single byte, -1 if none
	rawIDs    map[string]int32 // byte-level: raw bytes -> id, for ignoreMerges
	// ignoreMerges: a pre-token that is a whole vocabulary entry is emitted
	// as is (Llama 3).
	ignoreMerges bool

	normalize func(string) string // nil: none
	split     splitter            // nil: the whole section is one pre-token
	metaspace *metaspace          // the Metaspace pre-tokenizer, which runs before split
	added     addedVocab
	prefix    []int // special ids around a sequence when addSpecial is set
	suffix    []int
	decoder   []decodeStep
	bos, eos  int
	special   map[int32]bool

	pool sync.Pool // *scratch
}

// Encode returns the ids of text; with addSpecial it adds the special tokens
// the tokenizer's configuration asks for (such as BOS). Special tokens
// written literally in text are always recognised.
func (t *Tokenizer) Encode(text string, addSpecial bool) []int {
	s, _ := t.pool.Get().(*scratch)
	if s == nil {
		s = &scratch{}
	}
	defer t.pool.Put(s)

	var out []int
	if addSpecial {
		out = append(out, t.prefix...)
	}
	for i, sec := range t.added.split(text, false) {
		if sec.token >= 0 {
			out = append(out, int(sec.token))
			continue
		}
		norm := sec.text
		if t.normalize != nil {
			norm = t.normalize(norm)
		}
		for _, sub := range t.added.split(norm, true) {
			if sub.token >= 0 {
				out = append(out, int(sub.token))
				continue
			}
			out = t.encodeSection(s, sub.text, i == 0, out)
		}
	}
	if addSpecial {
		out = append(out, t.suffix...)
	}
	return out
}

// encodeSection encodes text between added tokens; first is set for the
// section that starts the input.
func (t *Tokenizer) encodeSection(s *scratch, text string, first bool, out []int) []int {
	if t.metaspace != nil {
		text = t.metaspace.apply(text, first)
	}
	if t.split == nil {
		return t.encodeWord(s, text, out)
	}
	t.split(text, func(piece string) { out = t.encodeWord(s, piece, out) })
	return out
}

// encodeWord runs BPE on one pre-token.
func (t *Tokenizer) encodeWord(s *scratch, word string, out []int) []int {
	if word == "" {
		return out
	}
	if t.ignoreMerges {
		ids := t.ids
		if t.byteLevel {
			ids = t.rawIDs
		}
		if id, ok := ids[word]; ok {
			return append(out, int(id))
		}
	}
	s.syms = s.syms[:0]
	if t.byteLevel {
		for i := 0; i < len(word); i++ {
			s.syms = append(s.syms, symbol{id: t.byteSym[word[i]], start: int32(i), end: int32(i + 1)})
		}
	} else {
		for i := 0; i < len(word); {
			_, w := utf8.DecodeRuneInString(word[i:])
			id, ok := t.ids[word[i:i+w]]
			if !ok {
				id = -1
			}
			s.syms = append(s.syms, symbol{id: id, start: int32(i), end: int32(i + w)})
			i += w
		}
	}
	for i := range s.syms {
		s.syms[i].prev, s.syms[i].next = int32(i-1), int32(i+1)
	}
	s.syms[len(s.syms)-1].next = -1
	return t.model.encode(s, word, out)
}

// Decode turns ids back into text. Special tokens appear as their text;
// ids outside the vocabulary are skipped.
func (t *Tokenizer) Decode(ids []int) string {
	toks := make([]string, 0, len(ids))
	isAdded := make([]bool, 0, len(ids))
	for _, id := range ids {
		if id < 0 || id >= len(t.vocab) || t.vocab[id] == "" {
			continue
		}
		toks = append(toks, t.vocab[id])
		_, added := t.added.byID[int32(id)]
		isAdded = append(isAdded, added)
	}
	for _, step := range t.decoder {
		toks, isAdded = step(toks, isAdded)
	}
	n := 0
	for _, s := range toks {
		n += len(s)
	}
	b := make([]byte, 0, n)
	for _, s := range toks {
		b = append(b, s...)
	}
	return string(b)
}

// TokenID returns the id of a token as the vocabulary spells it (byte-level
// vocabularies spell a leading space as "Ġ"), or of an added token.
func (t *Tokenizer) TokenID(s string) (int, bool) {
	id, ok := t.ids[s]
	return int(id), ok
}

// Token returns the vocabulary's spelling of id, "" when there is none.
func (t *Tokenizer) Token(id int) string {
	if id < 0 || id >= len(t.vocab) {
		return ""
	}
	return t.vocab[id]
}

// IsSpecial reports whether id is a special (control) token.
func (t *Tokenizer) IsSpecial(id int) bool { return t.special[int32(id)] }

// BOS and EOS return the begin- and end-of-sequence ids, -1 when unset.
func (t *Tokenizer) BOS() int { return t.bos }
func (t *Tokenizer) EOS() int { return t.eos }

// VocabSize is one more than the largest id.
func (t *Tokenizer) VocabSize() int { return len(t.vocab) }

// setVocab installs the id -> spelling table and the reverse map.
func (t *Tokenizer) setVocab(vocab []string) {
	t.vocab = vocab
	t.ids = make(map[string]int32, len(vocab))
	for id, s := range vocab {
		if s == "" {
			continue
		}
		if _, dup := t.ids[s]; !dup {
			t.ids[s] = int32(id)
		}
	}
	t.bos, t.eos = -1, -1
	t.special = map[int32]bool{}
}

// setByteLevel prepares the byte tables of a byte-level vocabulary.
func (t *Tokenizer) setByteLevel() {
	t.byteLevel = true
	for b, r := range byteRunes {
		id, ok := t.ids[string(r)]
		if !ok {
			id = -1
		}
		t.byteSym[b] = id
	}
	if t.ignoreMerges {
		t.rawIDs = make(map[string]int32, len(t.vocab))
		for id, s := range t.vocab {
			if raw, ok := byteLevelDecode(s); ok && raw != "" {
				if _, dup := t.rawIDs[raw]; !dup {
					t.rawIDs[raw] = int32(id)
				}
			}
		}
	}
}
