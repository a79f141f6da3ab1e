package tokenizer

import (
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"strings"
)

// FromLlama2C loads a llama2.c tokenizer.bin: an int32 max token length,
// then for each token a float32 score, an int32 byte length and the bytes.
// The file is an export of a SentencePiece BPE model with "▁" written as a
// space and BOS/EOS as "\n<s>\n" / "\n</s>\n"; ids 0, 1, 2 are unk, BOS and
// EOS as in llama2.c. Encode adds BOS with addSpecial.
func FromLlama2C(path string) (*Tokenizer, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	m, err := parseLlama2C(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return m.tokenizer()
}

func parseLlama2C(data []byte) (*spModel, error) {
	if len(data) < 4 {
		return nil, fmt.Errorf("%d bytes is too short for a llama2.c tokenizer", len(data))
	}
	maxLen := int32(binary.LittleEndian.Uint32(data))
	m := &spModel{addDummyPrefix: true, byteFallback: true, unk: 0, bos: 1, eos: 2, addBOS: true}
	for pos := 4; pos < len(data); {
		if pos+8 > len(data) {
			return nil, fmt.Errorf("token %d: truncated header at byte %d", len(m.pieces), pos)
		}
		score := math.Float32frombits(binary.LittleEndian.Uint32(data[pos:]))
		n := int32(binary.LittleEndian.Uint32(data[pos+4:]))
		pos += 8
		if n < 0 || n > maxLen || int(n) > len(data)-pos {
			return nil, fmt.Errorf("token %d: bad length %d at byte %d (max %d)", len(m.pieces), n, pos-4, maxLen)
		}
		text := string(data[pos : pos+int(n)])
		pos += int(n)
		p := spPiece{text: strings.ReplaceAll(text, " ", "\u2581"), score: score, typ: pieceNormal}
		switch id := len(m.pieces); {
		case id == 0:
			p.typ = pieceUnknown
		case id == 1 || id == 2:
			p.text = strings.TrimSpace(text)
			p.typ = pieceControl
		default:
			if _, ok := bytePiece(text); ok {
				p.typ = pieceByte
			}
		}
		m.pieces = append(m.pieces, p)
	}
	if len(m.pieces) < 3 {
		return nil, fmt.Errorf("only %d tokens: a llama2.c tokenizer has unk, BOS and EOS first", len(m.pieces))
	}
	return m, nil
}
