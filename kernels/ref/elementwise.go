package ref

import "math"

// SwiGLU is silu(gate)*up elementwise, silu(g) = g sigmoid(g).
func SwiGLU(gate, up []float32) []float64 {
	out := make([]float64, len(gate))
	for i, g := range gate {
		out[i] = silu(float64(g)) * float64(up[i])
	}
	return out
}

func silu(g float64) float64 { return g / (1 + math.Exp(-g)) }

// SwiGLUBackward is SwiGLU's gradients given dout:
// d silu(g)/dg = sig(g) (1 + g (1 - sig(g))).
func SwiGLUBackward(dout, gate, up []float32) (dgate, dup []float64) {
	dgate, dup = make([]float64, len(gate)), make([]float64, len(gate))
	for i := range gate {
		g, d := float64(gate[i]), float64(dout[i])
		sig := 1 / (1 + math.Exp(-g))
		dgate[i] = d * float64(up[i]) * sig * (1 + g*(1-sig))
		dup[i] = d * g * sig
	}
	return dgate, dup
}

// geluC is sqrt(2/pi), the tanh approximation's constant.
var geluC = math.Sqrt(2 / math.Pi)

// GeluTanh is PyTorch's gelu(x, approximate="tanh"):
// 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x³))).
func GeluTanh(x float64) float64 {
	return 0.5 * x * (1 + math.Tanh(geluC*(x+0.044715*x*x*x)))
}

// GeGLU is gelu_tanh(gate)*up elementwise (Gemma's MLP).
func GeGLU(gate, up []float32) []float64 {
	out := make([]float64, len(gate))
	for i, g := range gate {
		out[i] = GeluTanh(float64(g)) * float64(up[i])
	}
	return out
}

// GeGLUBackward is GeGLU's gradients given dout: with u = c (g + 0.044715
// g³), d gelu/dg = 0.5 (1 + tanh u) + 0.5 g (1 - tanh² u) c (1 + 3·0.044715 g²).
func GeGLUBackward(dout, gate, up []float32) (dgate, dup []float64) {
	dgate, dup = make([]float64, len(gate)), make([]float64, len(gate))
	for i := range gate {
		g, d := float64(gate[i]), float64(dout[i])
		th := math.Tanh(geluC * (g + 0.044715*g*g*g))
		dg := 0.5*(1+th) + 0.5*g*(1-th*th)*geluC*(1+3*0.044715*g*g)
		dgate[i] = d * float64(up[i]) * dg
		dup[i] = d * GeluTanh(g)
	}
	return dgate, dup
}

// SoftCap is cap·tanh(x/cap) elementwise (Gemma 2's logit soft-capping).
func SoftCap(x []float32, cap float64) []float64 {
	y := make([]float64, len(x))
	for i, v := range x {
		y[i] = cap * math.Tanh(float64(v)/cap)
	}
	return y
}

// SoftCapBackward is the gradient of SoftCap's input given dy: dy (1 -
// tanh²(x/cap)).
func SoftCapBackward(dy, x []float32, cap float64) []float64 {
	dx := make([]float64, len(x))
	for i, v := range x {
		th := math.Tanh(float64(v) / cap)
		dx[i] = float64(dy[i]) * (1 - th*th)
	}
	return dx
}

// SumSquares is the sum of x², the squared L2 norm.
func SumSquares(x []float32) float64 {
	s := 0.0
	for _, v := range x {
		s += float64(v) * float64(v)
	}
	return s
}

// Scale is x*s elementwise.
func Scale(x []float32, s float64) []float64 {
	y := make([]float64, len(x))
	for i, v := range x {
		y[i] = float64(v) * s
	}
	return y
}

// Add is out+x elementwise.
func Add(out, x []float32) []float64 {
	y := make([]float64, len(out))
	for i := range out {
		y[i] = float64(out[i]) + float64(x[i])
	}
	return y
}

// AddBias is out with b added to each of its rows of len(b).
func AddBias(out, b []float32) []float64 {
	y := make([]float64, len(out))
	for i := range out {
		y[i] = float64(out[i]) + float64(b[i%len(b)])
	}
	return y
}

// BiasBackward is a bias's gradient: the column sums of dout [N, c].
func BiasBackward(dout []float32, c int) []float64 {
	db := make([]float64, c)
	for i, g := range dout {
		db[i%c] += float64(g)
	}
	return db
}

// DropoutKeep reports whether element i survives dropout with probability
// p under seed: murmur3's 32-bit finaliser over the index mixed with both
// halves of the seed, its top 24 bits against p (kernels/cpu/dropout.c
// draws the same masks).
func DropoutKeep(seed uint64, i int, p float32) bool {
	fmix := func(h uint32) uint32 {
		h ^= h >> 16
		h *= 0x85ebca6b
		h ^= h >> 13
		h *= 0xc2b2ae35
		h ^= h >> 16
		return h
	}
	h := fmix(fmix(uint32(i)^uint32(seed)) + uint32(seed>>32))
	return h>>8 >= uint32(p*16777216)
}

// Dropout is x·mask/(1-p) with DropoutKeep's mask.
func Dropout(x []float32, p float32, seed uint64) []float64 {
	y := make([]float64, len(x))
	scale := 1 / (1 - float64(p))
	for i, v := range x {
		if DropoutKeep(seed, i, p) {
			y[i] = float64(v) * float64(float32(scale))
		}
	}
	return y
}
