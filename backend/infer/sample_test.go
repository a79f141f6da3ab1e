package infer

import (
	"cmp"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

var (
	nan  = float32(math.NaN())
	inf  = float32(math.Inf(1))
	ninf = float32(math.Inf(-1))
)

func TestGreedy(t *testing.T) {
	cases := []struct {
		name   string
		logits []float32
		want   int
	}{
		{"plain", []float32{0.1, 2.5, -3, 2.4}, 1},
		{"tie takes the lowest id", []float32{1, 3, 0, 3, 3}, 1},
		{"last", []float32{-5, -4, -3}, 2},
		{"NaN is never picked", []float32{nan, 1, nan, 0.5}, 1},
		{"-Inf is never picked", []float32{ninf, ninf, -1e30}, 2},
		{"+Inf wins", []float32{1e30, inf, 2}, 1},
		{"nothing usable gives 0", []float32{nan, ninf, nan}, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for _, temp := range []float64{0, -1} {
				s := NewSampler(Sampling{Temperature: temp}, 1, nil)
				if got := s.Sample(slices.Clone(tc.logits)); got != tc.want {
					t.Errorf("temperature %v: got %d, want %d", temp, got, tc.want)
				}
			}
		})
	}
}

// TestTopKOneIsGreedy: with one candidate left the temperature and the
// random draw cannot matter, ties included.
func TestTopKOneIsGreedy(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for trial := range 200 {
		n := 1 + rng.IntN(3000)
		logits := make([]float32, n)
		for i := range logits {
			logits[i] = float32(rng.IntN(50)) / 4 // many ties
		}
		if trial%7 == 0 {
			logits[rng.IntN(n)] = nan
		}
		want := argmax(logits)
		for _, temp := range []float64{0.05, 0.7, 1, 3, 100} {
			s := NewSampler(Sampling{Temperature: temp, TopK: 1, TopP: 0.9}, uint64(trial), nil)
			if got := s.Sample(slices.Clone(logits)); got != want {
				t.Fatalf("trial %d, temperature %v: top-k 1 gave %d, greedy %d", trial, temp, got, want)
			}
		}
	}
}

// reference is the sampling distribution the straightforward way: sort
// the whole vocabulary, cut, softmax, cut, renormalise.
func reference(logits []float32, s Sampling) []float64 {
	return referenceFrom(logits, ranked(logits), s)
}

// ranked is the usable ids by logit, highest first, the lowest id on ties.
func ranked(logits []float32) []int {
	var ids []int
	for i, l := range logits {
		if !math.IsNaN(float64(l)) && !math.IsInf(float64(l), -1) {
			ids = append(ids, i)
		}
	}
	slices.SortStableFunc(ids, func(a, b int) int { return cmp.Compare(logits[b], logits[a]) })
	return ids
}

// referenceFrom is reference given ranked(logits).
func referenceFrom(logits []float32, ids []int, s Sampling) []float64 {
	if s.TopK > 0 && s.TopK < len(ids) {
		ids = ids[:s.TopK]
	}
	p := make([]float64, len(ids))
	sum := 0.0
	for i, id := range ids {
		p[i] = math.Exp((float64(logits[id]) - float64(logits[ids[0]])) / s.Temperature)
		sum += p[i]
	}
	for i := range p {
		p[i] /= sum
	}
	keep := len(ids)
	if s.TopP > 0 && s.TopP < 1 {
		cum := 0.0
		for i := range p {
			if cum += p[i]; cum >= s.TopP {
				keep = i + 1
				break
			}
		}
	}
	if s.MinP > 0 {
		for i := range keep {
			if p[i] < s.MinP*p[0] {
				keep = i
				break
			}
		}
	}
	dist := make([]float64, len(logits))
	sum = 0
	for i := range keep {
		sum += p[i]
	}
	for i := range keep {
		dist[ids[i]] = p[i] / sum
	}
	return dist
}

// logitsOf is log(p) for designed probabilities, moved to shuffled ids so
// the most likely tokens are not simply the first ones.
func logitsOf(probs []float64, seed uint64) []float32 {
	perm := rand.New(rand.NewPCG(seed, 0)).Perm(len(probs))
	logits := make([]float32, len(probs))
	for i, p := range probs {
		logits[perm[i]] = float32(math.Log(p))
	}
	return logits
}

// idsOf is where logitsOf put the designed probabilities with these ranks.
func idsOf(n int, seed uint64, ranks ...int) []int {
	perm := rand.New(rand.NewPCG(seed, 0)).Perm(n)
	var ids []int
	for _, r := range ranks {
		ids = append(ids, perm[r])
	}
	slices.Sort(ids)
	return ids
}

// TestSampleFollowsDistribution draws many tokens with a fixed seed and
// checks them against the reference distribution: tokens it excludes never
// appear, and a chi-square statistic over the others stays within what
// chance gives (mean df, standard deviation sqrt(2 df)).
func TestSampleFollowsDistribution(t *testing.T) {
	probs := []float64{0.4, 0.25, 0.15, 0.1, 0.05, 0.03, 0.02}
	const seed = 11
	designed := logitsOf(probs, seed)
	wide := make([]float32, 40)
	r := rand.New(rand.NewPCG(3, 4))
	for i := range wide {
		wide[i] = float32(r.NormFloat64() * 1.5)
	}
	wide[5], wide[17] = nan, ninf
	cases := []struct {
		name   string
		logits []float32
		s      Sampling
		kept   []int // the support, worked out by hand (nil: not checked)
	}{
		{"softmax at T=1", designed, Sampling{Temperature: 1}, idsOf(7, seed, 0, 1, 2, 3, 4, 5, 6)},
		{"softmax at T=0.5", designed, Sampling{Temperature: 0.5}, nil},
		{"softmax at T=2", designed, Sampling{Temperature: 2}, nil},
		// 0.4+0.25 = 0.65 < 0.75 <= 0.8: the first three; renormalised 0.5, 0.3125, 0.1875.
		{"top-p 0.75", designed, Sampling{Temperature: 1, TopP: 0.75}, idsOf(7, seed, 0, 1, 2)},
		{"top-p 0.3 keeps one", designed, Sampling{Temperature: 1, TopP: 0.3}, idsOf(7, seed, 0)},
		// min-p 0.2: p >= 0.08 stays.
		{"min-p 0.2", designed, Sampling{Temperature: 1, MinP: 0.2}, idsOf(7, seed, 0, 1, 2, 3)},
		// At T=0.5 the probabilities go as p^2: 0.16, 0.0625, 0.0225, 0.01, ...; min-p 0.1 keeps >= 0.016.
		{"min-p 0.1 at T=0.5", designed, Sampling{Temperature: 0.5, MinP: 0.1}, idsOf(7, seed, 0, 1, 2)},
		{"top-k 4", designed, Sampling{Temperature: 1, TopK: 4}, idsOf(7, seed, 0, 1, 2, 3)},
		{"top-k 5, top-p 0.9, min-p 0.15", designed, Sampling{Temperature: 1, TopK: 5, TopP: 0.9, MinP: 0.15}, idsOf(7, seed, 0, 1, 2, 3)},
		{"wide, T=1", wide, Sampling{Temperature: 1}, nil},
		{"wide, top-p 0.6 at T=1.3", wide, Sampling{Temperature: 1.3, TopP: 0.6}, nil},
		{"wide, top-k 12, min-p 0.05", wide, Sampling{Temperature: 0.8, TopK: 12, MinP: 0.05}, nil},
	}
	const draws = 100_000
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			want := reference(tc.logits, tc.s)
			if tc.kept != nil {
				var support []int
				for id, p := range want {
					if p > 0 {
						support = append(support, id)
					}
				}
				if !slices.Equal(support, tc.kept) {
					t.Fatalf("reference keeps %v, worked out by hand %v", support, tc.kept)
				}
			}
			s := NewSampler(tc.s, 42, nil)
			counts := make([]int, len(tc.logits))
			work := make([]float32, len(tc.logits))
			for range draws {
				copy(work, tc.logits)
				counts[s.Sample(work)]++
			}
			chi2, df := 0.0, -1
			for id, n := range counts {
				if want[id] == 0 {
					if n > 0 {
						t.Fatalf("token %d is outside the kept set but was drawn %d times", id, n)
					}
					continue
				}
				e := want[id] * draws
				chi2 += (float64(n) - e) * (float64(n) - e) / e
				df++
			}
			if limit := float64(df) + 6*math.Sqrt(2*float64(max(df, 1))); chi2 > limit {
				t.Errorf("chi-square %.1f over %d degrees of freedom (limit %.1f): counts %v, want %v", chi2, df, limit, counts, want)
			}
		})
	}
}

// TestTruncationMatchesSorting checks the heap's top-k and the bucketed
// top-p against sorting a full 49,152-entry vocabulary.
func TestTruncationMatchesSorting(t *testing.T) {
	const vocab = 49152
	r := rand.New(rand.NewPCG(5, 6))
	for trial := range 12 {
		logits := make([]float32, vocab)
		for i := range logits {
			logits[i] = float32(r.NormFloat64() * float64(1+trial))
			if trial%3 == 0 {
				logits[i] = float32(math.Round(float64(logits[i]))) // ties
			}
		}
		order := ranked(logits)
		for _, s := range []Sampling{
			{Temperature: 1, TopK: 1 + r.IntN(100)},
			{Temperature: 1, TopK: 1 + r.IntN(vocab-1)},
			{Temperature: 0.3 + r.Float64()*2, TopP: 0.05 + 0.9*r.Float64()},
			{Temperature: 1, TopP: 0.999},
			{Temperature: 0.7, TopK: 500, TopP: 0.5},
			{Temperature: 1.2, MinP: 0.01 + 0.2*r.Float64()},
			{Temperature: 0.9, TopK: 2000, TopP: 0.9, MinP: 0.02},
		} {
			want := referenceFrom(logits, order, s)
			c, total := NewSampler(s, 0, nil).distribution(logits)
			got := make([]float64, vocab)
			for _, x := range c {
				got[x.id] = x.w / total
			}
			for id := range got {
				// Probabilities under e^-40 of the top one may be dropped (negligible).
				kept, dropOK := want[id] > 0, want[id] < 1e-16
				if (got[id] > 0) != kept && !(got[id] == 0 && dropOK) || math.Abs(got[id]-want[id]) > 1e-9 {
					t.Fatalf("trial %d, %+v: token %d has probability %g, sorting gives %g", trial, s, id, got[id], want[id])
				}
			}
		}
	}
}

func TestPenalties(t *testing.T) {
	cases := []struct {
		name     string
		s        Sampling
		prompt   []int
		accepted []int
		logits   []float32
		want     []float32
	}{
		{"repetition divides positive, multiplies negative, once per token",
			Sampling{RepetitionPenalty: 2}, []int{0, 1}, []int{1, 1},
			[]float32{2, -1.5, 3, 0.5}, []float32{1, -3, 3, 0.5}},
		{"repetition 1 is off", Sampling{RepetitionPenalty: 1}, []int{0, 1}, []int{2},
			[]float32{2, -1.5, 3, 0.5}, []float32{2, -1.5, 3, 0.5}},
		{"repetition 0 is off", Sampling{}, []int{0, 1}, []int{2},
			[]float32{2, -1.5, 3, 0.5}, []float32{2, -1.5, 3, 0.5}},
		{"frequency and presence count the output only",
			Sampling{FrequencyPenalty: 0.5, PresencePenalty: 0.25}, []int{1, 1, 3}, []int{2, 2, 0, 2},
			[]float32{1, 1, 1, 1}, []float32{0.25, 1, -0.75, 1}},
		{"negative penalties encourage",
			Sampling{FrequencyPenalty: -1, PresencePenalty: -0.5}, nil, []int{3, 3},
			[]float32{0, 0, 0, 1}, []float32{0, 0, 0, 3.5}},
		{"repetition then frequency",
			Sampling{RepetitionPenalty: 2, FrequencyPenalty: 0.5}, []int{1}, []int{2},
			[]float32{1, -1, 4, 1}, []float32{1, -2, 1.5, 1}},
		{"ids outside the vocabulary are ignored",
			Sampling{RepetitionPenalty: 2, PresencePenalty: 1}, []int{7, -1}, []int{9, 0},
			[]float32{4, 1}, []float32{1, 1}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := NewSampler(tc.s, 0, tc.prompt)
			for _, tok := range tc.accepted {
				s.Accept(tok)
			}
			got := slices.Clone(tc.logits)
			s.penalize(got)
			if !slices.Equal(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

// TestPenaltiesSteerGreedy: a repeated token loses the argmax.
func TestPenaltiesSteerGreedy(t *testing.T) {
	logits := []float32{1, 3, 2.5}
	s := NewSampler(Sampling{RepetitionPenalty: 1.5}, 0, []int{1})
	if got := s.Sample(slices.Clone(logits)); got != 2 {
		t.Fatalf("with token 1 in the prompt and penalty 1.5 (3 -> 2): got %d, want 2", got)
	}
	s = NewSampler(Sampling{PresencePenalty: 2}, 0, []int{2})
	s.Accept(1)
	if got := s.Sample(slices.Clone(logits)); got != 2 {
		t.Fatalf("with token 1 generated and presence 2 (3 -> 1): got %d, want 2", got)
	}
}

// sequence generates n tokens from a stream of random logits that is the
// same for every call, accepting each drawn token.
func sequence(s Sampling, seed uint64, n int) []int {
	r := rand.New(rand.NewPCG(99, 100))
	sm := NewSampler(s, seed, []int{1, 2, 3})
	var out []int
	logits := make([]float32, 1000)
	for range n {
		for i := range logits {
			logits[i] = float32(r.NormFloat64())
		}
		tok := sm.Sample(logits)
		sm.Accept(tok)
		out = append(out, tok)
	}
	return out
}

func TestSeedReproduces(t *testing.T) {
	for _, s := range []Sampling{
		{Temperature: 1},
		{Temperature: 0.8, TopK: 50, TopP: 0.95, MinP: 0.01, RepetitionPenalty: 1.1, FrequencyPenalty: 0.2, PresencePenalty: 0.1},
	} {
		a, b, c := sequence(s, 7, 200), sequence(s, 7, 200), sequence(s, 8, 200)
		if !slices.Equal(a, b) {
			t.Errorf("%+v: seed 7 twice gave different tokens", s)
		}
		if slices.Equal(a, c) {
			t.Errorf("%+v: seeds 7 and 8 gave the same 200 tokens", s)
		}
	}
}

func TestUnusableLogits(t *testing.T) {
	logits := []float32{nan, 0, ninf, 0.5, nan, ninf}
	s := NewSampler(Sampling{Temperature: 5}, 3, nil)
	seen := map[int]int{}
	for range 2000 {
		seen[s.Sample(slices.Clone(logits))]++
	}
	if len(seen) != 2 || seen[1] == 0 || seen[3] == 0 {
		t.Errorf("drew %v, want only tokens 1 and 3", seen)
	}
	cases := []struct {
		name   string
		logits []float32
		s      Sampling
		want   int
	}{
		{"+Inf takes all", []float32{3, inf, 1e38}, Sampling{Temperature: 1}, 1},
		{"nothing usable gives 0", []float32{nan, ninf}, Sampling{Temperature: 1, TopP: 0.5}, 0},
		{"NaN temperature falls back to greedy", []float32{0, 2, 1}, Sampling{Temperature: math.NaN()}, 1},
		{"min-p above 1 keeps the most likely", []float32{0, 2, 1}, Sampling{Temperature: 1, MinP: 3}, 1},
	}
	for _, tc := range cases {
		for seed := range uint64(20) {
			if got := NewSampler(tc.s, seed, nil).Sample(slices.Clone(tc.logits)); got != tc.want {
				t.Errorf("%s, seed %d: got %d, want %d", tc.name, seed, got, tc.want)
			}
		}
	}
}

// BenchmarkSample times one draw from a 49,152-entry vocabulary (SmolLM2's)
// of random logits, standard deviation 3; each op includes copying the
// logits back (Sample may change them), about 5 µs.
//
// Medians of 5 runs on a shared, loaded 2-core AMD EPYC (load ~4), ns/op:
// greedy 72k; temperature 0.8 1,060k; top-k 40 87k; top-p 0.9 1,430k;
// min-p 0.05 157k; top-k 40 + top-p 0.95 + min-p 0.05 84k; penalties (300
// tokens of history) + top-p 0.9 1,770k. With every logit within 40 nats
// of the top, the 49k exps (about 20 ns each here) are most of the full-
// vocabulary cases; sorting the whole vocabulary for top-p instead (the
// tests' reference) took 25,000k. A peaked distribution (a few tokens 30
// above the rest) samples top-p 0.9 in about 330k: most logits fall under
// the negligible floor and get no exp.
func BenchmarkSample(b *testing.B) {
	const vocab = 49152
	r := rand.New(rand.NewPCG(1, 1))
	logits := make([]float32, vocab)
	for i := range logits {
		logits[i] = float32(r.NormFloat64() * 3)
	}
	history := make([]int, 300)
	for i := range history {
		history[i] = r.IntN(vocab)
	}
	for _, bc := range []struct {
		name string
		s    Sampling
	}{
		{"greedy", Sampling{}},
		{"temperature", Sampling{Temperature: 0.8}},
		{"top-k 40", Sampling{Temperature: 0.8, TopK: 40}},
		{"top-p 0.9", Sampling{Temperature: 0.8, TopP: 0.9}},
		{"min-p 0.05", Sampling{Temperature: 0.8, MinP: 0.05}},
		{"top-k 40, top-p 0.95, min-p 0.05", Sampling{Temperature: 0.8, TopK: 40, TopP: 0.95, MinP: 0.05}},
		{"penalties, top-p 0.9", Sampling{Temperature: 0.8, TopP: 0.9, RepetitionPenalty: 1.1, FrequencyPenalty: 0.5, PresencePenalty: 0.5}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			s := NewSampler(bc.s, 1, history[:200])
			for _, t := range history[200:] {
				s.Accept(t)
			}
			work := make([]float32, vocab)
			for b.Loop() {
				copy(work, logits)
				s.Sample(work)
			}
		})
	}
}
