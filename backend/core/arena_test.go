package core

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/hone-ai/hone/backend/infer"
	"github.com/hone-ai/hone/backend/store"
)

func TestDrawPair(t *testing.T) {
	// intN answers from a script: the draws a random source could make.
	script := func(xs ...int) func(int) int {
		return func(n int) int {
			x := xs[0]
			xs = xs[1:]
			if x >= n {
				t.Fatalf("draw %d of %d", x, n)
			}
			return x
		}
	}
	for _, c := range []struct {
		n, a, b int
		draws   []int
	}{
		{2, 0, 1, []int{0, 0}},
		{2, 1, 0, []int{1, 0}},
		{3, 1, 2, []int{1, 1}}, // the second draw skips the first
		{3, 2, 0, []int{2, 0}},
		{5, 4, 3, []int{4, 3}},
	} {
		if a, b := drawPair(c.n, script(c.draws...)); a != c.a || b != c.b {
			t.Errorf("n %d draws %v: %d %d, want %d %d", c.n, c.draws, a, b, c.a, c.b)
		}
	}
}

// TestArenaMatch: each match sets two distinct candidates of the base
// against each other, with one seed, in either order; the answers carry
// nothing of who wrote them until the vote reveals it, once.
func TestArenaMatch(t *testing.T) {
	ctx := context.Background()
	gen := &fakeGen{}
	h := chatHone(t, gen, "alpha", "beta")
	cands, _ := h.ChatCandidates(ctx, chatModel)
	seen := map[[2]string]bool{}
	for i := range 80 {
		col := newCollect()
		m, err := h.ArenaStart(ctx, chatModel, "which is best?", "Be fair.", DefaultChatSettings(), col.on)
		if err != nil {
			t.Fatal(err)
		}
		reqs := gen.requests()[2*i:]
		if len(reqs) != 2 || *reqs[0].Seed != *reqs[1].Seed || reqs[0].Adapter == reqs[1].Adapter || reqs[0].System != "Be fair." {
			t.Fatalf("match %d requests %+v", i, reqs)
		}
		if col.text["a"] != m.AnswerA || col.text["b"] != m.AnswerB || col.dones["a"] != 1 || col.dones["b"] != 1 {
			t.Errorf("streamed %q, answers %+v", col.text, m)
		}
		v, _ := h.Store.ArenaVote(ctx, m.ID)
		if v.Winner != "" || m.AnswerA != fakeAnswer(v.CandidateA, v.Seed, "which is best?") || m.AnswerB != fakeAnswer(v.CandidateB, v.Seed, "which is best?") {
			t.Errorf("stored match %+v for %+v", v, m)
		}
		seen[[2]string{v.CandidateA, v.CandidateB}] = true
	}
	// 6 ordered pairs of 3 candidates, 80 draws: all of them, but for a
	// chance below 6 * (5/6)^80 = 3e-6.
	if len(seen) != 6 {
		t.Errorf("pairs drawn: %v", seen)
	}
	r, err := h.ArenaVote(ctx, 1, store.WinnerB)
	if err != nil {
		t.Fatal(err)
	}
	v, _ := h.Store.ArenaVote(ctx, 1)
	if r.A.ID != v.CandidateA || r.B.ID != v.CandidateB || r.Winner != "b" || r.A.Name == "" || !containsCandidate(cands, r.A) {
		t.Errorf("reveal %+v of %+v", r, v)
	}
	if _, err := h.ArenaVote(ctx, 1, store.WinnerA); !errors.Is(err, store.ErrVoted) {
		t.Errorf("a second vote: %v", err)
	}
	if _, err := h.ArenaVote(ctx, 2, "A is better"); err == nil || !strings.Contains(err.Error(), "want a, b, tie or both_bad") {
		t.Errorf("a bad vote: %v", err)
	}
}

func containsCandidate(cs []ChatCandidate, c ChatCandidate) bool {
	for _, x := range cs {
		if x == c {
			return true
		}
	}
	return false
}

// TestArenaRefuses: a base with no adapter has no match; an engine that
// fails one side stores no match.
func TestArenaRefuses(t *testing.T) {
	ctx := context.Background()
	gen := &fakeGen{}
	h := chatHone(t, gen)
	if _, err := h.ArenaStart(ctx, chatModel, "q", "", DefaultChatSettings(), nil); err == nil || !strings.Contains(err.Error(), "needs two models") {
		t.Errorf("one candidate: %v", err)
	}
	addAdapter(t, h, "alpha", chatModel)
	gen.refuse = map[string]error{"alpha-2": infer.NotFound("alpha-2")}
	if _, err := h.ArenaStart(ctx, chatModel, "q", "", DefaultChatSettings(), nil); err == nil || !strings.Contains(err.Error(), "does not exist") {
		t.Errorf("a side failed: %v", err)
	}
	if _, err := h.ArenaStart(ctx, chatModel, " ", "", DefaultChatSettings(), nil); err == nil {
		t.Error("a match with no prompt")
	}
	var n int
	h.Store.DB.Raw("SELECT count(*) FROM arena_votes").Scan(&n)
	if n != 0 {
		t.Errorf("%d matches stored", n)
	}
}

func TestTally(t *testing.T) {
	vote := func(a, b, w string) store.ArenaVote { return store.ArenaVote{CandidateA: a, CandidateB: b, Winner: w} }
	names := func(id string) ChatCandidate { return ChatCandidate{ID: id, Name: strings.ToUpper(id)} }
	st := tally([]store.ArenaVote{
		vote("base", "x-1", "b"), vote("x-1", "base", "a"), vote("base", "x-1", "tie"), vote("x-1", "base", "b"),
		vote("y-2", "x-1", "both_bad"), vote("x-1", "y-2", "a"),
	}, names)
	type row struct {
		c, o         string
		w, l, t, bad int
		rate         float64
	}
	rows := func(rs []ArenaRecord) (out []row) {
		for _, r := range rs {
			out = append(out, row{r.Candidate.ID, r.Opponent.ID, r.Wins, r.Losses, r.Ties, r.BothBad, r.WinRate})
		}
		return out
	}
	// x-1 beat base twice, lost once, tied once: (2 + 0.5) / 4; beat y-2
	// once (the both-bad vote counts in neither side's rate).
	wantStandings := []row{{"x-1", "", 3, 1, 1, 1, 3.5 / 5}, {"base", "", 1, 2, 1, 0, 1.5 / 4}, {"y-2", "", 0, 1, 0, 1, 0}}
	wantPairs := []row{{"base", "x-1", 1, 2, 1, 0, 1.5 / 4}, {"x-1", "y-2", 1, 0, 0, 1, 1}}
	if got := rows(st.Standings); !reflect.DeepEqual(got, wantStandings) {
		t.Errorf("standings %+v\nwant %+v", got, wantStandings)
	}
	if got := rows(st.Pairs); !reflect.DeepEqual(got, wantPairs) {
		t.Errorf("pairs %+v\nwant %+v", got, wantPairs)
	}
	if st.Votes != 6 || st.Pairs[0].Opponent.Name != "X-1" {
		t.Errorf("votes %d, names %+v", st.Votes, st.Pairs[0])
	}
}

// TestArenaStatsAndExport: votes on real matches, counted, and exported as
// TRL preference pairs: the chosen answer is the winner's, ties and
// "both bad" are skipped and counted; another base's votes stay out.
func TestArenaStatsAndExport(t *testing.T) {
	ctx := context.Background()
	gen := &fakeGen{}
	h := chatHone(t, gen, "alpha")
	winners := []string{store.WinnerA, store.WinnerB, store.WinnerTie, store.WinnerBothBad}
	var matches []ArenaMatch
	for i, w := range winners {
		system := ""
		if i == 0 {
			system = "You are <helpful> & brief."
		}
		m, err := h.ArenaStart(ctx, chatModel, "question "+w, system, DefaultChatSettings(), nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := h.ArenaVote(ctx, m.ID, w); err != nil {
			t.Fatal(err)
		}
		matches = append(matches, m)
	}
	if _, err := h.ArenaStart(ctx, chatModel, "never voted", "", DefaultChatSettings(), nil); err != nil {
		t.Fatal(err)
	}
	st, err := h.ArenaStats(ctx, chatModel)
	if err != nil || st.Votes != 4 || len(st.Pairs) != 1 || len(st.Standings) != 2 {
		t.Fatalf("stats %+v, %v", st, err)
	}
	p := st.Pairs[0]
	if p.Wins+p.Losses != 2 || p.Ties != 1 || p.BothBad != 1 || p.Candidate.ID != "alpha-2" || p.Opponent.Name != "stories260K (base)" {
		t.Errorf("pair %+v", p)
	}

	path := filepath.Join(t.TempDir(), "prefs.jsonl")
	out, err := h.ExportPreferences(ctx, chatModel, path)
	if err != nil || out.Pairs != 2 || out.Skipped != 2 || out.Path != path {
		t.Fatalf("export %+v, %v", out, err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var lines []map[string][]infer.Message
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var l map[string][]infer.Message
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil || len(l) != 3 {
			t.Fatalf("line %q: %v", sc.Text(), err)
		}
		if !strings.HasPrefix(sc.Text(), `{"prompt":[`) || strings.Contains(sc.Text(), `\u003c`) {
			t.Errorf("line %q: want prompt first and text as written", sc.Text())
		}
		lines = append(lines, l)
	}
	if len(lines) != 2 {
		t.Fatalf("%d lines", len(lines))
	}
	want := []map[string][]infer.Message{
		{"prompt": {{Role: "system", Content: "You are <helpful> & brief."}, {Role: "user", Content: "question a"}},
			"chosen": {{Role: "assistant", Content: matches[0].AnswerA}}, "rejected": {{Role: "assistant", Content: matches[0].AnswerB}}},
		{"prompt": {{Role: "user", Content: "question b"}},
			"chosen": {{Role: "assistant", Content: matches[1].AnswerB}}, "rejected": {{Role: "assistant", Content: matches[1].AnswerA}}},
	}
	if !reflect.DeepEqual(lines, want) {
		t.Errorf("lines %+v\nwant %+v", lines, want)
	}
	if _, err := h.ExportPreferences(ctx, "/models/smol/model.gguf", filepath.Join(t.TempDir(), "none.jsonl")); err == nil || !strings.Contains(err.Error(), "no decisive vote") {
		t.Errorf("export of a base with no votes: %v", err)
	}
}
