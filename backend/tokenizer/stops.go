package tokenizer

import (
	"encoding/json"
	"os"
	"slices"
	"strings"
)

// turnEnds are the special tokens chat templates write after each turn;
// a model trained on its template emits one to stop.
var turnEnds = []string{"<|im_end|>", "<|eot_id|>", "<|end_of_text|>", "<end_of_turn>", "<|end|>", "<|endoftext|>", "</s>"}

// StopTokens are the ids that end an answer: the tokenizer's EOS, the
// end-of-turn tokens the chat template writes, and generation_config.json's
// eos_token_id (a number or a list; generationConfig "" skips it), sorted
// and without repeats. Generation stops at any of them; an adapter records
// them as part of its contract.
func StopTokens(tok *Tokenizer, tmpl *ChatTemplate, generationConfig string) []int {
	var ids []int
	if tok.EOS() >= 0 {
		ids = append(ids, tok.EOS())
	}
	if tmpl != nil {
		for _, s := range turnEnds {
			if id, ok := tok.TokenID(s); ok && strings.Contains(tmpl.Source(), s) {
				ids = append(ids, id)
			}
		}
	}
	if generationConfig != "" {
		if raw, err := os.ReadFile(generationConfig); err == nil {
			var g struct {
				EOS json.RawMessage `json:"eos_token_id"`
			}
			if json.Unmarshal(raw, &g) == nil {
				var one int
				var many []int
				if json.Unmarshal(g.EOS, &one) == nil {
					ids = append(ids, one)
				} else if json.Unmarshal(g.EOS, &many) == nil {
					ids = append(ids, many...)
				}
			}
		}
	}
	slices.Sort(ids)
	return slices.Compact(ids)
}
