package tokenizer

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
)

// FromHFFiles loads a Hugging Face tokenizer.json and, when configPath is
// not empty, its tokenizer_config.json (BOS/EOS tokens and add_bos_token /
// add_eos_token, which win over tokenizer.json's post-processor).
func FromHFFiles(tokenizerPath, configPath string) (*Tokenizer, error) {
	data, err := os.ReadFile(tokenizerPath)
	if err != nil {
		return nil, err
	}
	var cfg []byte
	if configPath != "" {
		if cfg, err = os.ReadFile(configPath); err != nil {
			return nil, err
		}
	}
	t, err := FromHF(data, cfg)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", tokenizerPath, err)
	}
	return t, nil
}

type hfTokenizer struct {
	AddedTokens   []hfAddedToken  `json:"added_tokens"`
	Normalizer    *hfNormalizer   `json:"normalizer"`
	PreTokenizer  *hfPreTokenizer `json:"pre_tokenizer"`
	Model         hfModel         `json:"model"`
	PostProcessor *hfPost         `json:"post_processor"`
	Decoder       *hfDecoder      `json:"decoder"`
}

type hfAddedToken struct {
	ID         int32  `json:"id"`
	Content    string `json:"content"`
	LStrip     bool   `json:"lstrip"`
	RStrip     bool   `json:"rstrip"`
	Normalized *bool  `json:"normalized"`
	Special    bool   `json:"special"`
}

type hfModel struct {
	Type                    string           `json:"type"`
	Vocab                   map[string]int32 `json:"vocab"`
	Merges                  json.RawMessage  `json:"merges"`
	UnkToken                *string          `json:"unk_token"`
	FuseUnk                 bool             `json:"fuse_unk"`
	ByteFallback            bool             `json:"byte_fallback"`
	IgnoreMerges            bool             `json:"ignore_merges"`
	ContinuingSubwordPrefix *string          `json:"continuing_subword_prefix"`
	EndOfWordSuffix         *string          `json:"end_of_word_suffix"`
}

type hfPreTokenizer struct {
	Type             string           `json:"type"`
	Pretokenizers    []hfPreTokenizer `json:"pretokenizers"` // Sequence
	Pattern          hfPattern        `json:"pattern"`       // Split
	Behavior         string           `json:"behavior"`      // Split
	Invert           bool             `json:"invert"`        // Split
	AddPrefixSpace   bool             `json:"add_prefix_space"`
	UseRegex         *bool            `json:"use_regex"`         // ByteLevel
	IndividualDigits bool             `json:"individual_digits"` // Digits
	Replacement      string           `json:"replacement"`       // Metaspace
	PrependScheme    string           `json:"prepend_scheme"`    // Metaspace
	Split            *bool            `json:"split"`             // Metaspace
}

type hfPost struct {
	Type       string   `json:"type"`
	Processors []hfPost `json:"processors"` // Sequence
	Single     []struct {
		SpecialToken *struct{ ID string } `json:"SpecialToken"`
		Sequence     *struct{ ID string } `json:"Sequence"`
	} `json:"single"`
	SpecialTokens map[string]struct {
		IDs []int `json:"ids"`
	} `json:"special_tokens"`
}

// hfConfig is the part of tokenizer_config.json the tokenizer needs.
type hfConfig struct {
	BOSToken    tokenName `json:"bos_token"`
	EOSToken    tokenName `json:"eos_token"`
	AddBOSToken *bool     `json:"add_bos_token"`
	AddEOSToken *bool     `json:"add_eos_token"`
}

// tokenName is a special token in tokenizer_config.json: a string, an
// object with "content", or null.
type tokenName string

func (n *tokenName) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		*n = tokenName(s)
		return nil
	}
	var obj struct {
		Content string `json:"content"`
	}
	if err := json.Unmarshal(b, &obj); err != nil {
		return fmt.Errorf("want a token string or {\"content\": ...}, got %s", b)
	}
	*n = tokenName(obj.Content)
	return nil
}

// FromHF builds a tokenizer from the contents of tokenizer.json and,
// optionally (nil), tokenizer_config.json.
func FromHF(tokenizerJSON, configJSON []byte) (*Tokenizer, error) {
	var f hfTokenizer
	if err := json.Unmarshal(tokenizerJSON, &f); err != nil {
		return nil, fmt.Errorf("tokenizer.json: %w", err)
	}
	var cfg hfConfig
	if configJSON != nil {
		if err := json.Unmarshal(configJSON, &cfg); err != nil {
			return nil, fmt.Errorf("tokenizer_config.json: %w", err)
		}
	}
	m := f.Model
	if m.Type != "BPE" && !(m.Type == "" && m.Merges != nil) {
		return nil, fmt.Errorf("model type %q is not supported (only BPE)", m.Type)
	}
	if m.ContinuingSubwordPrefix != nil && *m.ContinuingSubwordPrefix != "" ||
		m.EndOfWordSuffix != nil && *m.EndOfWordSuffix != "" {
		return nil, fmt.Errorf("BPE with continuing_subword_prefix or end_of_word_suffix is not supported")
	}

	size := int32(0)
	for _, id := range m.Vocab {
		size = max(size, id+1)
	}
	for _, a := range f.AddedTokens {
		size = max(size, a.ID+1)
	}
	vocab := make([]string, size)
	for s, id := range m.Vocab {
		if id < 0 {
			return nil, fmt.Errorf("model.vocab: negative id %d for %q", id, s)
		}
		vocab[id] = s
	}
	for _, a := range f.AddedTokens {
		if a.ID < 0 {
			return nil, fmt.Errorf("added_tokens: negative id %d for %q", a.ID, a.Content)
		}
		vocab[a.ID] = a.Content
	}
	t := &Tokenizer{ignoreMerges: m.IgnoreMerges}
	t.setVocab(vocab)

	var err error
	if t.normalize, err = buildNormalizer(f.Normalizer); err != nil {
		return nil, fmt.Errorf("normalizer: %w", err)
	}
	var stages []splitter
	byteLevel := false
	if p := f.PreTokenizer; p != nil && p.Type == "Metaspace" {
		t.metaspace = buildMetaspace(p)
		if p.Split == nil || *p.Split {
			stages = []splitter{splitBefore(t.metaspace.replacement)}
		}
	} else if stages, byteLevel, err = buildPreTokenizer(p); err != nil {
		return nil, fmt.Errorf("pre_tokenizer: %w", err)
	}
	if len(stages) > 0 {
		t.split = chain(stages)
	}
	if t.decoder, err = buildDecoder(f.Decoder); err != nil {
		return nil, fmt.Errorf("decoder: %w", err)
	}

	t.model = newBPE()
	t.model.byteFallback = m.ByteFallback
	t.model.fuseUnk = m.FuseUnk
	if m.UnkToken != nil {
		id, ok := t.ids[*m.UnkToken]
		if !ok {
			return nil, fmt.Errorf("model.unk_token %q is not in the vocabulary", *m.UnkToken)
		}
		t.model.unk = id
	}
	if m.ByteFallback {
		for b := range 256 {
			if id, ok := t.ids[fmt.Sprintf("<0x%02X>", b)]; ok {
				t.model.byteIDs[b] = id
			}
		}
	}
	merges, err := parseMerges(m.Merges)
	if err == nil {
		err = t.addMerges(merges)
	}
	if err != nil {
		return nil, fmt.Errorf("model.merges: %w", err)
	}
	if byteLevel {
		t.setByteLevel()
	}

	for _, a := range f.AddedTokens {
		tok := addedToken{content: a.Content, id: a.ID, special: a.Special, lstrip: a.LStrip, rstrip: a.RStrip}
		normalized := !a.Special
		if a.Normalized != nil {
			normalized = *a.Normalized
		}
		if normalized && t.normalize != nil {
			tok.normalized = true
			tok.content = t.normalize(a.Content)
		}
		t.added.add(tok)
		if a.Special {
			t.special[a.ID] = true
		}
	}

	if t.prefix, t.suffix, err = postProcessor(f.PostProcessor); err != nil {
		return nil, fmt.Errorf("post_processor: %w", err)
	}
	if err := t.applyConfig(cfg); err != nil {
		return nil, fmt.Errorf("tokenizer_config.json: %w", err)
	}
	return t, nil
}

// parseMerges reads merges written as "a b" strings or as ["a", "b"] pairs.
func parseMerges(raw json.RawMessage) ([][2]string, error) {
	var pairs [][2]string
	if err := json.Unmarshal(raw, &pairs); err == nil {
		return pairs, nil
	}
	var lines []string
	if err := json.Unmarshal(raw, &lines); err != nil {
		return nil, fmt.Errorf("want a list of \"a b\" strings or [a, b] pairs")
	}
	return splitMerges(lines)
}

func splitMerges(lines []string) ([][2]string, error) {
	pairs := make([][2]string, len(lines))
	for i, l := range lines {
		a, b, ok := strings.Cut(l, " ")
		if !ok {
			return nil, fmt.Errorf("merge %d (%q) has no space", i, l)
		}
		pairs[i] = [2]string{a, b}
	}
	return pairs, nil
}

// addMerges installs the merges; a merge's rank is its index.
func (t *Tokenizer) addMerges(pairs [][2]string) error {
	for i, p := range pairs {
		l, okL := t.ids[p[0]]
		r, okR := t.ids[p[1]]
		id, ok := t.ids[p[0]+p[1]]
		if !okL || !okR || !ok {
			return fmt.Errorf("merge %d (%q %q) uses a token that is not in the vocabulary", i, p[0], p[1])
		}
		t.model.addMerge(l, r, id, int32(i))
	}
	return nil
}

// buildPreTokenizer returns the splitting stages and whether the tokenizer
// is byte-level (has a ByteLevel pre-tokenizer).
func buildPreTokenizer(p *hfPreTokenizer) ([]splitter, bool, error) {
	if p == nil {
		return nil, false, nil
	}
	switch p.Type {
	case "Sequence":
		var stages []splitter
		byteLevel := false
		for i := range p.Pretokenizers {
			s, bl, err := buildPreTokenizer(&p.Pretokenizers[i])
			if err != nil {
				return nil, false, err
			}
			stages = append(stages, s...)
			byteLevel = byteLevel || bl
		}
		return stages, byteLevel, nil
	case "Split":
		if p.Pattern.Regex == nil {
			return nil, false, fmt.Errorf("split: only regex patterns are supported")
		}
		if p.Invert || !strings.EqualFold(p.Behavior, "Isolated") {
			return nil, false, fmt.Errorf("split: only the Isolated behaviour without invert is supported")
		}
		s, err := regexSplitter(*p.Pattern.Regex)
		return []splitter{s}, false, err
	case "ByteLevel":
		var stages []splitter
		if p.AddPrefixSpace {
			stages = append(stages, func(s string, yield func(string)) {
				if s != "" && s[0] != ' ' {
					s = " " + s
				}
				yield(s)
			})
		}
		if p.UseRegex == nil || *p.UseRegex {
			stages = append(stages, splitGPT2)
		}
		return stages, true, nil
	case "Digits":
		return []splitter{splitDigits(p.IndividualDigits)}, false, nil
	case "Metaspace":
		return nil, false, fmt.Errorf("the Metaspace pre-tokenizer is supported only on its own")
	}
	return nil, false, fmt.Errorf("unsupported pre-tokenizer %q", p.Type)
}

func buildMetaspace(p *hfPreTokenizer) *metaspace {
	m := &metaspace{replacement: p.Replacement, prepend: p.PrependScheme}
	if m.replacement == "" {
		m.replacement = "\u2581"
	}
	if m.prepend == "" {
		m.prepend = "always"
	}
	return m
}

// postProcessor returns the special ids a single sequence gets before and
// after it.
func postProcessor(p *hfPost) (prefix, suffix []int, err error) {
	if p == nil {
		return nil, nil, nil
	}
	switch p.Type {
	case "ByteLevel":
		return nil, nil, nil
	case "Sequence":
		for i := range p.Processors {
			pre, suf, err := postProcessor(&p.Processors[i])
			if err != nil {
				return nil, nil, err
			}
			prefix = append(prefix, pre...)
			suffix = append(suf, suffix...)
		}
		return prefix, suffix, nil
	case "TemplateProcessing":
		seen := false
		for _, item := range p.Single {
			switch {
			case item.Sequence != nil:
				seen = true
			case item.SpecialToken != nil:
				st, ok := p.SpecialTokens[item.SpecialToken.ID]
				if !ok {
					return nil, nil, fmt.Errorf("TemplateProcessing: special token %q is not in special_tokens", item.SpecialToken.ID)
				}
				if seen {
					suffix = append(suffix, st.IDs...)
				} else {
					prefix = append(prefix, st.IDs...)
				}
			}
		}
		return prefix, suffix, nil
	}
	return nil, nil, fmt.Errorf("unsupported post-processor %q", p.Type)
}

// applyConfig sets BOS and EOS from tokenizer_config.json and lets explicit
// add_bos_token / add_eos_token decide what Encode adds.
func (t *Tokenizer) applyConfig(cfg hfConfig) error {
	lookup := func(what string, name tokenName) (int, error) {
		if name == "" {
			return -1, nil
		}
		id, ok := t.ids[string(name)]
		if !ok {
			return -1, fmt.Errorf("%s %q is not in the vocabulary", what, name)
		}
		return int(id), nil
	}
	var err error
	if t.bos, err = lookup("bos_token", cfg.BOSToken); err != nil {
		return err
	}
	if t.eos, err = lookup("eos_token", cfg.EOSToken); err != nil {
		return err
	}
	if cfg.AddBOSToken != nil {
		t.prefix = nil
		if *cfg.AddBOSToken && t.bos >= 0 {
			t.prefix = []int{t.bos}
		}
	}
	if cfg.AddEOSToken != nil {
		t.suffix = nil
		if *cfg.AddEOSToken && t.eos >= 0 {
			t.suffix = []int{t.eos}
		}
	}
	return nil
}
