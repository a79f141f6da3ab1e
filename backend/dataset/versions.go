package dataset

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/hone-ai/hone/backend/store"
)

// Fixes are the one-click remedies of the report's findings.
var Fixes = map[string]string{
	"dedupe-exact":      "without exact duplicates",
	"dedupe-normalized": "without duplicates up to case and punctuation",
	"dedupe-near":       "without near-duplicates",
	"drop-short":        "without very short examples",
	"drop-long":         "without very long examples",
}

// Fix makes a new version of dataset id with the finding's examples
// removed (the first of each duplicate group stays). The original stays.
func Fix(ctx context.Context, st *store.Store, id int64, fix string) (Dataset, error) {
	what, ok := Fixes[fix]
	if !ok {
		return Dataset{}, fmt.Errorf("fix %q: want one of dedupe-exact, dedupe-normalized, dedupe-near, drop-short, drop-long", fix)
	}
	d, err := Get(ctx, st, id)
	if err != nil {
		return Dataset{}, err
	}
	all, sigs, sigIDs, err := scan(ctx, st, id)
	if err != nil {
		return Dataset{}, err
	}
	drop := map[int64]bool{}
	firstOf := func(key func(scanned) string) {
		seen := map[string]bool{}
		for _, s := range all {
			if k := key(s); seen[k] {
				drop[s.id] = true
			} else {
				seen[k] = true
			}
		}
	}
	switch fix {
	case "dedupe-exact":
		firstOf(func(s scanned) string { return s.hash })
	case "dedupe-normalized":
		firstOf(func(s scanned) string { return s.normHash })
	case "dedupe-near":
		firstOf(func(s scanned) string { return s.normHash })
		for _, g := range nearGroups(sigs) {
			for _, i := range g[1:] {
				drop[sigIDs[i]] = true
			}
		}
	case "drop-short", "drop-long":
		for _, s := range all {
			if fix == "drop-short" && s.chars < shortChars || fix == "drop-long" && s.chars > longChars {
				drop[s.id] = true
			}
		}
	}
	recipe, _ := json.Marshal(map[string]any{"op": fix, "from": id, "removed": len(drop)})
	return derive(ctx, st, Dataset{Name: d.Name + " (" + what + ")", Source: d.Source, Format: d.Format, ParentID: id, Recipe: string(recipe)},
		[]part{{id: id, keep: func(eid int64) bool { return !drop[eid] }}})
}

// Split makes a train and an eval dataset from id, with evalFraction of the
// examples in eval, drawn with seed: the same seed gives the same split.
// With labels, each label is split in the same proportion (stratified).
func Split(ctx context.Context, st *store.Store, id int64, evalFraction float64, seed uint64) (train, eval Dataset, err error) {
	if !(evalFraction > 0 && evalFraction < 1) {
		return Dataset{}, Dataset{}, fmt.Errorf("split: eval fraction %v: want more than 0 and less than 1", evalFraction)
	}
	d, err := Get(ctx, st, id)
	if err != nil {
		return Dataset{}, Dataset{}, err
	}
	all, _, _, err := scan(ctx, st, id)
	if err != nil {
		return Dataset{}, Dataset{}, err
	}
	byLabel := map[string][]int64{}
	var order []string
	for _, s := range all {
		if _, ok := byLabel[s.label]; !ok {
			order = append(order, s.label)
		}
		byLabel[s.label] = append(byLabel[s.label], s.id)
	}
	slices.Sort(order)
	rng := rand.New(rand.NewPCG(seed, 0x5eed))
	inEval := map[int64]bool{}
	for _, l := range order {
		ids := byLabel[l]
		rng.Shuffle(len(ids), func(i, j int) { ids[i], ids[j] = ids[j], ids[i] })
		for _, eid := range ids[:int(math.Round(evalFraction*float64(len(ids))))] {
			inEval[eid] = true
		}
	}
	recipe := func(part string) string {
		b, _ := json.Marshal(map[string]any{"op": "split", "part": part, "from": id, "evalFraction": evalFraction, "seed": seed})
		return string(b)
	}
	meta := func(part string) Dataset {
		return Dataset{Name: fmt.Sprintf("%s (%s)", d.Name, part), Source: d.Source, Format: d.Format, ParentID: id, Recipe: recipe(part)}
	}
	if train, err = derive(ctx, st, meta("train"), []part{{id: id, keep: func(e int64) bool { return !inEval[e] }}}); err != nil {
		return Dataset{}, Dataset{}, err
	}
	if eval, err = derive(ctx, st, meta("eval"), []part{{id: id, keep: func(e int64) bool { return inEval[e] }}}); err != nil {
		Delete(ctx, st, train.ID)
		return Dataset{}, Dataset{}, err
	}
	return train, eval, nil
}

// MixPart is a dataset and its share of a mix.
type MixPart struct {
	Dataset int64   `json:"dataset"`
	Weight  float64 `json:"weight"`
}

// Mix draws from several datasets by weight into a new one. The size is the
// largest that needs no example twice, unless total asks for fewer.
func Mix(ctx context.Context, st *store.Store, name string, parts []MixPart, total int64, seed uint64) (Dataset, error) {
	if len(parts) < 2 {
		return Dataset{}, fmt.Errorf("mix: want at least two datasets")
	}
	var sum float64
	sizes := make([]int64, len(parts))
	for i, p := range parts {
		if !(p.Weight > 0 && p.Weight < 1e6) {
			return Dataset{}, fmt.Errorf("mix: dataset %d: weight %v: want more than 0", p.Dataset, p.Weight)
		}
		d, err := Get(ctx, st, p.Dataset)
		if err != nil {
			return Dataset{}, fmt.Errorf("mix: %w", err)
		}
		sum += p.Weight
		sizes[i] = d.Examples
	}
	n := int64(math.MaxInt64)
	for i, p := range parts {
		n = min(n, int64(float64(sizes[i])*sum/p.Weight))
	}
	if total > 0 {
		n = min(n, total)
	}
	rng := rand.New(rand.NewPCG(seed, 0x313c))
	var ps []part
	for i, p := range parts {
		take := int(math.Round(float64(n) * p.Weight / sum))
		pick := rng.Perm(int(sizes[i]))[:min(take, int(sizes[i]))]
		chosen := make(map[int64]bool, len(pick))
		for _, k := range pick {
			chosen[int64(k)+1] = true // seq is 1-based
		}
		ps = append(ps, part{id: p.Dataset, keepSeq: func(seq int64) bool { return chosen[seq] }})
	}
	recipe, _ := json.Marshal(map[string]any{"op": "mix", "parts": parts, "seed": seed, "total": n})
	return derive(ctx, st, Dataset{Name: name, Format: "mix", ParentID: parts[0].Dataset, Recipe: string(recipe)}, ps)
}

// part is a source of a derived dataset and which of its examples to keep.
type part struct {
	id      int64
	keep    func(exampleID int64) bool
	keepSeq func(seq int64) bool
}

// derive writes a new dataset from the kept examples of parts, in order.
func derive(ctx context.Context, st *store.Store, meta Dataset, parts []part) (Dataset, error) {
	w, err := newWriter(ctx, st, meta)
	if err != nil {
		return Dataset{}, err
	}
	var bytes int64
	copyPart := func(p part) error {
		lo, hi := span(p.id)
		rows, err := w.db.QueryContext(ctx, `SELECT id, seq, messages, label, text, line, hash, norm_hash, chars FROM examples WHERE id BETWEEN ? AND ? ORDER BY id`, lo, hi)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id, seq int64
			var r row
			if err := rows.Scan(&id, &seq, &r.messages, &r.label, &r.text, &r.line, &r.hash, &r.normHash, &r.chars); err != nil {
				return err
			}
			if (p.keep != nil && !p.keep(id)) || (p.keepSeq != nil && !p.keepSeq(seq)) {
				continue
			}
			bytes += int64(len(r.messages))
			if err := w.add(r); err != nil {
				return err
			}
		}
		return rows.Err()
	}
	for _, p := range parts {
		if err := copyPart(p); err != nil {
			w.abort()
			return Dataset{}, fmt.Errorf("make %q: %w", meta.Name, err)
		}
	}
	if w.n == 0 {
		w.abort()
		return Dataset{}, fmt.Errorf("make %q: no example left", meta.Name)
	}
	id, err := w.finish(bytes, meta.Format)
	if err != nil {
		w.abort()
		return Dataset{}, err
	}
	return Get(ctx, st, id)
}
