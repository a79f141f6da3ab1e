package data

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hone-ai/hone/backend/dataset"
	"github.com/hone-ai/hone/backend/dataset/parse"
)

// fixedNow is what strftime_now sees in these tests (Llama 3.2 writes
// today's date into its system prompt).
var fixedNow = time.Date(2026, 3, 14, 12, 0, 0, 0, time.UTC)

var (
	oneTurn   = chat("user", "Hi", "assistant", "Hello!")
	multiTurn = chat("system", "Be brief.", "user", "Hi", "assistant", "Hello!", "user", "Bye", "assistant", "Goodbye.")
	noSystem  = multiTurn[1:]
	// The first answer holds reasoning, which Qwen3's template drops from
	// every turn before the last user turn.
	reasoned = chat("user", "Hi", "assistant", "<think>\nA greeting.\n</think>\n\nHello!", "user", "Bye", "assistant", "Goodbye.")
)

func TestTemplateMasks(t *testing.T) {
	tests := []struct {
		name  string
		model func(t testing.TB) tokModel
		msgs  []parse.Message
		label string
		extra map[string]any
		want  []string // the decoded runs of target tokens
		eot   string   // the end-of-turn token, where the sequence ends
		// lossless: the tokenizer decodes its tokens back to the rendered
		// text exactly (byte-level BPE), so the whole sequence is checked
		// against the template's rendering.
		lossless bool
	}{
		{"smollm2 one turn", smolLM2, oneTurn, "", nil, []string{"Hello!<|im_end|>"}, "<|im_end|>", true},
		{"smollm2 system and two turns", smolLM2, multiTurn, "", nil, []string{"Hello!<|im_end|>", "Goodbye.<|im_end|>"}, "<|im_end|>", true},
		{"smollm2 label as the answer", smolLM2, chat("user", "I am still waiting on my card?"), "card_arrival", nil, []string{"card_arrival<|im_end|>"}, "<|im_end|>", true},
		{"smollm2 white space kept", smolLM2, chat("user", "Hi", "assistant", " Hello!\n"), "", nil, []string{" Hello!\n<|im_end|>"}, "<|im_end|>", true},
		// Qwen3 renders the last answer with an empty think block, which is
		// what the model generates from the generation prompt, and earlier
		// answers without their reasoning.
		{"qwen3 two turns", func(t testing.TB) tokModel { return reference(t, "qwen3") }, reasoned, "", nil,
			[]string{"Hello!<|im_end|>", "<think>\n\n</think>\n\nGoodbye.<|im_end|>"}, "<|im_end|>", true},
		{"qwen3 reasoning in the last turn", func(t testing.TB) tokModel { return reference(t, "qwen3") }, reasoned[:2], "", nil,
			[]string{"<think>\nA greeting.\n</think>\n\nHello!<|im_end|>"}, "<|im_end|>", true},
		{"qwen3 thinking off", func(t testing.TB) tokModel { return reference(t, "qwen3") }, multiTurn, "", map[string]any{"enable_thinking": false},
			[]string{"Hello!<|im_end|>", "Goodbye.<|im_end|>"}, "<|im_end|>", true},
		// This Llama 3 template writes the assistant header after every
		// conversation: the answer ends at <|eot_id|> all the same.
		{"llama3 two turns", func(t testing.TB) tokModel { return reference(t, "llama3") }, multiTurn, "", nil,
			[]string{"Hello!<|eot_id|>", "Goodbye.<|eot_id|>"}, "<|eot_id|>", true},
		{"llama3.2 two turns", func(t testing.TB) tokModel { return withTemplate(t, reference(t, "llama3"), "llama3.2") }, multiTurn, "", nil,
			[]string{"Hello!<|eot_id|>", "Goodbye.<|eot_id|>"}, "<|eot_id|>", true},
		{"qwen2.5 default system prompt", func(t testing.TB) tokModel { return withTemplate(t, reference(t, "qwen3"), "qwen2.5") }, noSystem, "", nil,
			[]string{"Hello!<|im_end|>", "Goodbye.<|im_end|>"}, "<|im_end|>", true},
		{"smollm3 two turns", func(t testing.TB) tokModel { return withTemplate(t, reference(t, "qwen3"), "smollm3") }, multiTurn, "", nil,
			[]string{"Hello!<|im_end|>", "Goodbye.<|im_end|>"}, "<|im_end|>", true},
		// Mistral's answers end with EOS; SentencePiece decodes the
		// answer's first token with its space.
		{"mistral two turns", func(t testing.TB) tokModel { return withTemplate(t, reference(t, "llama2"), "mistral") }, noSystem, "", nil,
			[]string{"Hello!</s>", "Goodbye.</s>"}, "</s>", false},
		// Mistral-Nemo writes the system prompt only into a last user turn,
		// so the first answer's prompt is not a prefix of the conversation.
		{"mistral-nemo with a system prompt", func(t testing.TB) tokModel { return withTemplate(t, reference(t, "llama2"), "mistral-nemo") }, multiTurn, "", nil,
			[]string{"Hello!</s>", "Goodbye.</s>"}, "</s>", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := tt.model(t)
			e := NewEncoder(m.tok, m.tmpl, Options{Template: tt.extra, Now: fixedNow})
			ex := dataset.Example{Messages: tt.msgs, Label: tt.label}
			seq, err := e.Encode(ex)
			if err != nil {
				t.Fatal(err)
			}
			if got := runs(m.tok, seq); !slices.Equal(got, tt.want) {
				t.Fatalf("targets %q\nwant    %q", got, tt.want)
			}
			msgs, _ := conversation(ex)
			if tt.lossless {
				full := render(t, m, msgs, false, tt.extra)
				if got, want := m.tok.Decode(ints(seq.Tokens)), cutAfterLast(full, tt.eot); got != want {
					t.Errorf("sequence %q\nwant     %q", got, want)
				}
				// Before the first answer: its generation prompt, unless the
				// template renders the turn otherwise once others follow
				// (Qwen3 without thinking drops the empty think block).
				first := slices.Index(seq.Loss, true)
				firstAnswer := slices.IndexFunc(msgs, func(m parse.Message) bool { return m.Role == "assistant" })
				got, prompt := m.tok.Decode(ints(seq.Tokens[:first])), render(t, m, msgs[:firstAnswer], true, tt.extra)
				if got != prompt && (strings.HasPrefix(full, prompt) || !strings.HasPrefix(full, got)) {
					t.Errorf("before the first target %q\nwant %q", got, prompt)
				}
			}
			// The evaluator's prompt is the sequence before its last answer.
			ids, answer, err := e.Prompt(ex)
			if err != nil {
				t.Fatal(err)
			}
			if last := msgs[len(msgs)-1].Content; answer != last {
				t.Errorf("answer %q, want %q", answer, last)
			}
			lastRun := len(seq.Loss) - 1
			for lastRun > 0 && seq.Loss[lastRun-1] {
				lastRun--
			}
			// ... unless the template renders the conversation before the
			// last answer otherwise than inside the whole one (Mistral-Nemo's
			// system prompt): then it is that rendering's tokens.
			want := seq.Tokens[:lastRun]
			if p := render(t, m, msgs[:len(msgs)-1], true, tt.extra); !strings.HasPrefix(render(t, m, msgs, false, tt.extra), p) {
				want = toInt32(m.tok.Encode(p, false))
			}
			if !slices.Equal(ids, want) {
				t.Errorf("prompt %q\nwant   %q", m.tok.Decode(ints(ids)), m.tok.Decode(ints(want)))
			}
			if tt.lossless {
				if got, want := m.tok.Decode(ints(ids)), render(t, m, msgs[:len(msgs)-1], true, tt.extra); got != want {
					t.Errorf("prompt %q\nwant   %q", got, want)
				}
			}
		})
	}
}

// TestAllTokens: the same tokens (and the template's text after the last
// answer), every one a target but the first.
func TestAllTokens(t *testing.T) {
	m := smolLM2(t)
	ex := dataset.Example{Messages: multiTurn}
	masked, err := NewEncoder(m.tok, m.tmpl, Options{}).Encode(ex)
	if err != nil {
		t.Fatal(err)
	}
	all, err := NewEncoder(m.tok, m.tmpl, Options{AllTokens: true}).Encode(ex)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(all.Tokens[:len(masked.Tokens)], masked.Tokens) || m.tok.Decode(ints(all.Tokens[len(masked.Tokens):])) != "\n" {
		t.Errorf("all tokens %q, masked %q", m.tok.Decode(ints(all.Tokens)), m.tok.Decode(ints(masked.Tokens)))
	}
	if all.Loss[0] || slices.Contains(all.Loss[1:], false) || all.Targets() != len(all.Tokens)-1 {
		t.Errorf("loss %v", all.Loss)
	}
}

// TestTextExample: a plain-text example is the text and EOS, all targets.
func TestTextExample(t *testing.T) {
	tests := []struct {
		name  string
		model func(t testing.TB) tokModel
	}{
		{"smollm2", smolLM2},
		{"stories260K", stories260K},
	}
	const text = "Once upon a time, there was a cat."
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := tt.model(t)
			seq, err := NewEncoder(m.tok, m.tmpl, Options{}).Encode(dataset.Example{Messages: chat("assistant", text), Text: true})
			if err != nil {
				t.Fatal(err)
			}
			want := append(toInt32(m.tok.Encode(text, true)), int32(m.tok.EOS()))
			if !slices.Equal(seq.Tokens, want) || seq.Targets() != len(want)-1 || seq.Loss[0] {
				t.Errorf("tokens %v loss %v, want %v all targets but the first", seq.Tokens, seq.Loss, want)
			}
		})
	}
}

// TestNoTemplate: a base model gets BOS, the prompt and a newline, the
// answer and EOS; the answer and EOS are the targets.
func TestNoTemplate(t *testing.T) {
	m := stories260K(t)
	e := NewEncoder(m.tok, nil, Options{})
	if e.HasTemplate() {
		t.Fatal("stories260K has a template")
	}
	tok := m.tok
	enc := func(s string) []int32 { return toInt32(tok.Encode(s, false)) }
	bos, eos := []int32{int32(tok.BOS())}, []int32{int32(tok.EOS())}
	cat := func(parts ...[]int32) []int32 { return slices.Concat(parts...) }
	tests := []struct {
		name    string
		ex      dataset.Example
		tokens  []int32
		targets []string
		prompt  []int32
		answer  string
	}{
		{"label", dataset.Example{Messages: chat("user", "Where is my card?"), Label: "card_arrival"},
			cat(bos, enc("Where is my card?\n"), enc("card_arrival"), eos), []string{"card_arrival</s>"},
			cat(bos, enc("Where is my card?\n")), "card_arrival"},
		{"system and two turns", dataset.Example{Messages: multiTurn},
			cat(bos, enc("Be brief.\nHi\n"), enc("Hello!"), eos, enc("Bye\n"), enc("Goodbye."), eos), []string{"Hello!</s>", "Goodbye.</s>"},
			cat(bos, enc("Be brief.\nHi\n"), enc("Hello!"), eos, enc("Bye\n")), "Goodbye."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			seq, err := e.Encode(tt.ex)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(seq.Tokens, tt.tokens) {
				t.Errorf("tokens %v\nwant   %v", seq.Tokens, tt.tokens)
			}
			if got := runs(tok, seq); !slices.Equal(got, tt.targets) {
				t.Errorf("targets %q, want %q", got, tt.targets)
			}
			ids, answer, err := e.Prompt(tt.ex)
			if err != nil || !slices.Equal(ids, tt.prompt) || answer != tt.answer {
				t.Errorf("prompt %v %q %v, want %v %q", ids, answer, err, tt.prompt, tt.answer)
			}
		})
	}
}

func TestTooLong(t *testing.T) {
	m := smolLM2(t)
	short := dataset.Example{Messages: chat("user", "Hi", "assistant", "Hello!")}
	long := dataset.Example{Messages: chat("user", "Hi", "assistant", strings.Repeat("la ", 100))}
	longPrompt := dataset.Example{Messages: chat("user", strings.Repeat("la ", 100), "assistant", "Hello!")}
	// Room for the short example and a few tokens more: the long answer is
	// cut, the long prompt leaves no target.
	s, err := NewEncoder(m.tok, m.tmpl, Options{}).Encode(short)
	if err != nil {
		t.Fatal(err)
	}
	seqLen := len(s.Tokens) + 5
	tests := []struct {
		policy string
		stats  Stats
		keep   []bool // per example: kept
	}{
		{"", Stats{Examples: 3, Sequences: 2, Truncated: 1, Dropped: map[string]int{DropNoTargetLeft: 1}}, []bool{true, true, false}},
		{Truncate, Stats{Examples: 3, Sequences: 2, Truncated: 1, Dropped: map[string]int{DropNoTargetLeft: 1}}, []bool{true, true, false}},
		{Drop, Stats{Examples: 3, Sequences: 1, Dropped: map[string]int{DropTooLong: 2}}, []bool{true, false, false}},
	}
	for _, tt := range tests {
		t.Run(tt.policy, func(t *testing.T) {
			e := NewEncoder(m.tok, m.tmpl, Options{SeqLen: seqLen, TooLong: tt.policy})
			var tokens, targets int64
			for i, ex := range []dataset.Example{short, long, longPrompt} {
				seq, err := e.Encode(ex)
				if kept := err == nil; kept != tt.keep[i] {
					t.Fatalf("example %d: %v, want kept %v", i, err, tt.keep[i])
				}
				if err != nil {
					continue
				}
				if len(seq.Tokens) > seqLen {
					t.Errorf("example %d: %d tokens", i, len(seq.Tokens))
				}
				tokens += int64(len(seq.Tokens))
				targets += int64(seq.Targets())
			}
			got := e.Stats()
			want := tt.stats
			want.Tokens, want.TargetTokens = tokens, targets
			if got.TruncatedTokens <= 0 && want.Truncated > 0 {
				t.Errorf("truncated tokens %d", got.TruncatedTokens)
			}
			got.TruncatedTokens = 0
			if got.Examples != want.Examples || got.Sequences != want.Sequences || got.Truncated != want.Truncated ||
				got.Tokens != want.Tokens || got.TargetTokens != want.TargetTokens || !maps(got.Dropped, want.Dropped) {
				t.Errorf("stats %+v\nwant  %+v", got, want)
			}
		})
	}
}

func maps(a, b map[string]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func TestErrorsNameTheExample(t *testing.T) {
	m := smolLM2(t)
	gemma := withTemplate(t, m, "gemma2")
	id := int64(7)<<32 | 12
	tests := []struct {
		name string
		m    tokModel
		o    Options
		ex   dataset.Example
		want []string
	}{
		{"unknown role", m, Options{}, dataset.Example{ID: id, Line: 13, Messages: chat("user", "Hi", "tool", "x")},
			[]string{"dataset 7, example 12 (line 13)", `role "tool"`}},
		{"nothing to learn", m, Options{}, dataset.Example{ID: id, Line: 13, Messages: chat("user", "Hi")},
			[]string{"dataset 7, example 12 (line 13)", "no assistant turn and no label"}},
		{"template refuses", gemma, Options{}, dataset.Example{ID: id, Line: 13, Messages: multiTurn},
			[]string{"dataset 7, example 12 (line 13)", "System role not supported"}},
		{"bad option", m, Options{TooLong: "cut"}, dataset.Example{ID: id, Messages: oneTurn},
			[]string{`too-long policy "cut"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewEncoder(tt.m.tok, tt.m.tmpl, tt.o).Encode(tt.ex)
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
		})
	}
}
