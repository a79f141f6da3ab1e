package ref

import "math"

// Matmul is out[n,o] = sum_c inp[n,c] w[o,c]: inp [N,C], w [OC,C] (a
// PyTorch Linear weight), out [N,OC].
func Matmul(inp, w []float32, n, c, oc int) []float64 {
	out := make([]float64, n*oc)
	for i := range n {
		for o := range oc {
			for k := range c {
				out[i*oc+o] += float64(inp[i*c+k]) * float64(w[o*c+k])
			}
		}
	}
	return out
}

// MatmulBackward is Matmul's gradients given dout: dinp = dout w and
// dw = doutᵀ inp.
func MatmulBackward(dout, inp, w []float32, n, c, oc int) (dinp, dw []float64) {
	dinp, dw = make([]float64, n*c), make([]float64, oc*c)
	for i := range n {
		for o := range oc {
			g := float64(dout[i*oc+o])
			for k := range c {
				dinp[i*c+k] += g * float64(w[o*c+k])
				dw[o*c+k] += g * float64(inp[i*c+k])
			}
		}
	}
	return dinp, dw
}

// RMSNorm is out = inp/rms(inp)*w row by row, inp [N,C], w [C], with
// rms = sqrt(mean(x²)+eps).
func RMSNorm(inp, w []float32, n, c int, eps float64) []float64 {
	out := make([]float64, n*c)
	for i := range n {
		s := rstd(inp[i*c:(i+1)*c], eps)
		for k := range c {
			out[i*c+k] = float64(inp[i*c+k]) * s * float64(w[k])
		}
	}
	return out
}

func rstd(x []float32, eps float64) float64 {
	ss := 0.0
	for _, v := range x {
		ss += float64(v) * float64(v)
	}
	return 1 / math.Sqrt(ss/float64(len(x))+eps)
}

// RMSNormBackward is RMSNorm's gradients given dout: with xhat = x s,
// dx = s (g w - xhat mean(g w xhat)) and dw = sum over rows of g xhat.
func RMSNormBackward(dout, inp, w []float32, n, c int, eps float64) (dinp, dw []float64) {
	dinp, dw = make([]float64, n*c), make([]float64, c)
	for i := range n {
		s := rstd(inp[i*c:(i+1)*c], eps)
		dot := 0.0
		for k := range c {
			dot += float64(dout[i*c+k]) * float64(w[k]) * float64(inp[i*c+k]) * s
		}
		m := dot / float64(c)
		for k := range c {
			x, g := float64(inp[i*c+k]), float64(dout[i*c+k])
			dinp[i*c+k] = s * (g*float64(w[k]) - x*s*m)
			dw[k] += g * x * s
		}
	}
	return dinp, dw
}

// RoPE rotates x [N,H,D], row n at position pos[n]: pair i (i < D/2) turns
// by pos*invFreq[i] and is scaled by mscale. The pairs are (i, i+D/2)
// (rotate-half) or, interleaved, (2i, 2i+1). RoPE is linear and its
// backward pass is RoPE with the angles negated (see RoPEBackward).
func RoPE(x []float32, pos []int32, h, d int, invFreq []float64, mscale float64, interleaved bool) []float64 {
	return rope(x, pos, h, d, invFreq, mscale, interleaved, 1)
}

// RoPEBackward maps dout, the gradient of RoPE's output, to its input's:
// the transpose of a rotation is the rotation back.
func RoPEBackward(dout []float32, pos []int32, h, d int, invFreq []float64, mscale float64, interleaved bool) []float64 {
	return rope(dout, pos, h, d, invFreq, mscale, interleaved, -1)
}

func rope(x []float32, pos []int32, h, d int, invFreq []float64, mscale float64, interleaved bool, dir float64) []float64 {
	want := make([]float64, len(x))
	for i, p := range pos {
		for hd := range h {
			base := (i*h + hd) * d
			for k := range d / 2 {
				j0, j1 := base+k, base+k+d/2
				if interleaved {
					j0, j1 = base+2*k, base+2*k+1
				}
				ang := dir * float64(p) * invFreq[k]
				a, b := float64(x[j0]), float64(x[j1])
				want[j0] = mscale * (a*math.Cos(ang) - b*math.Sin(ang))
				want[j1] = mscale * (b*math.Cos(ang) + a*math.Sin(ang))
			}
		}
	}
	return want
}

// Embedding is row tokens[n] of table [V,C] as row n of out [N,C].
func Embedding(table []float32, tokens []int32, c int) []float64 {
	out := make([]float64, len(tokens)*c)
	for n, tok := range tokens {
		for k := range c {
			out[n*c+k] = float64(table[int(tok)*c+k])
		}
	}
	return out
}

// EmbeddingBackward is the table's gradient [V,C]: row n of dout summed
// into row tokens[n].
func EmbeddingBackward(dout []float32, tokens []int32, v, c int) []float64 {
	dt := make([]float64, v*c)
	for n, tok := range tokens {
		for k := range c {
			dt[int(tok)*c+k] += float64(dout[n*c+k])
		}
	}
	return dt
}

// CrossEntropy is losses[n] = -log softmax(logits[n])[targets[n]] over
// logits [N,V] and dlogits = dloss * d losses[n]/d logits, row by row; a
// negative target masks its row (loss and gradient 0).
func CrossEntropy(logits []float32, targets []int32, v int, dloss float64) (losses, dlogits []float64) {
	losses, dlogits = make([]float64, len(targets)), make([]float64, len(logits))
	for n, y := range targets {
		if y < 0 {
			continue
		}
		row := logits[n*v : (n+1)*v]
		m := math.Inf(-1)
		for _, x := range row {
			m = max(m, float64(x))
		}
		sum := 0.0
		for _, x := range row {
			sum += math.Exp(float64(x) - m)
		}
		losses[n] = m + math.Log(sum) - float64(row[y])
		for i, x := range row {
			dlogits[n*v+i] = dloss * math.Exp(float64(x)-m) / sum
		}
		dlogits[n*v+int(y)] -= dloss
	}
	return losses, dlogits
}

// AdamW is torch.optim.AdamW's step (counting from 1) in float64 on p, m
// and v in place: decoupled weight decay, bias-corrected moments.
func AdamW(p, m, v []float64, g []float32, step int, lr, beta1, beta2, eps, wd float64) {
	bc1, bc2 := 1-math.Pow(beta1, float64(step)), 1-math.Pow(beta2, float64(step))
	for i := range p {
		gi := float64(g[i])
		m[i] = beta1*m[i] + (1-beta1)*gi
		v[i] = beta2*v[i] + (1-beta2)*gi*gi
		p[i] -= lr * (m[i]/bc1/(math.Sqrt(v[i]/bc2)+eps) + wd*p[i])
	}
}

// BF16 widens bf16 values (the upper halves of float32s) to float32.
func BF16(w []uint16) []float32 {
	f := make([]float32, len(w))
	for i, b := range w {
		f[i] = math.Float32frombits(uint32(b) << 16)
	}
	return f
}

// ToBF16 rounds x towards zero to bf16 (its upper half), as the tests make
// bf16 weights.
func ToBF16(x []float32) []uint16 {
	w := make([]uint16, len(x))
	for i, v := range x {
		w[i] = uint16(math.Float32bits(v) >> 16)
	}
	return w
}

// NF4Dequantize is the first n values of an NF4 weight as bitsandbytes
// stores it (backend/model.NF4): element i has 4-bit code i of packed (two
// a byte, the first in the high nibble) and block i/64, whose absmax is
// dmap[qabsmax[b]]*absmax2[b/256] + offset, the product rounded before the
// add; the value is code4[code] * absmax, one float32 multiply. The result
// is float32 because the kernels must match it to the bit.
func NF4Dequantize(packed, qabsmax []byte, absmax2 []float32, offset float32, code4 *[16]float32, dmap *[256]float32, n int) []float32 {
	out := make([]float32, n)
	for i := range out {
		c := packed[i/2] >> 4
		if i%2 == 1 {
			c = packed[i/2] & 15
		}
		b := i / 64
		am := float32(dmap[qabsmax[b]]*absmax2[b/256]) + offset
		out[i] = code4[c] * am
	}
	return out
}
