package computetest

import (
	"math"
	"testing"

	"github.com/hone-ai/hone/backend/compute"
	"github.com/hone-ai/hone/kernels/ref"
)

// testRMSNorm: forward with and without rstd, backward adding into both
// gradients (or into dx alone, for a frozen norm), and central differences.
func testRMSNorm(t *testing.T, e *env) {
	dev := e.dev
	const eps = 1e-5
	for _, s := range [][2]int{{1, 64}, {13, 96}, {8, 16}} {
		n, c := s[0], s[1]
		x, w := e.randn(n*c, 1), e.randn(c, 0.2)
		for i := range w {
			w[i]++
		}
		out, rstd := dev.Alloc(compute.F32, n, c), dev.Alloc(compute.F32, n)
		dev.RMSNorm(out, rstd, e.up(x, n, c), e.up(w, c), eps)
		e.near("rmsnorm", out, ref.RMSNorm(x, w, n, c, eps), 1e-5)
		plain := dev.Alloc(compute.F32, n, c)
		dev.RMSNorm(plain, nil, e.up(x, n, c), e.up(w, c), eps)
		e.near("rmsnorm without rstd", plain, ref.Float64s(e.down(out)), 0)

		dout := e.randn(n*c, 1)
		bx, bw := e.randn(n*c, 1), e.randn(c, 1)
		dx, dw := e.up(bx, n, c), e.up(bw, c)
		dev.RMSNormBackward(dx, dw, e.up(dout, n, c), e.up(x, n, c), e.up(w, c), rstd)
		wdx, wdw := ref.RMSNormBackward(dout, x, w, n, c, eps)
		e.near("rmsnorm dx", dx, plus(bx, wdx), 1e-5)
		e.near("rmsnorm dw", dw, plus(bw, wdw), 1e-5)
		frozen := dev.Alloc(compute.F32, n, c)
		dev.RMSNormBackward(frozen, nil, e.up(dout, n, c), e.up(x, n, c), e.up(w, c), rstd)
		e.near("rmsnorm dx, frozen w", frozen, wdx, 1e-5)
	}
	n, c := 3, 24
	x, w, r := e.randn(n*c, 1), e.randn(c, 1), e.randn(n*c, 1)
	fwd := func() (*compute.Tensor, *compute.Tensor) {
		out, rstd := dev.Alloc(compute.F32, n, c), dev.Alloc(compute.F32, n)
		dev.RMSNorm(out, rstd, e.up(x, n, c), e.up(w, c), eps)
		return out, rstd
	}
	loss := func() float64 { out, _ := fwd(); return ref.DotLoss(e.down(out), r) }
	_, rstd := fwd()
	dx, dw := dev.Alloc(compute.F32, n, c), dev.Alloc(compute.F32, c)
	dev.RMSNormBackward(dx, dw, e.up(r, n, c), e.up(x, n, c), e.up(w, c), rstd)
	e.gradCheck("rmsnorm x", x, e.down(dx), loss)
	e.gradCheck("rmsnorm w", w, e.down(dw), loss)
}

// testRoPE: both layouts, a scaled RoPE (YaRN's attention factor), the
// backward as the inverse rotation, and central differences.
func testRoPE(t *testing.T, e *env) {
	dev := e.dev
	const n, h, d = 6, 3, 16
	inv := make([]float64, d/2)
	for i := range inv {
		inv[i] = math.Pow(10000, -float64(2*i)/d)
	}
	pos := []int32{0, 1, 2, 7, 100, 4095}
	for _, r := range []compute.Rope{{InvFreq: inv, Scale: 1}, {InvFreq: inv, Scale: 1.3, Interleaved: true}} {
		x := e.randn(n*h*d, 1)
		xt := e.up(x, n, h, d)
		dev.RoPE(xt, e.ids(pos), &r)
		e.near("rope", xt, ref.RoPE(x, pos, h, d, inv, float64(r.Scale), r.Interleaved), 1e-5)
		dy := e.randn(n*h*d, 1)
		dt := e.up(dy, n, h, d)
		dev.RoPEBackward(dt, e.ids(pos), &r)
		e.near("rope backward", dt, ref.RoPEBackward(dy, pos, h, d, inv, float64(r.Scale), r.Interleaved), 1e-5)
		loss := func() float64 {
			y := e.up(x, n, h, d)
			dev.RoPE(y, e.ids(pos), &r)
			return ref.DotLoss(e.down(y), dy)
		}
		e.gradCheck("rope", x, e.down(dt), loss)
	}
}
