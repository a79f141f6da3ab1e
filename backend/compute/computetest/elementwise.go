package computetest

import (
	"math"
	"testing"

	"github.com/hone-ai/hone/backend/compute"
	"github.com/hone-ai/hone/kernels/ref"
)

// testActivations: SwiGLU, GeGLU (in place on gate too), dropout's masks
// and soft-capping, forward and backward, with central differences.
func testActivations(t *testing.T, e *env) {
	dev := e.dev
	const n = 1000 // past a vector width and a thread's share, with a tail
	gate, up, dout := e.randn(n, 2), e.randn(n, 1), e.randn(n, 1)
	for _, a := range []struct {
		name string
		fwd  func(out, gate, up *compute.Tensor)
		bwd  func(dgate, dup, dout, gate, up *compute.Tensor)
		ref  func(gate, up []float32) []float64
		rbwd func(dout, gate, up []float32) ([]float64, []float64)
	}{
		{"swiglu", dev.SwiGLU, dev.SwiGLUBackward, ref.SwiGLU, ref.SwiGLUBackward},
		{"geglu", dev.GeGLU, dev.GeGLUBackward, ref.GeGLU, ref.GeGLUBackward},
	} {
		out := dev.Alloc(compute.F32, n)
		a.fwd(out, e.up(gate, n), e.up(up, n))
		want := a.ref(gate, up)
		e.near(a.name, out, want, 1e-5)
		g := e.up(gate, n)
		a.fwd(g, g, e.up(up, n))
		e.near(a.name+" in place", g, want, 1e-5)
		bg, bu := e.randn(n, 1), e.randn(n, 1)
		dg, du := e.up(bg, n), e.up(bu, n)
		a.bwd(dg, du, e.up(dout, n), e.up(gate, n), e.up(up, n))
		wg, wu := a.rbwd(dout, gate, up)
		e.near(a.name+" dgate", dg, plus(bg, wg), 1e-5)
		e.near(a.name+" dup", du, plus(bu, wu), 1e-5)
		loss := func() float64 {
			out := dev.Alloc(compute.F32, n)
			a.fwd(out, e.up(gate, n), e.up(up, n))
			return ref.DotLoss(e.down(out), dout)
		}
		dg, du = dev.Alloc(compute.F32, n), dev.Alloc(compute.F32, n)
		a.bwd(dg, du, e.up(dout, n), e.up(gate, n), e.up(up, n))
		e.gradCheck(a.name+" gate", gate, e.down(dg), loss)
		e.gradCheck(a.name+" up", up, e.down(du), loss)
	}
	for _, p := range []float32{0, 0.1, 0.5} {
		x := e.randn(n, 1)
		y := dev.Alloc(compute.F32, n)
		dev.Dropout(y, e.up(x, n), p, 0x1234_5678_9abc)
		e.near("dropout", y, ref.Dropout(x, p, 0x1234_5678_9abc), 1e-7)
		in := e.up(x, n)
		dev.Dropout(in, in, p, 0x1234_5678_9abc)
		e.near("dropout in place", in, ref.Dropout(x, p, 0x1234_5678_9abc), 1e-7)
	}
	x := e.randn(n, 4) // well past the cap: the tanh saturates
	for _, c := range []float32{3, 30} {
		y := e.up(x, n)
		dev.SoftCap(y, c)
		e.near("softcap", y, ref.SoftCap(x, float64(c)), 1e-5)
		dy := e.up(dout, n)
		dev.SoftCapBackward(dy, y, c)
		e.near("softcap backward", dy, ref.SoftCapBackward(dout, x, float64(c)), 1e-4)
		loss := func() float64 {
			y := e.up(x, n)
			dev.SoftCap(y, c)
			return ref.DotLoss(e.down(y), dout)
		}
		e.gradCheck("softcap", x, e.down(dy), loss)
	}
}

// testEmbedding: rows of an f32 and of a Q8_0 table, and the backward
// adding repeated tokens' rows into one.
func testEmbedding(t *testing.T, e *env) {
	dev := e.dev
	const v, c = 50, 64
	table := e.randn(v*c, 1)
	tokens := []int32{3, 49, 0, 3, 17}
	out := dev.Alloc(compute.F32, len(tokens), c)
	dev.Embedding(out, e.up(table, v, c), e.ids(tokens))
	e.near("embedding", out, ref.Embedding(table, tokens, c), 0)
	blocks := quantizeQ8(table)
	q, err := dev.UploadWeight(compute.HostWeight{DType: compute.Q8_0, Rows: v, Cols: c, Blocks: blocks})
	if err != nil {
		t.Fatal(err)
	}
	dev.Embedding(out, q, e.ids(tokens))
	e.near("Q8_0 embedding", out, ref.Embedding(dequant(t, "Q8_0", blocks), tokens, c), 0)
	dout := e.randn(len(tokens)*c, 1)
	base := e.randn(v*c, 1)
	dt := e.up(base, v, c)
	dev.EmbeddingBackward(dt, e.up(dout, len(tokens), c), e.ids(tokens))
	e.near("embedding backward", dt, plus(base, ref.EmbeddingBackward(dout, tokens, v, c)), 1e-6)
}

// testElementwise: Add, AddBias, Scale, BiasBackward and SumSquares on
// sizes with tails, and SumSquares' float64 accumulation.
func testElementwise(t *testing.T, e *env) {
	dev := e.dev
	const n, c = 37, 29
	a, b, bias := e.randn(n*c, 1), e.randn(n*c, 1), e.randn(c, 1)
	x := e.up(a, n, c)
	dev.Add(x, e.up(b, n, c))
	e.near("add", x, ref.Add(a, b), 1e-6)
	x = e.up(a, n, c)
	dev.AddBias(x, e.up(bias, c))
	e.near("add bias", x, ref.AddBias(a, bias), 1e-6)
	x = e.up(a, n, c)
	dev.Scale(x, -0.37)
	e.near("scale", x, ref.Scale(a, float64(float32(-0.37))), 1e-6)
	db := e.up(bias, c)
	dev.BiasBackward(db, e.up(a, n, c))
	e.near("bias backward", db, plus(bias, ref.BiasBackward(a, c)), 1e-5)
	if got, want := dev.SumSquares(e.up(a, n, c)), ref.SumSquares(a); math.Abs(got-want) > 1e-9*want {
		t.Errorf("sum of squares %v, want %v", got, want)
	}
	// A million ones and one 1e-4: float32 accumulation would lose it.
	big := make([]float32, 1<<20)
	for i := range big {
		big[i] = 1
	}
	big[12345] = 1e-2
	if got, want := dev.SumSquares(e.up(big, len(big))), float64(len(big)-1)+1e-4; math.Abs(got-want) > 1e-7 {
		t.Errorf("sum of squares %.9f, want %.9f: not accumulated in float64", got, want)
	}
}

// testCrossEntropy: losses and their gradient for masked and unmasked
// rows, the gradient written over the logits in place, and no gradient.
func testCrossEntropy(t *testing.T, e *env) {
	dev := e.dev
	const n, v = 6, 300
	logits := e.randn(n*v, 3)
	targets := []int32{5, -100, 0, 299, 17, -1}
	wl, wd := ref.CrossEntropy(logits, targets, v, 0.25)
	losses, dl := dev.Alloc(compute.F32, n), dev.Alloc(compute.F32, n, v)
	dev.CrossEntropy(losses, dl, e.up(logits, n, v), e.ids(targets), 0.25)
	e.near("losses", losses, wl, 1e-5)
	e.near("dlogits", dl, wd, 1e-5)
	inPlace := e.up(logits, n, v)
	dev.CrossEntropy(losses, inPlace, inPlace, e.ids(targets), 0.25)
	e.near("dlogits in place", inPlace, wd, 1e-5)
	only := dev.Alloc(compute.F32, n)
	dev.CrossEntropy(only, nil, e.up(logits, n, v), e.ids(targets), 0)
	e.near("losses alone", only, wl, 1e-5)
	loss := func() float64 {
		l := dev.Alloc(compute.F32, n)
		dev.CrossEntropy(l, nil, e.up(logits, n, v), e.ids(targets), 0)
		s := 0.0
		for _, x := range e.down(l) {
			s += float64(x)
		}
		return s
	}
	dev.CrossEntropy(losses, dl, e.up(logits, n, v), e.ids(targets), 1)
	e.gradCheck("cross-entropy", logits, e.down(dl), loss)
}

// testAdamW: five steps over one flat buffer equal torch's AdamW in
// float64 within float32 rounding.
func testAdamW(t *testing.T, e *env) {
	dev := e.dev
	const n = 1001
	h := compute.AdamW{LR: 1e-2, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, WeightDecay: 0.01}
	p0 := e.randn(n, 1)
	p, g, m, v := e.up(p0, n), dev.Alloc(compute.F32, n), dev.Alloc(compute.F32, n), dev.Alloc(compute.F32, n)
	rp, rm, rv := ref.Float64s(p0), make([]float64, n), make([]float64, n)
	for step := 1; step <= 5; step++ {
		grad := e.randn(n, 0.1)
		dev.Upload(g, grad)
		dev.AdamW(p, g, m, v, step, h)
		ref.AdamW(rp, rm, rv, grad, step, float64(h.LR), float64(h.Beta1), float64(h.Beta2), float64(h.Eps), float64(h.WeightDecay))
	}
	e.near("adamw parameters", p, rp, 1e-5)
	e.near("adamw first moment", m, rm, 1e-5)
}
