package tokenizer

import (
	"fmt"
	"strings"

	"golang.org/x/text/unicode/norm"
)

// hfNormalizer is a tokenizer.json normalizer.
type hfNormalizer struct {
	Type        string         `json:"type"`
	Normalizers []hfNormalizer `json:"normalizers"` // Sequence
	Prepend     string         `json:"prepend"`     // Prepend
	Pattern     hfPattern      `json:"pattern"`     // Replace
	Content     string         `json:"content"`     // Replace
	StripLeft   bool           `json:"strip_left"`  // Strip
	StripRight  bool           `json:"strip_right"` // Strip
}

// hfPattern is a Replace or Split pattern: a literal string or a regex.
type hfPattern struct {
	String *string `json:"String"`
	Regex  *string `json:"Regex"`
}

// buildNormalizer returns the normalizing function, nil for none.
func buildNormalizer(n *hfNormalizer) (func(string) string, error) {
	if n == nil {
		return nil, nil
	}
	switch n.Type {
	case "Sequence":
		var fs []func(string) string
		for i := range n.Normalizers {
			f, err := buildNormalizer(&n.Normalizers[i])
			if err != nil {
				return nil, err
			}
			if f != nil {
				fs = append(fs, f)
			}
		}
		return func(s string) string {
			for _, f := range fs {
				s = f(s)
			}
			return s
		}, nil
	case "NFC":
		return norm.NFC.String, nil
	case "NFD":
		return norm.NFD.String, nil
	case "NFKC":
		return norm.NFKC.String, nil
	case "NFKD":
		return norm.NFKD.String, nil
	case "Lowercase":
		return strings.ToLower, nil
	case "Prepend":
		p := n.Prepend
		return func(s string) string { return p + s }, nil
	case "Replace":
		if n.Pattern.String == nil {
			return nil, fmt.Errorf("normalizer Replace: only string patterns are supported")
		}
		from, to := *n.Pattern.String, n.Content
		return func(s string) string { return strings.ReplaceAll(s, from, to) }, nil
	case "Strip":
		left, right := n.StripLeft, n.StripRight
		return func(s string) string {
			if left {
				s = strings.TrimLeft(s, whitespace)
			}
			if right {
				s = strings.TrimRight(s, whitespace)
			}
			return s
		}, nil
	}
	return nil, fmt.Errorf("unsupported normalizer %q", n.Type)
}

const whitespace = " \t\n\v\f\r\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
