package ref

import "math"

// AttentionDims mirror kernels/cpu's (convert one to the other): q and out
// [B,T,H,D], k and v [B,S,KVH,D], S >= T, query t at position S-T+t (the
// first S-T keys are cached context), H a multiple of KVH. Scale
// multiplies q·k (0: 1/sqrt(D)); SoftCap, unless 0, maps each scaled score
// to SoftCap·tanh(score/SoftCap); Window, unless 0, lets the query at p see
// key j only when p-j < Window.
type AttentionDims struct {
	B, T, S, H, KVH, D int
	Scale, SoftCap     float32
	Window             int
}

// KeyRange is the keys [lo, hi] query t of batch row b sees: hi is its
// position, lo the highest of 0, keyStart[b*T+t] (when keyStart is not
// nil: packed examples) and hi-Window+1 (with a window).
func (a AttentionDims) KeyRange(keyStart []int32, b, t int) (lo, hi int) {
	hi = a.S - a.T + t
	if keyStart != nil {
		lo = int(keyStart[b*a.T+t])
	}
	if a.Window > 0 {
		lo = max(lo, hi-a.Window+1)
	}
	return lo, hi
}

func (a AttentionDims) scale() float64 {
	if a.Scale != 0 {
		return float64(a.Scale)
	}
	return 1 / math.Sqrt(float64(a.D))
}

// probs is the softmax row of query (b,h,t) over keys lo..hi, and, for the
// backward pass, each score's d(capped)/d(uncapped) (1 where uncapped).
func (a AttentionDims) probs(q, k []float32, b, h, t, lo, hi int) (p, dcap []float64) {
	kh := h / (a.H / a.KVH)
	qi := ((b*a.T+t)*a.H + h) * a.D
	p, dcap = make([]float64, hi-lo+1), make([]float64, hi-lo+1)
	m := math.Inf(-1)
	for j := range p {
		ki := ((b*a.S+lo+j)*a.KVH + kh) * a.D
		s := 0.0
		for i := range a.D {
			s += float64(q[qi+i]) * float64(k[ki+i])
		}
		s *= a.scale()
		dcap[j] = 1
		if c := float64(a.SoftCap); c != 0 {
			th := math.Tanh(s / c)
			s, dcap[j] = c*th, 1-th*th
		}
		p[j] = s
		m = max(m, s)
	}
	sum := 0.0
	for j := range p {
		p[j] = math.Exp(p[j] - m)
		sum += p[j]
	}
	for j := range p {
		p[j] /= sum
	}
	return p, dcap
}

// Attention is softmax(scores) v with each query's whole score row over
// the keys KeyRange gives it.
func Attention(q, k, v []float32, keyStart []int32, a AttentionDims) []float64 {
	out := make([]float64, len(q))
	for b := range a.B {
		for h := range a.H {
			kh := h / (a.H / a.KVH)
			for t := range a.T {
				lo, hi := a.KeyRange(keyStart, b, t)
				p, _ := a.probs(q, k, b, h, t, lo, hi)
				qi := ((b*a.T+t)*a.H + h) * a.D
				for j, pj := range p {
					ki := ((b*a.S+lo+j)*a.KVH + kh) * a.D
					for i := range a.D {
						out[qi+i] += pj * float64(v[ki+i])
					}
				}
			}
		}
	}
	return out
}

// AttentionBackward is Attention's gradients given dout: dv_j = sum p_j
// dout, dp_j = dout·v_j, ds_j = p_j (dp_j - sum_i p_i dp_i) times the
// cap's derivative, dq = scale sum ds_j k_j, dk_j = scale ds_j q.
func AttentionBackward(dout, q, k, v []float32, keyStart []int32, a AttentionDims) (dq, dk, dv []float64) {
	dq, dk, dv = make([]float64, len(q)), make([]float64, len(k)), make([]float64, len(v))
	for b := range a.B {
		for h := range a.H {
			kh := h / (a.H / a.KVH)
			for t := range a.T {
				lo, hi := a.KeyRange(keyStart, b, t)
				p, dcap := a.probs(q, k, b, h, t, lo, hi)
				qi := ((b*a.T+t)*a.H + h) * a.D
				dp, pdp := make([]float64, len(p)), 0.0
				for j := range p {
					ki := ((b*a.S+lo+j)*a.KVH + kh) * a.D
					for i := range a.D {
						dp[j] += float64(dout[qi+i]) * float64(v[ki+i])
						dv[ki+i] += p[j] * float64(dout[qi+i])
					}
					pdp += p[j] * dp[j]
				}
				for j := range p {
					ds := p[j] * (dp[j] - pdp) * dcap[j] * a.scale()
					ki := ((b*a.S+lo+j)*a.KVH + kh) * a.D
					for i := range a.D {
						dq[qi+i] += ds * float64(k[ki+i])
						dk[ki+i] += ds * float64(q[qi+i])
					}
				}
			}
		}
	}
	return dq, dk, dv
}
