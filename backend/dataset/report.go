package dataset

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/hone-ai/hone/backend/dataset/parse"
	"github.com/hone-ai/hone/backend/store"
)

// Finding is one thing wrong with a dataset, with the examples behind it.
type Finding struct {
	Key      string    `json:"key"`
	Title    string    `json:"title"`
	Severity string    `json:"severity"` // "warn" or "info"
	Count    int       `json:"count"`    // examples concerned
	Advice   string    `json:"advice"`
	Examples []int64   `json:"examples"`         // the first example ids
	Groups   [][]int64 `json:"groups,omitempty"` // duplicate groups, the first ones
	// Fix is the one-click remedy, a key of Fixes: a new version without
	// the finding's examples (the first of each duplicate group stays).
	Fix string `json:"fix,omitempty"`
}

// LabelCount is one label and how many examples carry it.
type LabelCount struct {
	Label string `json:"label"`
	Count int    `json:"count"`
}

// Bucket is one bar of a length histogram: lengths in [Lo, Hi).
type Bucket struct {
	Lo    int `json:"lo"`
	Hi    int `json:"hi"`
	Count int `json:"count"`
}

// Lengths describes example lengths in characters.
type Lengths struct {
	Histogram []Bucket `json:"histogram"`
	P50       int      `json:"p50"`
	P95       int      `json:"p95"`
	P99       int      `json:"p99"`
	Max       int      `json:"max"`
}

// Shape is how the examples are put together.
type Shape struct {
	Roles         []LabelCount `json:"roles"` // role sequences such as "user assistant", most common first
	WithSystem    int          `json:"withSystem"`
	SystemPrompts int          `json:"systemPrompts"` // distinct system prompts
	MultiTurn     int          `json:"multiTurn"`     // more than one assistant turn
	PlainText     int          `json:"plainText"`
}

// Report is the quality report of one dataset.
type Report struct {
	Dataset   Dataset      `json:"dataset"`
	Examples  int          `json:"examples"`
	Findings  []Finding    `json:"findings"`
	Labels    []LabelCount `json:"labels"`    // most common first; empty when unlabelled
	Imbalance float64      `json:"imbalance"` // most common ÷ least common label
	Lengths   Lengths      `json:"lengths"`
	Shape     Shape        `json:"shape"`
	// NearChecked is how many examples the near-duplicate search covered.
	NearChecked int `json:"nearChecked"`
}

const (
	shortChars    = 20
	longChars     = 16000 // about 4,000 tokens
	findingIDs    = 200
	findingGroups = 20
	// MinHash signatures take 512 bytes an example: past this many the
	// near-duplicate search covers the first ones only.
	nearLimit = 200000
)

type scanned struct {
	id       int64
	hash     string
	normHash string
	chars    int
	label    string
	roles    string
	system   string
	turns    int
	text     bool
}

// scan reads every example of a dataset once: what the report and the
// fixes need, with MinHash signatures of the distinct normalised texts.
func scan(ctx context.Context, st *store.Store, id int64) (all []scanned, sigs [][numHashes]uint32, sigIDs []int64, err error) {
	db, err := sqlDB(st)
	if err != nil {
		return nil, nil, nil, err
	}
	lo, hi := span(id)
	rows, err := db.QueryContext(ctx, `SELECT id, messages, label, text, hash, norm_hash, chars FROM examples WHERE id BETWEEN ? AND ? ORDER BY id`, lo, hi)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("read dataset %d: %w", id, err)
	}
	defer rows.Close()
	seenNorm := map[string]bool{}
	mh := newMinhasher()
	var norm []byte
	for rows.Next() {
		var s scanned
		var msgs []byte
		var hash, normHash []byte
		if err := rows.Scan(&s.id, &msgs, &s.label, &s.text, &hash, &normHash, &s.chars); err != nil {
			return nil, nil, nil, fmt.Errorf("read dataset %d: %w", id, err)
		}
		s.hash, s.normHash = string(hash), string(normHash)
		var m []parse.Message
		if err := json.Unmarshal(msgs, &m); err != nil {
			return nil, nil, nil, fmt.Errorf("read dataset %d: example %d: %w", id, s.id, err)
		}
		roles := make([]string, len(m))
		norm = norm[:0]
		for i, msg := range m {
			roles[i] = msg.Role
			if msg.Role == "system" && i == 0 {
				s.system = msg.Content
			}
			if msg.Role == "assistant" {
				s.turns++
			}
			norm = appendNormalized(norm, msg.Content)
		}
		s.roles = strings.Join(roles, " ")
		if !seenNorm[s.normHash] && len(sigs) < nearLimit {
			seenNorm[s.normHash] = true
			sigs = append(sigs, mh.signature(norm))
			sigIDs = append(sigIDs, s.id)
		}
		all = append(all, s)
	}
	if err := rows.Err(); err != nil {
		return nil, nil, nil, fmt.Errorf("read dataset %d: %w", id, err)
	}
	return all, sigs, sigIDs, nil
}

// MakeReport reads every example of dataset id and reports on it.
func MakeReport(ctx context.Context, st *store.Store, id int64) (Report, error) {
	d, err := Get(ctx, st, id)
	if err != nil {
		return Report{}, err
	}
	all, sigs, sigIDs, err := scan(ctx, st, id)
	if err != nil {
		return Report{}, err
	}
	r := Report{Dataset: d, Examples: len(all), NearChecked: len(sigs)}
	r.Findings = append(r.Findings,
		dupFinding(all, func(s scanned) string { return s.hash }, "exact-duplicates", "Exact duplicates",
			"The same example more than once: the model sees it several times per epoch and memorises it.", "dedupe-exact"),
		dupFinding(all, func(s scanned) string { return s.normHash }, "normalized-duplicates", "Duplicates up to case, spacing and punctuation",
			"Examples that differ only in case, spaces or punctuation count as repeats.", "dedupe-normalized"),
		nearFinding(sigs, sigIDs, len(all)),
		filterFinding(all, func(s scanned) bool { return s.chars < shortChars }, "short", "Very short examples",
			fmt.Sprintf("Under %d characters in all: little to learn from; check they are not truncated or placeholders.", shortChars)),
		filterFinding(all, func(s scanned) bool { return s.chars > longChars }, "long", "Very long examples",
			fmt.Sprintf("Over %d characters (about 4,000 tokens): they will be truncated at common sequence lengths.", longChars)),
	)
	r.Findings = slices.DeleteFunc(r.Findings, func(f Finding) bool { return f.Count == 0 })
	r.Labels, r.Imbalance = labels(all)
	if r.Imbalance >= 10 {
		r.Findings = append(r.Findings, Finding{Key: "imbalance", Title: "Imbalanced labels", Severity: "warn", Count: r.Labels[len(r.Labels)-1].Count,
			Advice: fmt.Sprintf("%q has %.0f× the examples of %q: the model will favour the common labels; add examples of the rare ones or rebalance with a mix.",
				r.Labels[0].Label, r.Imbalance, r.Labels[len(r.Labels)-1].Label)})
	}
	r.Lengths = lengths(all)
	r.Shape = shape(all)
	if len(r.Shape.Roles) > 1 {
		r.Findings = append(r.Findings, Finding{Key: "mixed-shapes", Title: "Mixed conversation shapes", Severity: "info", Count: len(all) - r.Shape.Roles[0].Count,
			Advice: fmt.Sprintf("Most examples are %q; the others differ. Fine for chat data; a surprise for a single-task set.", r.Shape.Roles[0].Label)})
	}
	if r.Shape.WithSystem > 0 && r.Shape.WithSystem < len(all) {
		r.Findings = append(r.Findings, Finding{Key: "system-prompts", Title: "Some examples have a system prompt, some do not", Severity: "info",
			Count: len(all) - r.Shape.WithSystem, Advice: "Use the same system prompt in training as in production, for every example."})
	}
	return r, nil
}

func dupFinding(all []scanned, key func(scanned) string, k, title, advice, fix string) Finding {
	groups := map[string][]int64{}
	var order []string
	for _, s := range all {
		g := key(s)
		if len(groups[g]) == 0 {
			order = append(order, g)
		}
		groups[g] = append(groups[g], s.id)
	}
	f := Finding{Key: k, Title: title, Severity: "warn", Advice: advice, Fix: fix}
	for _, g := range order {
		ids := groups[g]
		if len(ids) < 2 {
			continue
		}
		f.Count += len(ids) - 1 // the copies beyond the first
		if len(f.Groups) < findingGroups {
			f.Groups = append(f.Groups, ids[:min(len(ids), 10)])
		}
		for _, id := range ids[1:] {
			if len(f.Examples) < findingIDs {
				f.Examples = append(f.Examples, id)
			}
		}
	}
	return f
}

func nearFinding(sigs [][numHashes]uint32, ids []int64, total int) Finding {
	f := Finding{Key: "near-duplicates", Title: "Near-duplicates", Severity: "warn", Fix: "dedupe-near",
		Advice: "Examples that are almost the same text (about 80% of their 5-character pieces shared): templated or lightly edited copies."}
	if len(sigs) < total && len(sigs) == nearLimit {
		f.Advice += fmt.Sprintf(" Checked among the first %d distinct examples.", nearLimit)
	}
	for _, g := range nearGroups(sigs) {
		f.Count += len(g) - 1
		group := make([]int64, 0, min(len(g), 10))
		for _, i := range g[:min(len(g), 10)] {
			group = append(group, ids[i])
		}
		if len(f.Groups) < findingGroups {
			f.Groups = append(f.Groups, group)
		}
		for _, i := range g[1:] {
			if len(f.Examples) < findingIDs {
				f.Examples = append(f.Examples, ids[i])
			}
		}
	}
	return f
}

func filterFinding(all []scanned, match func(scanned) bool, k, title, advice string) Finding {
	f := Finding{Key: k, Title: title, Severity: "warn", Advice: advice, Fix: "drop-" + k}
	for _, s := range all {
		if match(s) {
			f.Count++
			if len(f.Examples) < findingIDs {
				f.Examples = append(f.Examples, s.id)
			}
		}
	}
	return f
}

func labels(all []scanned) ([]LabelCount, float64) {
	counts := map[string]int{}
	for _, s := range all {
		if s.label != "" {
			counts[s.label]++
		}
	}
	out := make([]LabelCount, 0, len(counts))
	for l, c := range counts {
		out = append(out, LabelCount{l, c})
	}
	sortCounts(out)
	if len(out) < 2 {
		return out, 0
	}
	return out, float64(out[0].Count) / float64(out[len(out)-1].Count)
}

func sortCounts(c []LabelCount) {
	sort.Slice(c, func(i, j int) bool {
		if c[i].Count != c[j].Count {
			return c[i].Count > c[j].Count
		}
		return c[i].Label < c[j].Label
	})
}

func lengths(all []scanned) Lengths {
	if len(all) == 0 {
		return Lengths{}
	}
	ls := make([]int, len(all))
	for i, s := range all {
		ls[i] = s.chars
	}
	slices.Sort(ls)
	at := func(q float64) int { return ls[min(len(ls)-1, int(q*float64(len(ls))))] }
	l := Lengths{P50: at(0.50), P95: at(0.95), P99: at(0.99), Max: ls[len(ls)-1]}
	// Powers of two from 16 characters: short texts and long documents on one axis.
	lo := 0
	for hi := 16; ; hi *= 2 {
		b := Bucket{Lo: lo, Hi: hi}
		for _, n := range ls {
			if n >= lo && n < hi {
				b.Count++
			}
		}
		l.Histogram = append(l.Histogram, b)
		if hi > l.Max {
			break
		}
		lo = hi
	}
	return l
}

func shape(all []scanned) Shape {
	var s Shape
	roles := map[string]int{}
	systems := map[string]bool{}
	for _, e := range all {
		roles[e.roles]++
		if e.system != "" {
			s.WithSystem++
			systems[e.system] = true
		}
		if e.turns > 1 {
			s.MultiTurn++
		}
		if e.text {
			s.PlainText++
		}
	}
	s.SystemPrompts = len(systems)
	for r, c := range roles {
		s.Roles = append(s.Roles, LabelCount{r, c})
	}
	sortCounts(s.Roles)
	return s
}
