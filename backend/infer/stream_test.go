package infer

import (
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/hone-ai/hone/backend/testfiles"
	"github.com/hone-ai/hone/backend/tokenizer"
)

// spVocab is a small SentencePiece-style vocabulary: "▁" for a space,
// <0xXX> byte pieces, and a decoder that drops the leading space.
var spVocab = []string{"▁Hello", "▁world", "!", "<0xE2>", "<0x82>", "<0xAC>", "▁", "<0xF0>", "<0x9F>", "<0x98>", "<0x80>", "▁5", "▁cost", "<0xC3>", "<0xA9>", "<0xFF>", "a"}

func spDecode(ids []int) string {
	var b strings.Builder
	for _, id := range ids {
		if id < 0 || id >= len(spVocab) {
			continue
		}
		p := spVocab[id]
		if len(p) == 6 && strings.HasPrefix(p, "<0x") {
			v, _ := strconv.ParseUint(p[3:5], 16, 8)
			b.WriteByte(byte(v))
			continue
		}
		b.WriteString(strings.ReplaceAll(p, "▁", " "))
	}
	return strings.TrimPrefix(b.String(), " ")
}

func TestDetokenizerPieces(t *testing.T) {
	cases := []struct {
		name string
		ids  []int
		want []string // each Add's output, then Flush's
	}{
		{"words", []int{0, 1, 2}, []string{"Hello", " world", "!", ""}},
		{"euro in three byte pieces", []int{12, 11, 3, 4, 5, 2}, []string{"cost", " 5", "", "", "€", "!", ""}},
		{"emoji in four", []int{0, 6, 7, 8, 9, 10}, []string{"Hello", " ", "", "", "", "😀", ""}},
		{"leading lone space is dropped, as decode drops it", []int{6, 6, 0}, []string{"", " ", " Hello", ""}},
		{"spaces around an unknown id at the start", []int{6, 99, 0}, []string{"", "", " Hello", ""}},
		{"an unknown id in the middle", []int{0, 99, 6, 1}, []string{"Hello", "", " ", " world", ""}},
		{"incomplete at the end comes out in Flush", []int{0, 13}, []string{"Hello", "", "\xc3"}},
		{"é completes", []int{0, 13, 14}, []string{"Hello", "", "é", ""}},
		{"an invalid byte is not held", []int{15, 16}, []string{"\xff", "a", ""}},
		{"a broken character goes out with what follows", []int{3, 16}, []string{"", "\xe2a", ""}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d := NewDetokenizer(spDecode)
			var got []string
			for _, id := range tc.ids {
				got = append(got, d.Add(id))
			}
			got = append(got, d.Flush())
			if strings.Join(got, "|") != strings.Join(tc.want, "|") {
				t.Errorf("got %q, want %q", got, tc.want)
			}
			if all := strings.Join(got, ""); all != spDecode(tc.ids) {
				t.Errorf("streamed %q, decode gives %q", all, spDecode(tc.ids))
			}
		})
	}
}

// TestDetokenizerIsLinear: a long answer decodes a bounded window per token.
func TestDetokenizerIsLinear(t *testing.T) {
	decoded := 0
	d := NewDetokenizer(func(ids []int) string { decoded += len(ids); return spDecode(ids) })
	r := rand.New(rand.NewPCG(1, 2))
	const n = 20000
	ids := make([]int, n)
	var b strings.Builder
	for i := range ids {
		ids[i] = r.IntN(len(spVocab))
		b.WriteString(d.Add(ids[i]))
	}
	b.WriteString(d.Flush())
	if b.String() != spDecode(ids) {
		t.Fatal("streamed text differs from decode(all ids)")
	}
	if decoded > 12*n {
		t.Errorf("decoded %d ids for %d tokens: not a bounded window", decoded, n)
	}
}

var streamTexts = []string{
	"Once upon a time, there was a little girl named Lily.",
	"Un café à Paris coûte 3,50 € — très cher ! Ça va ?",
	"Emoji: 😀🎉👍🏽 and flags 🇫🇷, then CJK: 日本語の文章です。中文也可以。한국어",
	"  two leading spaces,\ttabs\nand\n\nnewlines  ",
	"€€€ 1€ 2 € é è ê ë ñ ß Ω ∑ ≤ ∞",
}

// streamAll adds ids one by one and checks each piece is whole characters.
// It counts the tokens held back because they end in part of a character.
func streamAll(t *testing.T, tok *tokenizer.Tokenizer, ids []int) (string, int) {
	t.Helper()
	d := NewDetokenizer(tok.Decode)
	var b strings.Builder
	held := 0
	for _, id := range ids {
		s := d.Add(id)
		if s == "" && !utf8.ValidString(tok.Decode([]int{id})) {
			held++
		}
		if !utf8.ValidString(s) {
			t.Errorf("Add(%d) returned %q, not whole characters", id, s)
		}
		b.WriteString(s)
	}
	b.WriteString(d.Flush())
	return b.String(), held
}

func testRealTokenizer(t *testing.T, tok *tokenizer.Tokenizer) {
	held := 0
	for _, text := range streamTexts {
		for _, special := range []bool{false, true} {
			ids := tok.Encode(text, special)
			got, h := streamAll(t, tok, ids)
			held += h
			if want := tok.Decode(ids); got != want {
				t.Errorf("%q (special %v): streamed %q, decode gives %q", text, special, got, want)
			}
		}
	}
	if held == 0 {
		t.Error("no token was held back for part of a character: the texts do not exercise split characters")
	}
	// Random ids: broken characters, special tokens, any order.
	r := rand.New(rand.NewPCG(7, 8))
	for range 200 {
		ids := make([]int, 1+r.IntN(40))
		for i := range ids {
			ids[i] = r.IntN(tok.VocabSize())
		}
		d := NewDetokenizer(tok.Decode)
		var b strings.Builder
		for _, id := range ids {
			b.WriteString(d.Add(id))
		}
		b.WriteString(d.Flush())
		if want := tok.Decode(ids); b.String() != want {
			t.Fatalf("ids %v: streamed %q, decode gives %q", ids, b.String(), want)
		}
	}
}

func TestDetokenizerStories260K(t *testing.T) {
	tok, _, err := tokenizer.ForModel(testfiles.Shared(t, "models", "stories260K", "stories260K.bin"))
	if err != nil {
		t.Fatal(err)
	}
	testRealTokenizer(t, tok)
}

func TestDetokenizerSmolLM2(t *testing.T) {
	tok, _, err := tokenizer.ForModel(testfiles.SmolLM2GGUF(t))
	if err != nil {
		t.Fatal(err)
	}
	testRealTokenizer(t, tok)
}

func TestStopMatcher(t *testing.T) {
	type push struct {
		in, out string
		stopped bool
	}
	cases := []struct {
		name   string
		stops  []string
		pushes []push
		flush  string
	}{
		{"no stops", nil, []push{{"hello", "hello", false}, {" world", " world", false}}, ""},
		{"split across many pushes", []string{"</answer>"}, []push{
			{"The end<", "The end", false}, {"/", "", false}, {"ans", "", false}, {"wer", "", false}, {">more", "", true},
		}, ""},
		{"a false start is released", []string{"STOP"}, []push{{"ST", "", false}, {"OX", "STOX", false}}, ""},
		{"overlapping: b completes first", []string{"abc", "b"}, []push{{"a", "", false}, {"b", "a", true}}, ""},
		{"overlapping in one push", []string{"abc", "b"}, []push{{"xabcd", "xa", true}}, ""},
		{"same end: the longest", []string{"bc", "abc"}, []push{{"xab", "x", false}, {"c", "", true}}, ""},
		{"several stops", []string{"\n\n", "User:"}, []push{
			{"Hello\n", "Hello", false}, {"Us", "\n", false}, {"er: hi", "", true},
		}, ""},
		{"repeated letters", []string{"aab"}, []push{{"aaa", "a", false}, {"b", "", true}}, ""},
		{"held text comes out in Flush", []string{"###"}, []push{{"text #", "text ", false}, {"#", "", false}}, "##"},
		{"empty stop strings are ignored", []string{"", "x"}, []push{{"abc", "abc", false}}, ""},
		{"unicode", []string{"。終", "€uro"}, []push{
			{"日本語。", "日本語", false}, {"続く€", "。続く", false}, {"ur", "", false}, {"o!", "", true},
		}, ""},
		{"nothing after the stop", []string{"."}, []push{{"a. b", "a", true}, {"more", "", true}}, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m := NewStopMatcher(tc.stops)
			for i, p := range tc.pushes {
				out, stopped := m.Push(p.in)
				if out != p.out || stopped != p.stopped {
					t.Fatalf("push %d %q: got %q, %v; want %q, %v", i, p.in, out, stopped, p.out, p.stopped)
				}
			}
			if got := m.Flush(); got != tc.flush {
				t.Errorf("Flush: got %q, want %q", got, tc.flush)
			}
		})
	}
}

// TestStopMatcherSplitAnywhere: the result does not depend on how the text
// is cut into pushes.
func TestStopMatcherSplitAnywhere(t *testing.T) {
	stops := []string{"abc", "b", "cab", "éx", "日本"}
	r := rand.New(rand.NewPCG(3, 3))
	alphabet := []string{"a", "b", "c", "é", "x", "日", "本", " "}
	for range 2000 {
		var text strings.Builder
		for range r.IntN(12) {
			text.WriteString(alphabet[r.IntN(len(alphabet))])
		}
		whole := NewStopMatcher(stops)
		want, wantStop := whole.Push(text.String())
		want += whole.Flush()
		m := NewStopMatcher(stops)
		var got strings.Builder
		stopped := false
		for _, ch := range text.String() { // one character per push
			out, s := m.Push(string(ch))
			got.WriteString(out)
			stopped = stopped || s
		}
		got.WriteString(m.Flush())
		if got.String() != want || stopped != wantStop {
			t.Fatalf("%q: pushed whole gives %q, %v; by characters %q, %v", text.String(), want, wantStop, got.String(), stopped)
		}
	}
}
