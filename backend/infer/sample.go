package infer

import (
	"cmp"
	"math"
	"math/rand/v2"
	"slices"
)

// Sampler draws one sequence's tokens from the model's logits, as llama.cpp
// and vLLM do. The chain, in order:
//
//  1. repetition penalty (HF / llama.cpp): each distinct token of the prompt
//     and the output so far has a positive logit divided by the penalty and
//     a negative one multiplied by it (0 or 1: off);
//  2. frequency and presence penalties (OpenAI), over the output only:
//     logit -= frequency*count + presence*(count > 0);
//  3. temperature 0 (or below): greedy, the highest logit, the lowest id on
//     ties; otherwise
//  4. top-k, the k highest logits (ties: lowest ids);
//  5. softmax at the temperature;
//  6. top-p, the smallest set of most likely tokens whose probability sums
//     to at least p (at least one token);
//  7. min-p, dropping tokens less likely than min_p times the most likely;
//  8. a draw from what is left, renormalised, with a PCG generator.
//
// This is llama.cpp's default chain (penalties, top-k, top-p, min-p, dist)
// with the temperature applied before the truncations, as vLLM and HF
// transformers apply it, so that top_p and min_p mean what the OpenAI API's
// users expect at any temperature (llama.cpp scales after them).
//
// NaN and -Inf logits are never drawn, +Inf counts as the largest finite
// float32. A Sampler belongs to one sequence: it is not safe for concurrent
// use, and its scratch space is reused from token to token.
type Sampler struct {
	cfg Sampling
	rng *rand.Rand

	seen     map[int32]bool  // distinct tokens of the prompt and output: repetition penalty
	penalise []int32         // the keys of seen, in first-seen order
	count    map[int32]int32 // occurrences of each output token: frequency and presence
	output   []int32         // the keys of count, in first-seen order

	buf []cand // candidates, reused: a 49k vocabulary would allocate 786 KB a token
}

// cand is a candidate token: w holds its logit until softmax, then its
// unnormalised probability exp((logit-max)/T), in (0, 1].
type cand struct {
	w  float64
	id int32
}

// NewSampler starts a sequence's sampler. The same settings, seed and
// prompt, given the same logits, draw the same tokens.
func NewSampler(s Sampling, seed uint64, prompt []int) *Sampler {
	sm := &Sampler{
		cfg:   s,
		rng:   rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)),
		seen:  make(map[int32]bool, len(prompt)),
		count: map[int32]int32{},
	}
	for _, t := range prompt {
		sm.see(int32(t))
	}
	return sm
}

// Accept records a generated token: it joins the history the penalties
// look at.
func (s *Sampler) Accept(tok int) {
	t := int32(tok)
	s.see(t)
	if s.count[t] == 0 {
		s.output = append(s.output, t)
	}
	s.count[t]++
}

func (s *Sampler) see(t int32) {
	if !s.seen[t] {
		s.seen[t] = true
		s.penalise = append(s.penalise, t)
	}
}

// Sample draws the next token from logits (one per vocabulary entry). It
// applies the penalties to logits in place and keeps no reference to it.
// When no logit is usable (all NaN or -Inf) it returns 0.
func (s *Sampler) Sample(logits []float32) int {
	s.penalize(logits)
	if !(s.cfg.Temperature > 0) { // 0, or NaN
		return argmax(logits)
	}
	c, total := s.distribution(logits)
	if len(c) == 0 { // no usable logit
		return 0
	}
	return draw(c, total, s.rng.Float64())
}

// distribution is what is left to draw from after top-k, softmax at the
// temperature, top-p and min-p: tokens and unnormalised weights, in no
// particular order, and the weights' sum.
func (s *Sampler) distribution(logits []float32) ([]cand, float64) {
	var c []cand
	var total float64
	if k := s.cfg.TopK; k > 0 && k < len(logits) {
		c, total = softmax(s.topK(logits, k), s.cfg.Temperature, s.floor())
	} else {
		c, total = s.weigh(logits, s.cfg.Temperature, s.floor())
	}
	if p := s.cfg.TopP; p > 0 && p < 1 && len(c) > 0 {
		c, total = nucleus(c, total, p)
	}
	if s.cfg.MinP > 0 {
		c, total = minP(c, s.cfg.MinP)
	}
	return c, total
}

// negligible is the log-weight, log(p/p_max), below which a token gets no
// exp and is never drawn: e^-40 is 4e-18, and a whole 49k vocabulary of such
// tokens holds under 2e-13 of the mass. Most of a peaked distribution's
// vocabulary is below it, and the exps are most of the cost of sampling.
const negligible = -40

// floor is the lowest log-weight worth an exp: negligible, or with min-p
// and no top-p, min-p's own cut less a hair (minP then decides the edge),
// since min-p never needs the weight of what it drops; top-p needs the
// whole mass.
func (s *Sampler) floor() float64 {
	f := float64(negligible)
	if p := s.cfg.TopP; s.cfg.MinP > 0 && !(p > 0 && p < 1) {
		f = max(f, math.Log(min(s.cfg.MinP, 1))-1e-9)
	}
	return f
}

// penalize applies the repetition, frequency and presence penalties to
// logits in place. Tokens outside logits are ignored.
func (s *Sampler) penalize(logits []float32) {
	if r := s.cfg.RepetitionPenalty; r != 0 && r != 1 {
		for _, t := range s.penalise {
			if int(t) >= len(logits) || t < 0 {
				continue
			}
			if l := float64(logits[t]); l > 0 {
				logits[t] = float32(l / r)
			} else {
				logits[t] = float32(l * r)
			}
		}
	}
	freq, pres := s.cfg.FrequencyPenalty, s.cfg.PresencePenalty
	if freq == 0 && pres == 0 {
		return
	}
	for _, t := range s.output {
		if int(t) < len(logits) && t >= 0 {
			logits[t] = float32(float64(logits[t]) - freq*float64(s.count[t]) - pres)
		}
	}
}

// argmax is the token with the highest usable logit, the lowest id on ties,
// 0 when none is usable. NaN compares false and -Inf never beats the start,
// so the plain scan skips both; +Inf ranks as the largest float32 (as in
// topK and weigh), so the first of those wins.
func argmax(logits []float32) int {
	best, bestL := 0, float32(math.Inf(-1))
	for i, l := range logits {
		if l > bestL {
			best, bestL = i, l
		}
	}
	if bestL > math.MaxFloat32 {
		for i, l := range logits {
			if l >= math.MaxFloat32 {
				return i
			}
		}
	}
	return best
}

// before is the sampler's total order: higher value first, then lower id.
func before(a, b cand) bool { return a.w > b.w || a.w == b.w && a.id < b.id }

func byBefore(a, b cand) int {
	if c := cmp.Compare(b.w, a.w); c != 0 {
		return c
	}
	return cmp.Compare(a.id, b.id)
}

// topK keeps the k usable logits first in `before` order, in no particular
// order, in one pass over the vocabulary: a min-heap of k whose root is the
// weakest kept, so most logits cost one comparison with it. The logit stays
// in w (+Inf as the largest float32: softmax of +Inf is NaN).
func (s *Sampler) topK(logits []float32, k int) []cand {
	if cap(s.buf) < k {
		s.buf = make([]cand, 0, k)
	}
	h := s.buf[:0]
	for i, l := range logits {
		if l != l || l < -math.MaxFloat32 { // NaN, -Inf: never drawn
			continue
		}
		x := cand{w: float64(min(l, math.MaxFloat32)), id: int32(i)}
		switch {
		case len(h) < k:
			h = append(h, x)
			siftUp(h, len(h)-1)
		case before(x, h[0]):
			h[0] = x
			siftDown(h, 0)
		}
	}
	return h
}

// siftUp and siftDown keep h a heap whose every parent comes after its
// children in `before` order.
func siftUp(h []cand, i int) {
	for i > 0 {
		parent := (i - 1) / 2
		if !before(h[parent], h[i]) {
			return
		}
		h[parent], h[i] = h[i], h[parent]
		i = parent
	}
}

func siftDown(h []cand, i int) {
	for {
		worst, l, r := i, 2*i+1, 2*i+2
		if l < len(h) && before(h[worst], h[l]) {
			worst = l
		}
		if r < len(h) && before(h[worst], h[r]) {
			worst = r
		}
		if worst == i {
			return
		}
		h[i], h[worst] = h[worst], h[i]
		i = worst
	}
}

// weigh is softmax over the whole vocabulary without a candidate pass:
// the weights exp((logit-max)/temp) of the logits whose log-weight reaches
// floor (NaN and -Inf never do), and their sum. The most likely has weight 1.
func (s *Sampler) weigh(logits []float32, temp, floor float64) ([]cand, float64) {
	if len(logits) == 0 {
		return nil, 0
	}
	if cap(s.buf) < len(logits) {
		s.buf = make([]cand, 0, len(logits))
	}
	c, total := s.buf[:0], 0.0
	hi, inv := float64(min(logits[argmax(logits)], math.MaxFloat32)), 1/temp
	for i, l := range logits {
		if d := (float64(min(l, math.MaxFloat32)) - hi) * inv; d >= floor {
			w := math.Exp(d)
			c = append(c, cand{w: w, id: int32(i)})
			total += w
		}
	}
	return c, total
}

// softmax turns the candidates' logits into weights exp((logit-max)/temp)
// and returns them with their sum, dropping those whose log-weight is below
// floor. The most likely token has weight 1.
func softmax(c []cand, temp, floor float64) ([]cand, float64) {
	hi := math.Inf(-1)
	for _, x := range c {
		hi = max(hi, x.w)
	}
	n, total, inv := 0, 0.0, 1/temp
	for _, x := range c {
		if d := (x.w - hi) * inv; d >= floor {
			w := math.Exp(d)
			c[n] = cand{w: w, id: x.id}
			total += w
			n++
		}
	}
	return c[:n], total
}

// Buckets of weight for top-p: bucket b holds weights in [2^-(b+1)/8, 2^-b/8),
// read straight off the float64's exponent and top 3 mantissa bits (the bit
// patterns of positive floats sort as the floats do). 512 buckets reach
// 2^-64; lighter weights share the last one.
const (
	bucketShift = 49
	nBuckets    = 512
	oneKey      = 0x3ff0000000000000 >> bucketShift // math.Float64bits(1) >> bucketShift
)

func bucket(w float64) int {
	return int(min(oneKey-math.Float64bits(w)>>bucketShift, nBuckets-1))
}

// nucleus keeps the smallest set of heaviest candidates whose weight
// reaches p of total (at least one). Rather than sorting the vocabulary it
// sums the weight per bucket, finds the bucket where the running sum
// crosses p, keeps the buckets above it whole and sorts only that bucket.
// The order of what it returns is not the order of weight.
func nucleus(c []cand, total, p float64) ([]cand, float64) {
	var sums [nBuckets]float64
	for _, x := range c {
		sums[bucket(x.w)] += x.w
	}
	target := p * total
	cross, above := nBuckets-1, 0.0
	for b, sum := range sums {
		if above+sum >= target {
			cross = b
			break
		}
		above += sum
	}
	n := 0 // c[:n]: the buckets above cross, all kept
	for i := range c {
		if bucket(c[i].w) < cross {
			c[n], c[i] = c[i], c[n]
			n++
		}
	}
	m := n // c[n:m]: the crossing bucket
	for i := n; i < len(c); i++ {
		if bucket(c[i].w) == cross {
			c[m], c[i] = c[i], c[m]
			m++
		}
	}
	edge := c[n:m]
	slices.SortFunc(edge, byBefore)
	kept := above
	for i, x := range edge {
		kept += x.w
		if kept >= target {
			return c[:n+i+1], kept
		}
	}
	return c[:m], kept
}

// minP drops the candidates less likely than p times the most likely one
// and returns the weight left. The most likely one always stays.
func minP(c []cand, p float64) ([]cand, float64) {
	hi := 0.0
	for _, x := range c {
		hi = max(hi, x.w)
	}
	p = min(p, 1)
	n, total := 0, 0.0
	for _, x := range c {
		if x.w >= p*hi {
			c[n] = x
			total += x.w
			n++
		}
	}
	return c[:n], total
}

// draw picks a candidate with probability weight/total, given u uniform in
// [0, 1). Rounding that leaves u*total past the last sum picks the last.
func draw(c []cand, total, u float64) int {
	target, sum := u*total, 0.0
	for _, x := range c {
		sum += x.w
		if target < sum {
			return int(x.id)
		}
	}
	return int(c[len(c)-1].id)
}
