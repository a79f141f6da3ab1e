package tokenizer

import (
	"fmt"
	"strings"
)

// decodeStep is one stage of a tokenizer.json decoder: it rewrites the list
// of token strings; added marks the tokens that are added tokens.
type decodeStep func(toks []string, added []bool) ([]string, []bool)

type hfDecoder struct {
	Type          string      `json:"type"`
	Decoders      []hfDecoder `json:"decoders"`    // Sequence
	Pattern       hfPattern   `json:"pattern"`     // Replace
	Content       string      `json:"content"`     // Replace, Strip
	Start         int         `json:"start"`       // Strip
	Stop          int         `json:"stop"`        // Strip
	Replacement   *string     `json:"replacement"` // Metaspace
	PrependScheme string      `json:"prepend_scheme"`
}

func buildDecoder(d *hfDecoder) ([]decodeStep, error) {
	if d == nil {
		return nil, nil
	}
	switch d.Type {
	case "Sequence":
		var steps []decodeStep
		for i := range d.Decoders {
			s, err := buildDecoder(&d.Decoders[i])
			if err != nil {
				return nil, err
			}
			steps = append(steps, s...)
		}
		return steps, nil
	case "ByteLevel":
		return []decodeStep{decodeByteLevel}, nil
	case "ByteFallback":
		return []decodeStep{decodeByteFallback}, nil
	case "Fuse":
		return []decodeStep{decodeFuse}, nil
	case "Replace":
		if d.Pattern.String == nil {
			return nil, fmt.Errorf("decoder Replace: only string patterns are supported")
		}
		return []decodeStep{decodeReplace(*d.Pattern.String, d.Content)}, nil
	case "Strip":
		return []decodeStep{decodeStrip(d.Content, d.Start, d.Stop)}, nil
	case "Metaspace":
		rep := "\u2581"
		if d.Replacement != nil {
			rep = *d.Replacement
		}
		return []decodeStep{decodeReplace(rep, " "), decodeTrimFirstSpace}, nil
	}
	return nil, fmt.Errorf("unsupported decoder %q", d.Type)
}

// sentencePieceDecoder is what a SentencePiece model decodes with: ▁ back to
// spaces, <0xXX> pieces back to bytes, less the dummy prefix's space.
func sentencePieceDecoder(dummyPrefix bool) []decodeStep {
	steps := []decodeStep{decodeReplace("\u2581", " "), decodeByteFallback, decodeFuse}
	if dummyPrefix {
		steps = append(steps, decodeStrip(" ", 1, 0))
	}
	return steps
}

// decodeByteLevel turns each run of byte-level tokens into its bytes; added
// tokens stay as they are.
func decodeByteLevel(toks []string, added []bool) ([]string, []bool) {
	var out []string
	var buf []byte
	flush := func() {
		if len(buf) > 0 {
			out = append(out, string(buf))
			buf = buf[:0]
		}
	}
	for i, tok := range toks {
		if added[i] {
			flush()
			out = append(out, tok)
			continue
		}
		for _, r := range tok {
			if b, ok := runeByte(r); ok {
				buf = append(buf, b)
			}
		}
	}
	flush()
	return out, make([]bool, len(out))
}

// decodeByteFallback turns runs of <0xXX> tokens into their bytes.
func decodeByteFallback(toks []string, added []bool) ([]string, []bool) {
	var out []string
	var outAdded []bool
	var buf []byte
	for i, tok := range toks {
		if b, ok := bytePiece(tok); ok {
			buf = append(buf, b)
			continue
		}
		if len(buf) > 0 {
			out, outAdded = append(out, string(buf)), append(outAdded, false)
			buf = buf[:0]
		}
		out, outAdded = append(out, tok), append(outAdded, added[i])
	}
	if len(buf) > 0 {
		out, outAdded = append(out, string(buf)), append(outAdded, false)
	}
	return out, outAdded
}

// bytePiece parses a SentencePiece byte piece, <0xXX>.
func bytePiece(tok string) (byte, bool) {
	if len(tok) != 6 || tok[:3] != "<0x" || tok[5] != '>' {
		return 0, false
	}
	hi, ok1 := hexDigit(tok[3])
	lo, ok2 := hexDigit(tok[4])
	return hi<<4 | lo, ok1 && ok2
}

func hexDigit(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	}
	return 0, false
}

func decodeFuse(toks []string, _ []bool) ([]string, []bool) {
	return []string{strings.Join(toks, "")}, []bool{false}
}

func decodeReplace(from, to string) decodeStep {
	return func(toks []string, added []bool) ([]string, []bool) {
		out := make([]string, len(toks))
		for i, tok := range toks {
			out[i] = strings.ReplaceAll(tok, from, to)
		}
		return out, added
	}
}

// decodeStrip removes up to start leading and stop trailing copies of
// content (one character) from every token.
func decodeStrip(content string, start, stop int) decodeStep {
	return func(toks []string, added []bool) ([]string, []bool) {
		out := make([]string, len(toks))
		for i, tok := range toks {
			for n := 0; n < start && strings.HasPrefix(tok, content); n++ {
				tok = tok[len(content):]
			}
			for n := 0; n < stop && strings.HasSuffix(tok, content); n++ {
				tok = tok[:len(tok)-len(content)]
			}
			out[i] = tok
		}
		return out, added
	}
}

// decodeTrimFirstSpace drops the space the Metaspace pre-tokenizer put
// before the first token.
func decodeTrimFirstSpace(toks []string, added []bool) ([]string, []bool) {
	if len(toks) > 0 {
		toks = append([]string{strings.TrimPrefix(toks[0], " ")}, toks[1:]...)
	}
	return toks, added
}
