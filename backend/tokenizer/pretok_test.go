package tokenizer

import (
	"slices"
	"testing"
)

// Expected pieces from the reference's JavaScript translation of each
// pattern (String.prototype.match with the u flag).
func TestRegexSplitters(t *testing.T) {
	tests := []struct {
		text                string
		gpt2, llama3, qwen2 []string
	}{
		{"Hello world, this is a test.", []string{"Hello", " world", ",", " this", " is", " a", " test", "."}, []string{"Hello", " world", ",", " this", " is", " a", " test", "."}, []string{"Hello", " world", ",", " this", " is", " a", " test", "."}},
		{"I'M here. They'RE 'll", []string{"I", "'", "M", " here", ".", " They", "'", "RE", " '", "ll"}, []string{"I", "'M", " here", ".", " They", "'RE", " '", "ll"}, []string{"I", "'M", " here", ".", " They", "'RE", " '", "ll"}},
		{"  two  spaces ", []string{" ", " two", " ", " spaces", " "}, []string{" ", " two", " ", " spaces", " "}, []string{" ", " two", " ", " spaces", " "}},
		{"a\n\n  b", []string{"a", "\n\n ", " b"}, []string{"a", "\n\n", " ", " b"}, []string{"a", "\n\n", " ", " b"}},
		{"x \r\n\r\n y", []string{"x", " \r\n\r\n", " y"}, []string{"x", " \r\n\r\n", " y"}, []string{"x", " \r\n\r\n", " y"}},
		{"12345 67", []string{"12345", " 67"}, []string{"123", "45", " ", "67"}, []string{"1", "2", "3", "4", "5", " ", "6", "7"}},
		{"٣٤٥٦", []string{"٣٤٥٦"}, []string{"٣٤٥", "٦"}, []string{"٣", "٤", "٥", "٦"}},
		{"(word) [x]", []string{"(", "word", ")", " [", "x", "]"}, []string{"(word", ")", " [", "x", "]"}, []string{"(word", ")", " [", "x", "]"}},
		{"\tfoo", []string{"\t", "foo"}, []string{"\tfoo"}, []string{"\tfoo"}},
		{"...\n\nbar", []string{"...", "\n", "\n", "bar"}, []string{"...\n\n", "bar"}, []string{"...\n\n", "bar"}},
		{"  \n", []string{"  \n"}, []string{"  \n"}, []string{"  \n"}},
		{"é😀中文", []string{"é", "😀", "中文"}, []string{"é", "😀中文"}, []string{"é", "😀中文"}},
		{"a b　c", []string{"a", " ", "b", "　", "c"}, []string{"a", " b", "　c"}, []string{"a", " b", "　c"}},
		{"'", []string{"'"}, []string{"'"}, []string{"'"}},
		{"it's'", []string{"it", "'s", "'"}, []string{"it", "'s", "'"}, []string{"it", "'s", "'"}},
		{"$100.50!!\n", []string{"$", "100", ".", "50", "!!", "\n"}, []string{"$", "100", ".", "50", "!!\n"}, []string{"$", "1", "0", "0", ".", "5", "0", "!!\n"}},
	}
	split := func(pattern, text string) []string {
		s, err := regexSplitter(pattern)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		s(text, func(p string) { out = append(out, p) })
		return out
	}
	for _, tt := range tests {
		for _, c := range []struct {
			name, pattern string
			want          []string
		}{{"gpt2", gpt2Pattern, tt.gpt2}, {"llama3", llama3Pattern, tt.llama3}, {"qwen2", qwen2Pattern, tt.qwen2}} {
			if got := split(c.pattern, tt.text); !slices.Equal(got, c.want) {
				t.Errorf("%s %q: got %q, want %q", c.name, tt.text, got, c.want)
			}
		}
	}
	if _, err := regexSplitter(`\w+`); err == nil {
		t.Error("an unknown pattern should be an error")
	}
}

func TestSplitDigits(t *testing.T) {
	tests := []struct {
		text       string
		individual bool
		want       []string
	}{
		{"ab12c345", true, []string{"ab", "1", "2", "c", "3", "4", "5"}},
		{"ab12c345", false, []string{"ab", "12", "c", "345"}},
		{"٣4", true, []string{"٣", "4"}},
	}
	for _, tt := range tests {
		var got []string
		splitDigits(tt.individual)(tt.text, func(p string) { got = append(got, p) })
		if !slices.Equal(got, tt.want) {
			t.Errorf("splitDigits(%v) %q = %q, want %q", tt.individual, tt.text, got, tt.want)
		}
	}
}
