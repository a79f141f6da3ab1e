package engine

import (
	"fmt"
	"math"

	"github.com/hone-ai/hone/backend/model"
)

// NewRope computes a config's RoPE as transformers 4.46's
// ROPE_INIT_FUNCTIONS do (modeling_rope_utils.py) for the scaling types
// "default", "linear", "llama3" and "yarn"; any other is an error naming
// the config file and field (model.Config.CheckRope). freqs, when not nil,
// divides the inverse frequencies before the scaling, as llama.cpp applies
// a GGUF's rope_freqs.weight (Llama 3's scaling baked into a tensor).
//
// YaRN follows 4.46: its correction range uses max_position_embeddings
// (later transformers use original_max_position_embeddings when the
// rope_scaling has it), and mscale / mscale_all_dim do not count.
func NewRope(c model.Config, freqs []float32) (*Rope, error) {
	if err := c.CheckRope(); err != nil {
		return nil, err
	}
	d := c.HeadDim
	if d <= 0 || d%2 != 0 {
		return nil, fmt.Errorf("config %s: RoPE needs an even head size, got %d", c.Source, d)
	}
	if !(c.RopeTheta > 0) || math.IsInf(c.RopeTheta, 0) {
		return nil, fmt.Errorf("config %s: RoPE base %g is out of range", c.Source, c.RopeTheta)
	}
	if freqs != nil && len(freqs) != d/2 {
		return nil, fmt.Errorf("config %s: %s has %d values, want one per RoPE frequency (%d)", c.Source, c.RopeFreqs, len(freqs), d/2)
	}
	base := c.RopeTheta
	r := &Rope{InvFreq: make([]float64, d/2), Scale: 1}
	// pos[i] is base^(2i/d), the inverse of the default inverse frequency.
	pos := make([]float64, d/2)
	for i := range pos {
		pos[i] = math.Pow(base, float64(2*i)/float64(d))
		if freqs != nil {
			f := float64(freqs[i])
			if !(f > 0) || math.IsInf(f, 0) {
				return nil, fmt.Errorf("config %s: %s[%d] is %g, want a positive divisor", c.Source, c.RopeFreqs, i, f)
			}
			pos[i] *= f
		}
		r.InvFreq[i] = 1 / pos[i]
	}
	s := c.RopeScaling
	switch s.Type {
	case "linear":
		for i := range r.InvFreq {
			r.InvFreq[i] /= s.Factor
		}
	case "llama3":
		lowWavelen := float64(s.OriginalMaxPositions) / s.LowFreqFactor
		highWavelen := float64(s.OriginalMaxPositions) / s.HighFreqFactor
		for i, f := range r.InvFreq {
			wavelen := 2 * math.Pi / f
			switch {
			case wavelen > lowWavelen: // low frequencies: interpolated
				r.InvFreq[i] = f / s.Factor
			case wavelen >= highWavelen: // medium: a smooth mix
				smooth := (float64(s.OriginalMaxPositions)/wavelen - s.LowFreqFactor) / (s.HighFreqFactor - s.LowFreqFactor)
				r.InvFreq[i] = (1-smooth)*f/s.Factor + smooth*f
			} // high frequencies stay
		}
	case "yarn":
		attn := s.AttentionFactor
		if attn == 0 {
			attn = 0.1*math.Log(s.Factor) + 1
		}
		r.Scale = float32(attn)
		betaFast, betaSlow := s.BetaFast, s.BetaSlow
		if betaFast == 0 {
			betaFast = 32
		}
		if betaSlow == 0 {
			betaSlow = 1
		}
		// The dimension at which a frequency turns rot times over the
		// context.
		corrDim := func(rot float64) float64 {
			return float64(d) * math.Log(float64(c.MaxPositions)/(rot*2*math.Pi)) / (2 * math.Log(base))
		}
		low := max(math.Floor(corrDim(betaFast)), 0)
		high := min(math.Ceil(corrDim(betaSlow)), float64(d-1))
		if low == high {
			high += 0.001 // as transformers: no division by zero
		}
		for i := range r.InvFreq {
			ramp := min(max((float64(i)-low)/(high-low), 0), 1)
			extrap := 1 - ramp // the share of the original frequency
			r.InvFreq[i] = 1/(s.Factor*pos[i])*(1-extrap) + 1/pos[i]*extrap
		}
	}
	return r, nil
}

// loadRope computes an opened model's RoPE, reading the divisors its config
// names (model.Config.RopeFreqs) from its weights.
func loadRope(m *model.Model) (*Rope, error) {
	c := m.Config
	var freqs []float32
	if c.RopeFreqs != "" {
		var err error
		if freqs, err = m.Weights.ReadF32(c.RopeFreqs); err != nil {
			return nil, fmt.Errorf("model %s: %w", c.Source, err)
		}
	}
	return NewRope(c, freqs)
}

// ropeParams is the model's RoPE: the one Load computed, else (a model put
// together in a test) plain RoPE from the config, computed on each call.
func (m *Model) ropeParams() *Rope {
	if m.rope != nil {
		return m.rope
	}
	r, err := NewRope(m.Config, nil)
	if err != nil {
		panic(err)
	}
	return r
}
