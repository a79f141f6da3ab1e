package tokenizer

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"os"
	"slices"
	"strings"
	"unicode/utf8"
)

// SentencePiece piece types (sentencepiece_model.proto).
const (
	pieceNormal      = 1
	pieceUnknown     = 2
	pieceControl     = 3
	pieceUserDefined = 4
	pieceUnused      = 5
	pieceByte        = 6
)

// spPiece is one vocabulary entry of a SentencePiece-style model.
type spPiece struct {
	text  string
	score float32
	typ   int
}

// spModel is what the SentencePiece-style sources (tokenizer.model,
// llama2.c tokenizer.bin, GGUF "llama") have in common.
type spModel struct {
	pieces             []spPiece
	byteFallback       bool
	addDummyPrefix     bool
	removeExtraSpaces  bool
	unk, bos, eos      int // -1 when absent
	addBOS, addEOS     bool
	normalizerName     string // for the error on unsupported normalizers
	precompiledCharmap bool
}

// FromSentencePiece loads a SentencePiece tokenizer.model (BPE models only,
// as Llama 2 and Mistral use). Encode adds BOS with addSpecial, as
// LlamaTokenizer does.
func FromSentencePiece(path string) (*Tokenizer, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	m, err := parseModelProto(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	m.addBOS = true
	t, err := m.tokenizer()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return t, nil
}

// tokenizer builds the Tokenizer: the text gets SentencePiece's whitespace
// handling (optional collapsing, a dummy-prefix space, spaces as ▁), then
// BPE merges by piece score; pieces not in the vocabulary fall back to
// <0xXX> byte pieces.
func (m *spModel) tokenizer() (*Tokenizer, error) {
	if m.precompiledCharmap {
		return nil, fmt.Errorf("normalizer %q with a precompiled character map is not supported", m.normalizerName)
	}
	vocab := make([]string, len(m.pieces))
	for i, p := range m.pieces {
		vocab[i] = p.text
	}
	t := &Tokenizer{}
	t.setVocab(vocab)
	t.model = newBPE()
	t.model.byteFallback = m.byteFallback
	t.model.unk = int32(m.unk)
	for i, p := range m.pieces {
		switch p.typ {
		case pieceByte:
			if b, ok := bytePiece(p.text); ok {
				t.model.byteIDs[b] = int32(i)
			}
		case pieceControl, pieceUnknown:
			t.special[int32(i)] = true
		case pieceUserDefined:
			t.added.add(addedToken{content: p.text, id: int32(i), normalized: true})
		}
	}
	m.addMerges(t)

	dummy, collapse := m.addDummyPrefix, m.removeExtraSpaces
	t.normalize = func(s string) string {
		if collapse {
			s = strings.Join(strings.FieldsFunc(s, func(r rune) bool { return r == ' ' }), " ")
		}
		if s == "" {
			return ""
		}
		if dummy {
			s = " " + s
		}
		return strings.ReplaceAll(s, " ", "\u2581")
	}
	t.decoder = sentencePieceDecoder(dummy)
	t.bos, t.eos = m.bos, m.eos
	if m.addBOS && m.bos >= 0 {
		t.prefix = []int{m.bos}
	}
	if m.addEOS && m.eos >= 0 {
		t.suffix = []int{m.eos}
	}
	return t, nil
}

// addMerges turns scores into merges: every way of cutting a piece into two
// pieces is a pair that merges into it, ranked by the piece's score (higher
// first), which is the order SentencePiece's BPE merges in.
func (m *spModel) addMerges(t *Tokenizer) {
	scores := make([]float32, 0, len(m.pieces))
	for _, p := range m.pieces {
		scores = append(scores, p.score)
	}
	slices.Sort(scores)
	scores = slices.Compact(scores)
	rank := func(s float32) int32 {
		i, _ := slices.BinarySearch(scores, s)
		return int32(len(scores) - 1 - i)
	}
	for id, p := range m.pieces {
		if p.typ != pieceNormal && p.typ != pieceUserDefined {
			continue
		}
		for k := 1; k < len(p.text); k++ {
			if !utf8.RuneStart(p.text[k]) {
				continue
			}
			l, okL := t.ids[p.text[:k]]
			r, okR := t.ids[p.text[k:]]
			if okL && okR {
				t.model.addMerge(l, r, int32(id), rank(p.score))
			}
		}
	}
}

// parseModelProto reads the fields Hone needs from a serialized
// sentencepiece ModelProto.
func parseModelProto(data []byte) (*spModel, error) {
	m := &spModel{addDummyPrefix: true, removeExtraSpaces: true, unk: 0, bos: 1, eos: 2}
	modelType := int64(1) // UNIGRAM, the proto default
	err := protoFields(data, func(field int, wire int, v uint64, b []byte) error {
		switch field {
		case 1: // pieces
			p := spPiece{typ: pieceNormal}
			err := protoFields(b, func(field, wire int, v uint64, b []byte) error {
				switch field {
				case 1:
					p.text = string(b)
				case 2:
					p.score = math.Float32frombits(uint32(v))
				case 3:
					p.typ = int(v)
				}
				return nil
			})
			if err != nil {
				return fmt.Errorf("piece %d: %w", len(m.pieces), err)
			}
			m.pieces = append(m.pieces, p)
		case 2: // trainer_spec
			return protoFields(b, func(field, wire int, v uint64, b []byte) error {
				switch field {
				case 3:
					modelType = int64(v)
				case 35:
					m.byteFallback = v != 0
				case 40:
					m.unk = int(int32(v))
				case 41:
					m.bos = int(int32(v))
				case 42:
					m.eos = int(int32(v))
				}
				return nil
			})
		case 3: // normalizer_spec
			return protoFields(b, func(field, wire int, v uint64, b []byte) error {
				switch field {
				case 1:
					m.normalizerName = string(b)
				case 2:
					m.precompiledCharmap = len(b) > 0
				case 3:
					m.addDummyPrefix = v != 0
				case 4:
					m.removeExtraSpaces = v != 0
				}
				return nil
			})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if modelType != 2 {
		return nil, fmt.Errorf("SentencePiece model type %d is not supported (only BPE, 2)", modelType)
	}
	if len(m.pieces) == 0 {
		return nil, errors.New("no pieces: not a SentencePiece model")
	}
	for _, id := range []*int{&m.unk, &m.bos, &m.eos} {
		if *id >= len(m.pieces) {
			*id = -1
		}
	}
	return m, nil
}

// protoFields calls f for each field of a protobuf message: v holds varint
// and fixed values, b length-delimited ones.
func protoFields(data []byte, f func(field, wire int, v uint64, b []byte) error) error {
	for pos := 0; pos < len(data); {
		key, n := binary.Uvarint(data[pos:])
		if n <= 0 {
			return fmt.Errorf("bad field key at byte %d", pos)
		}
		pos += n
		field, wire := int(key>>3), int(key&7)
		var v uint64
		var b []byte
		switch wire {
		case 0:
			if v, n = binary.Uvarint(data[pos:]); n <= 0 {
				return fmt.Errorf("field %d: bad varint at byte %d", field, pos)
			}
			pos += n
		case 1:
			if pos+8 > len(data) {
				return fmt.Errorf("field %d: truncated at byte %d", field, pos)
			}
			v = binary.LittleEndian.Uint64(data[pos:])
			pos += 8
		case 2:
			l, n := binary.Uvarint(data[pos:])
			if n <= 0 || l > uint64(len(data)-pos-n) {
				return fmt.Errorf("field %d: bad length at byte %d", field, pos)
			}
			pos += n
			b = data[pos : pos+int(l)]
			pos += int(l)
		case 5:
			if pos+4 > len(data) {
				return fmt.Errorf("field %d: truncated at byte %d", field, pos)
			}
			v = uint64(binary.LittleEndian.Uint32(data[pos:]))
			pos += 4
		default:
			return fmt.Errorf("field %d: unsupported wire type %d at byte %d", field, wire, pos)
		}
		if err := f(field, wire, v, b); err != nil {
			return err
		}
	}
	return nil
}
