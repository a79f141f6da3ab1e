package core

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"

	"github.com/hone-ai/hone/backend/infer"
	"github.com/hone-ai/hone/backend/internal/fsutil"
	"github.com/hone-ai/hone/backend/store"
)

// ArenaMatch is a blind match as the UI sees it before the vote: two
// answers, A and B, and nothing that says which model wrote which.
type ArenaMatch struct {
	ID      int64  `json:"id"`
	AnswerA string `json:"answerA"`
	AnswerB string `json:"answerB"`
}

// ArenaReveal is a match after the vote: who A and B were.
type ArenaReveal struct {
	ID     int64         `json:"id"`
	A      ChatCandidate `json:"a"`
	B      ChatCandidate `json:"b"`
	Winner string        `json:"winner"`
}

// ArenaStart has two distinct candidates of modelPath, drawn at random and
// in random order, answer prompt with one seed (the settings' fixed one or
// a new one), and stores the match without a winner. onEvent sees the
// answers stream as sides "a" and "b".
func (h *Hone) ArenaStart(ctx context.Context, modelPath, prompt, system string, s ChatSettings, onEvent ChatEventFunc) (ArenaMatch, error) {
	if strings.TrimSpace(prompt) == "" {
		return ArenaMatch{}, errTyped
	}
	if err := s.Check(); err != nil {
		return ArenaMatch{}, err
	}
	cands, err := h.ChatCandidates(ctx, modelPath)
	if err != nil {
		return ArenaMatch{}, err
	}
	if len(cands) < 2 {
		return ArenaMatch{}, fmt.Errorf("the arena needs two models: train an adapter on %s first", modelPath)
	}
	gen, err := h.generator(ctx, modelPath)
	if err != nil {
		return ArenaMatch{}, err
	}
	a, b := drawPair(len(cands), rand.IntN)
	seed := newSeed()
	if s.Seed != nil {
		seed = *s.Seed
	}
	t := &turn{conv: store.Conversation{ModelPath: modelPath, System: system}, settings: s, gen: gen}
	history := []infer.Message{{Role: store.RoleUser, Content: prompt}}
	on := serialised(onEvent)
	var ans [2]PaneAnswer
	var wg sync.WaitGroup
	for i, c := range []ChatCandidate{cands[a], cands[b]} {
		side := []string{store.WinnerA, store.WinnerB}[i]
		wg.Add(1)
		go func() {
			defer wg.Done()
			ans[i] = t.run(ctx, c.ID, history, seed, func(_ string, e infer.Event) { on(side, e) })
		}()
	}
	wg.Wait()
	if ctx.Err() != nil {
		return ArenaMatch{}, fmt.Errorf("the match was stopped: %w", ctx.Err())
	}
	for _, x := range ans {
		if x.Error != "" {
			return ArenaMatch{}, fmt.Errorf("an answer failed: %s", strings.TrimPrefix(x.Error, x.Pane+": "))
		}
	}
	v := store.ArenaVote{ModelPath: modelPath, Prompt: promptJSON(system, prompt), CandidateA: cands[a].ID, CandidateB: cands[b].ID,
		AnswerA: ans[0].Message.Content, AnswerB: ans[1].Message.Content, Seed: seed}
	if err := h.Store.CreateArenaVote(ctx, &v); err != nil {
		return ArenaMatch{}, fmt.Errorf("store the match: %w", err)
	}
	return ArenaMatch{ID: v.ID, AnswerA: v.AnswerA, AnswerB: v.AnswerB}, nil
}

// drawPair picks two distinct indices below n (n >= 2), each pair and
// order equally likely.
func drawPair(n int, intN func(int) int) (a, b int) {
	a = intN(n)
	if b = intN(n - 1); b >= a {
		b++
	}
	return a, b
}

// promptJSON is a match's prompt as chat messages: the system prompt, if
// any, then the user's.
func promptJSON(system, prompt string) store.JSON {
	ms := []infer.Message{{Role: store.RoleUser, Content: prompt}}
	if strings.TrimSpace(system) != "" {
		ms = append([]infer.Message{{Role: "system", Content: system}}, ms...)
	}
	raw, _ := json.Marshal(ms) // strings only: cannot fail
	return raw
}

// ArenaVote records the winner of match id ("a", "b", "tie" or "both_bad")
// and reveals the two candidates. A match takes one vote.
func (h *Hone) ArenaVote(ctx context.Context, id int64, winner string) (ArenaReveal, error) {
	switch winner {
	case store.WinnerA, store.WinnerB, store.WinnerTie, store.WinnerBothBad:
	default:
		return ArenaReveal{}, fmt.Errorf("vote %q: want a, b, tie or both_bad", winner)
	}
	if err := h.Store.SetArenaWinner(ctx, id, winner); err != nil {
		return ArenaReveal{}, err
	}
	v, err := h.Store.ArenaVote(ctx, id)
	if err != nil {
		return ArenaReveal{}, err
	}
	names, err := h.candidateNames(ctx, v.ModelPath)
	if err != nil {
		return ArenaReveal{}, err
	}
	return ArenaReveal{ID: id, A: names(v.CandidateA), B: names(v.CandidateB), Winner: winner}, nil
}

// candidateNames looks candidates of modelPath up by model id; one that is
// gone (its adapter deleted) keeps its id as its name.
func (h *Hone) candidateNames(ctx context.Context, modelPath string) (func(string) ChatCandidate, error) {
	cands, err := h.ChatCandidates(ctx, modelPath)
	if err != nil {
		return nil, err
	}
	return func(id string) ChatCandidate {
		if i := slices.IndexFunc(cands, func(c ChatCandidate) bool { return c.ID == id }); i >= 0 {
			return cands[i]
		}
		return ChatCandidate{ID: id, Name: id}
	}, nil
}

// ArenaRecord is one candidate's votes: against everyone (in Standings) or
// against one opponent (in Pairs). WinRate is (wins + ties/2) over the
// wins, losses and ties; a "both bad" vote counts in neither.
type ArenaRecord struct {
	Candidate ChatCandidate `json:"candidate"`
	Opponent  ChatCandidate `json:"opponent"` // empty in Standings
	Wins      int           `json:"wins"`
	Losses    int           `json:"losses"`
	Ties      int           `json:"ties"`
	BothBad   int           `json:"bothBad"`
	WinRate   float64       `json:"winRate"`
}

// ArenaStats is a base model's arena: each candidate's record, best win
// rate first, and each pair's, from the side of its first candidate (by
// model id), most voted first.
type ArenaStats struct {
	Votes     int           `json:"votes"`
	Standings []ArenaRecord `json:"standings"`
	Pairs     []ArenaRecord `json:"pairs"`
}

// ArenaStats counts the votes on modelPath's matches.
func (h *Hone) ArenaStats(ctx context.Context, modelPath string) (ArenaStats, error) {
	vs, err := h.Store.ArenaVotes(ctx, modelPath)
	if err != nil {
		return ArenaStats{}, fmt.Errorf("read the votes: %w", err)
	}
	names, err := h.candidateNames(ctx, modelPath)
	if err != nil {
		return ArenaStats{}, err
	}
	return tally(vs, names), nil
}

// tally turns votes into records.
func tally(vs []store.ArenaVote, names func(string) ChatCandidate) ArenaStats {
	solo, pairs := map[string]*ArenaRecord{}, map[[2]string]*ArenaRecord{}
	get := func(m map[string]*ArenaRecord, id string) *ArenaRecord {
		if m[id] == nil {
			m[id] = &ArenaRecord{Candidate: names(id)}
		}
		return m[id]
	}
	for _, v := range vs {
		x, y, w := v.CandidateA, v.CandidateB, v.Winner
		if x > y { // a pair's record is from the side of its first id
			x, y, w = y, x, swapped(w)
		}
		k := [2]string{x, y}
		if pairs[k] == nil {
			pairs[k] = &ArenaRecord{Candidate: names(x), Opponent: names(y)}
		}
		count(pairs[k], w, true)
		count(get(solo, x), w, true)
		count(get(solo, y), w, false)
	}
	st := ArenaStats{Votes: len(vs), Standings: []ArenaRecord{}, Pairs: []ArenaRecord{}}
	for _, r := range solo {
		st.Standings = append(st.Standings, *r)
	}
	for _, r := range pairs {
		st.Pairs = append(st.Pairs, *r)
	}
	slices.SortFunc(st.Standings, func(a, b ArenaRecord) int {
		if a.WinRate != b.WinRate {
			return -cmpFloat(a.WinRate, b.WinRate)
		}
		return strings.Compare(a.Candidate.ID, b.Candidate.ID)
	})
	slices.SortFunc(st.Pairs, func(a, b ArenaRecord) int {
		if n, m := a.played(), b.played(); n != m {
			return m - n
		}
		return strings.Compare(a.Candidate.ID+"\x00"+a.Opponent.ID, b.Candidate.ID+"\x00"+b.Opponent.ID)
	})
	return st
}

// swapped is vote w seen with A and B exchanged.
func swapped(w string) string {
	switch w {
	case store.WinnerA:
		return store.WinnerB
	case store.WinnerB:
		return store.WinnerA
	}
	return w
}

// count adds vote w to r, whose candidate was side A of it (first) or B.
func count(r *ArenaRecord, w string, first bool) {
	switch {
	case w == store.WinnerTie:
		r.Ties++
	case w == store.WinnerBothBad:
		r.BothBad++
	case (w == store.WinnerA) == first:
		r.Wins++
	default:
		r.Losses++
	}
	if n := r.Wins + r.Losses + r.Ties; n > 0 {
		r.WinRate = (float64(r.Wins) + float64(r.Ties)/2) / float64(n)
	}
}

func (r ArenaRecord) played() int { return r.Wins + r.Losses + r.Ties + r.BothBad }

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// PreferenceExport says what ExportPreferences wrote.
type PreferenceExport struct {
	Path    string `json:"path"`
	Pairs   int    `json:"pairs"`   // lines written: one per decisive vote
	Skipped int    `json:"skipped"` // ties and "both bad": no preference to learn
}

// preferenceLine is one pair in TRL's conversational preference format (DPO).
type preferenceLine struct {
	Prompt   []infer.Message `json:"prompt"`
	Chosen   []infer.Message `json:"chosen"`
	Rejected []infer.Message `json:"rejected"`
}

// ExportPreferences writes modelPath's decisive votes to path as JSONL in
// TRL's conversational preference format, {"prompt": [system?, user],
// "chosen": [assistant], "rejected": [assistant]}, ready for DPO. Ties and
// "both bad" votes carry no preference and are skipped (and counted).
func (h *Hone) ExportPreferences(ctx context.Context, modelPath, path string) (PreferenceExport, error) {
	vs, err := h.Store.ArenaVotes(ctx, modelPath)
	if err != nil {
		return PreferenceExport{}, fmt.Errorf("read the votes: %w", err)
	}
	out := PreferenceExport{Path: path}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	for _, v := range vs {
		chosen, rejected := v.AnswerA, v.AnswerB
		switch v.Winner {
		case store.WinnerA:
		case store.WinnerB:
			chosen, rejected = rejected, chosen
		default:
			out.Skipped++
			continue
		}
		var prompt []infer.Message
		if err := json.Unmarshal(v.Prompt, &prompt); err != nil {
			return out, fmt.Errorf("arena match %d: its prompt: %w", v.ID, err)
		}
		line := preferenceLine{Prompt: prompt, Chosen: []infer.Message{{Role: store.RoleAssistant, Content: chosen}},
			Rejected: []infer.Message{{Role: store.RoleAssistant, Content: rejected}}}
		if err := enc.Encode(line); err != nil {
			return out, err
		}
		out.Pairs++
	}
	if out.Pairs == 0 {
		return out, errors.New("no decisive vote to export yet: vote A or B better in the arena first")
	}
	if err := fsutil.WriteFile(path, buf.Bytes()); err != nil {
		return out, fmt.Errorf("write %s: %w", path, err)
	}
	return out, nil
}
