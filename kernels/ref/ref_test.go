package ref

import (
	"math"
	"math/rand/v2"
	"testing"
)

func f32(x []float64) []float32 {
	y := make([]float32, len(x))
	for i, v := range x {
		y[i] = float32(v)
	}
	return y
}

func dot64(x []float64, r []float32) float64 {
	s := 0.0
	for i := range x {
		s += x[i] * float64(r[i])
	}
	return s
}

// TestBackwardReferences checks each backward reference against central
// differences of its forward reference, so that the ground truth's
// gradients are not merely the kernels' formulas written twice.
func TestBackwardReferences(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	type input struct {
		name string
		x    []float32
		grad []float64
	}
	cases := []struct {
		name string
		make func() (loss func() float64, inputs []input)
	}{
		{"matmul", func() (func() float64, []input) {
			n, c, oc := 3, 7, 5
			inp, w, rr := Randn(r, n*c, 1), Randn(r, oc*c, 1), Randn(r, n*oc, 1)
			dinp, dw := MatmulBackward(rr, inp, w, n, c, oc)
			return func() float64 { return dot64(Matmul(inp, w, n, c, oc), rr) }, []input{{"inp", inp, dinp}, {"w", w, dw}}
		}},
		{"rmsnorm", func() (func() float64, []input) {
			n, c := 4, 9
			inp, w, rr := Randn(r, n*c, 2), Randn(r, c, 1), Randn(r, n*c, 1)
			dinp, dw := RMSNormBackward(rr, inp, w, n, c, 1e-5)
			return func() float64 { return dot64(RMSNorm(inp, w, n, c, 1e-5), rr) }, []input{{"inp", inp, dinp}, {"w", w, dw}}
		}},
		{"rope", func() (func() float64, []input) {
			pos, h, d := []int32{0, 3, 50}, 2, 6
			invFreq := []float64{1, 0.1, 0.01}
			x, rr := Randn(r, 3*h*d, 1), Randn(r, 3*h*d, 1)
			dx := RoPEBackward(rr, pos, h, d, invFreq, 1.2, true)
			return func() float64 { return dot64(RoPE(x, pos, h, d, invFreq, 1.2, true), rr) }, []input{{"x", x, dx}}
		}},
		{"swiglu", func() (func() float64, []input) {
			g, u, rr := Randn(r, 50, 3), Randn(r, 50, 1), Randn(r, 50, 1)
			dg, du := SwiGLUBackward(rr, g, u)
			return func() float64 { return dot64(SwiGLU(g, u), rr) }, []input{{"gate", g, dg}, {"up", u, du}}
		}},
		{"geglu", func() (func() float64, []input) {
			g, u, rr := Randn(r, 50, 3), Randn(r, 50, 1), Randn(r, 50, 1)
			dg, du := GeGLUBackward(rr, g, u)
			return func() float64 { return dot64(GeGLU(g, u), rr) }, []input{{"gate", g, dg}, {"up", u, du}}
		}},
		{"softcap", func() (func() float64, []input) {
			x, rr := Randn(r, 50, 10), Randn(r, 50, 1)
			return func() float64 { return dot64(SoftCap(x, 7), rr) }, []input{{"x", x, SoftCapBackward(rr, x, 7)}}
		}},
		{"embedding", func() (func() float64, []input) {
			table, tokens, rr := Randn(r, 5*3, 1), []int32{4, 0, 4}, Randn(r, 9, 1)
			return func() float64 { return dot64(Embedding(table, tokens, 3), rr) },
				[]input{{"table", table, EmbeddingBackward(rr, tokens, 5, 3)}}
		}},
		{"cross-entropy", func() (func() float64, []input) {
			logits, targets := Randn(r, 3*11, 2), []int32{3, -1, 10}
			_, dl := CrossEntropy(logits, targets, 11, 0.25)
			return func() float64 {
				l, _ := CrossEntropy(logits, targets, 11, 0)
				return 0.25 * (l[0] + l[1] + l[2])
			}, []input{{"logits", logits, dl}}
		}},
		{"bias", func() (func() float64, []input) {
			out, b, rr := Randn(r, 4*6, 1), Randn(r, 6, 1), Randn(r, 4*6, 1)
			return func() float64 { return dot64(AddBias(out, b), rr) }, []input{{"b", b, BiasBackward(rr, 6)}}
		}},
		{"attention, all options", func() (func() float64, []input) {
			a := AttentionDims{B: 2, T: 9, S: 11, H: 4, KVH: 2, D: 4, Scale: 0.8, SoftCap: 2, Window: 6}
			ks := []int32{0, 0, 0, 5, 5, 5, 5, 9, 9, 2, 2, 2, 2, 2, 2, 2, 2, 2}
			q, k, v := Randn(r, a.B*a.T*a.H*a.D, 1), Randn(r, a.B*a.S*a.KVH*a.D, 1), Randn(r, a.B*a.S*a.KVH*a.D, 1)
			rr := Randn(r, len(q), 1)
			dq, dk, dv := AttentionBackward(rr, q, k, v, ks, a)
			return func() float64 { return dot64(Attention(q, k, v, ks, a), rr) }, []input{{"q", q, dq}, {"k", k, dk}, {"v", v, dv}}
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			loss, inputs := c.make()
			for _, in := range inputs {
				GradCheck(t, in.name, in.x, f32(in.grad), loss)
			}
		})
	}
}

// TestAttentionMask: the reference's masks are the documented ones: a
// query's output is v's row lo when it sees only key lo, and a sliding
// window of 1 sees just the query's own position.
func TestAttentionMask(t *testing.T) {
	a := AttentionDims{B: 1, T: 3, S: 5, H: 1, KVH: 1, D: 2, Window: 1}
	q, k := make([]float32, 6), make([]float32, 10)
	v := []float32{0, 0, 1, 1, 2, 2, 3, 3, 4, 4}
	out := Attention(q, k, v, nil, a)
	for tq, want := range []float64{2, 3, 4} { // positions S-T+t
		if out[2*tq] != want {
			t.Errorf("window 1: query %d got v %g, want %g", tq, out[2*tq], want)
		}
	}
	a.Window = 0
	out = Attention(q, k, v, []int32{2, 3, 1}, a) // equal scores: the mean of v[lo..p]
	for tq, want := range []float64{2, 3, 2.5} {
		if math.Abs(out[2*tq]-want) > 1e-12 {
			t.Errorf("keyStart: query %d got %g, want %g", tq, out[2*tq], want)
		}
	}
}

func TestCompare(t *testing.T) {
	if _, err := Compare([]float32{1, float32(math.NaN())}, []float64{1, 1}, 1); err == nil {
		t.Error("NaN passed")
	}
	if w, err := Compare([]float32{1, 2}, []float64{1, 2.001}, 1e-3); err != nil || w <= 0 {
		t.Errorf("worst %g, err %v", w, err)
	}
	if _, err := Compare([]float32{1}, []float64{1, 2}, 1); err == nil {
		t.Error("length mismatch passed")
	}
}
