package dataset

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/hone-ai/hone/backend/dataset/parse"
	"github.com/hone-ai/hone/backend/store"
	"github.com/hone-ai/hone/backend/tokenizer"
)

// TokenLengths is how long a dataset's examples are in a model's tokens,
// rendered through its chat template as training will see them.
type TokenLengths struct {
	Model     string   `json:"model"`
	Templated bool     `json:"templated"` // false: the model has no chat template, contents counted alone
	SeqLen    int      `json:"seqLen"`
	Examples  int      `json:"examples"`
	Histogram []Bucket `json:"histogram"` // tokens; the last bucket is everything past SeqLen
	Truncated int      `json:"truncated"` // examples longer than SeqLen
	Longest   []int64  `json:"longest"`   // ids of the truncated examples, the first ones
	P50       int      `json:"p50"`
	P95       int      `json:"p95"`
	P99       int      `json:"p99"`
	Max       int      `json:"max"`
	// Failed counts examples the template refused (its raise_exception),
	// FirstError says why.
	Failed     int    `json:"failed"`
	FirstError string `json:"firstError,omitempty"`
}

// CountTokens measures dataset id in the tokens of the model at modelPath
// (a Hugging Face folder or a .gguf file) against a sequence length.
func CountTokens(ctx context.Context, st *store.Store, id int64, modelPath string, seqLen int) (TokenLengths, error) {
	if seqLen < 1 || seqLen > 1<<20 {
		return TokenLengths{}, fmt.Errorf("sequence length %d: want 1 to 1048576", seqLen)
	}
	if _, err := Get(ctx, st, id); err != nil {
		return TokenLengths{}, err
	}
	tok, tmpl, err := tokenizer.ForModel(modelPath)
	if err != nil {
		return TokenLengths{}, err
	}
	db, err := sqlDB(st)
	if err != nil {
		return TokenLengths{}, err
	}
	lo, hi := span(id)
	rows, err := db.QueryContext(ctx, `SELECT id, messages, text FROM examples WHERE id BETWEEN ? AND ? ORDER BY id`, lo, hi)
	if err != nil {
		return TokenLengths{}, fmt.Errorf("dataset %d: %w", id, err)
	}
	defer rows.Close()
	r := TokenLengths{Model: modelPath, Templated: tmpl != nil, SeqLen: seqLen}
	var counts []int
	for rows.Next() {
		if err := ctx.Err(); err != nil {
			return TokenLengths{}, err
		}
		var eid int64
		var msgs []byte
		var text bool
		if err := rows.Scan(&eid, &msgs, &text); err != nil {
			return TokenLengths{}, err
		}
		var m []parse.Message
		if err := json.Unmarshal(msgs, &m); err != nil {
			return TokenLengths{}, fmt.Errorf("example %d: %w", eid, err)
		}
		n, err := countExample(tok, tmpl, m, text)
		if err != nil {
			r.Failed++
			if r.FirstError == "" {
				r.FirstError = fmt.Sprintf("example %d: %v", eid, err)
			}
			continue
		}
		counts = append(counts, n)
		if n > seqLen {
			r.Truncated++
			if len(r.Longest) < findingIDs {
				r.Longest = append(r.Longest, eid)
			}
		}
	}
	if err := rows.Err(); err != nil {
		return TokenLengths{}, err
	}
	r.Examples = len(counts)
	if len(counts) == 0 {
		return r, nil
	}
	slices.Sort(counts)
	at := func(q float64) int { return counts[min(len(counts)-1, int(q*float64(len(counts))))] }
	r.P50, r.P95, r.P99, r.Max = at(0.5), at(0.95), at(0.99), counts[len(counts)-1]
	// Eight equal buckets for 0..seqLen, one for the rest.
	step := (seqLen + 8) / 8
	for lo := 0; lo <= seqLen; lo += step {
		r.Histogram = append(r.Histogram, Bucket{Lo: lo, Hi: min(lo+step, seqLen+1)})
	}
	r.Histogram = append(r.Histogram, Bucket{Lo: seqLen + 1, Hi: max(r.Max+1, seqLen+2)})
	for _, n := range counts {
		for i := range r.Histogram {
			if n >= r.Histogram[i].Lo && n < r.Histogram[i].Hi {
				r.Histogram[i].Count++
				break
			}
		}
	}
	return r, nil
}

// countExample renders an example as training will and counts its tokens.
func countExample(tok *tokenizer.Tokenizer, tmpl *tokenizer.ChatTemplate, m []parse.Message, text bool) (int, error) {
	if text || tmpl == nil {
		parts := make([]string, len(m))
		for i, msg := range m {
			parts[i] = msg.Content
		}
		return len(tok.Encode(strings.Join(parts, "\n"), true)), nil
	}
	msgs := make([]tokenizer.Message, len(m))
	for i, msg := range m {
		msgs[i] = tokenizer.Message{Role: msg.Role, Content: msg.Content}
	}
	s, err := tmpl.Render(msgs, tokenizer.RenderOptions{})
	if err != nil {
		return 0, err
	}
	// The template writes BOS and the other specials as text.
	return len(tok.Encode(s, false)), nil
}
