package engine

import "math"

// ClipGradNorm scales the gradients of params in place so that their
// global L2 norm is at most maxNorm, as torch.nn.utils.clip_grad_norm_
// does: the norm is accumulated in float64 over every gradient, and when
// it exceeds maxNorm each gradient is multiplied by maxNorm/(norm+1e-6).
// It returns the norm before clipping. Params without a gradient are
// skipped; a non-finite norm is returned and nothing is scaled.
func ClipGradNorm(params []*Param, maxNorm float64) (norm float64) {
	s := 0.0
	for _, p := range params {
		if p == nil || p.G == nil {
			continue
		}
		for _, g := range p.G.Data {
			s += float64(g) * float64(g)
		}
	}
	norm = math.Sqrt(s)
	if !(norm > maxNorm) || math.IsInf(norm, 0) {
		return norm
	}
	c := float32(maxNorm / (norm + 1e-6))
	for _, p := range params {
		if p == nil || p.G == nil {
			continue
		}
		for i := range p.G.Data {
			p.G.Data[i] *= c
		}
	}
	return norm
}
