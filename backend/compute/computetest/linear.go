package computetest

import (
	"encoding/binary"
	"fmt"
	"math"
	"slices"
	"testing"

	"github.com/hone-ai/hone/backend/compute"
	"github.com/hone-ai/hone/backend/model"
	"github.com/hone-ai/hone/kernels/ref"
)

// Shapes [n, c, oc] for matmuls: a row (decoding), odd sizes that leave
// partial tiles everywhere, and a block of tiles.
var matmulShapes = [][3]int{{1, 64, 32}, {7, 96, 40}, {33, 128, 96}}

// testMatMul: f32 MatMul, MatMulAdd and MatMulBackward against the
// references, the backward adding into what the gradients held, and both
// gradients by central differences through the device.
func testMatMul(t *testing.T, e *env) {
	dev := e.dev
	for _, s := range matmulShapes {
		n, c, oc := s[0], s[1], s[2]
		name := fmt.Sprintf("%dx%dx%d", n, c, oc)
		x, w := e.randn(n*c, 1), e.randn(oc*c, 0.3)
		out := dev.Alloc(compute.F32, n, oc)
		dev.MatMul(out, e.up(x, n, c), e.up(w, oc, c))
		want := ref.Matmul(x, w, n, c, oc)
		e.near(name+" forward", out, want, 1e-5)
		base := e.randn(n*oc, 1)
		acc := e.up(base, n, oc)
		dev.MatMulAdd(acc, e.up(x, n, c), e.up(w, oc, c))
		e.near(name+" add", acc, plus(base, want), 1e-5)

		dout := e.randn(n*oc, 1)
		bx, bw := e.randn(n*c, 1), e.randn(oc*c, 1)
		dx, dw := e.up(bx, n, c), e.up(bw, oc, c)
		dev.MatMulBackward(dx, dw, e.up(dout, n, oc), e.up(x, n, c), e.up(w, oc, c))
		wdx, wdw := ref.MatmulBackward(dout, x, w, n, c, oc)
		e.near(name+" dx", dx, plus(bx, wdx), 1e-5)
		e.near(name+" dw", dw, plus(bw, wdw), 1e-5)
		only := dev.Alloc(compute.F32, n, c)
		dev.MatMulBackward(only, nil, e.up(dout, n, oc), e.up(x, n, c), e.up(w, oc, c))
		e.near(name+" dx without dw", only, wdx, 1e-5)
	}
	n, c, oc := 3, 40, 8
	x, w, r := e.randn(n*c, 1), e.randn(oc*c, 0.3), e.randn(n*oc, 1)
	loss := func() float64 {
		out := dev.Alloc(compute.F32, n, oc)
		dev.MatMul(out, e.up(x, n, c), e.up(w, oc, c))
		return ref.DotLoss(e.down(out), r)
	}
	dx, dw := dev.Alloc(compute.F32, n, c), dev.Alloc(compute.F32, oc, c)
	dev.MatMulBackward(dx, dw, e.up(r, n, oc), e.up(x, n, c), e.up(w, oc, c))
	e.gradCheck("matmul x", x, e.down(dx), loss)
	e.gradCheck("matmul w", w, e.down(dw), loss)
}

// testMatMulFormats: bf16, NF4 and GGUF-block weights multiply as the f32
// matmul does on their dequantised values (blocks up to the 8-bit rounding
// of the inputs, 16-bit for a Fine weight), the frozen formats' input
// gradient too, and a gradient into a frozen weight is refused.
func testMatMulFormats(t *testing.T, e *env) {
	dev := e.dev
	for _, s := range [][3]int{{1, 64, 32}, {9, 128, 72}} {
		n, c, oc := s[0], s[1], s[2]
		x, w32 := e.randn(n*c, 1), e.randn(oc*c, 0.3)
		nf4, err := model.QuantizeNF4(w32, oc, c)
		if err != nil {
			t.Fatal(err)
		}
		bf := toBF16(w32)
		for _, f := range []struct {
			w     compute.HostWeight
			deq   []float32
			tol   float64
			train bool
		}{
			{compute.HostWeight{DType: compute.BF16, BF16: bf}, ref.BF16(bf), 1e-5, true},
			{compute.HostWeight{DType: compute.NF4, NF4: nf4}, nf4.Dequantize(), 1e-5, true},
			{compute.HostWeight{DType: compute.Q8_0, Blocks: quantizeQ8(w32)}, dequant(t, "Q8_0", quantizeQ8(w32)), 2e-2, false},
			{compute.HostWeight{DType: compute.Q8_0, Blocks: quantizeQ8(w32), Fine: true}, dequant(t, "Q8_0", quantizeQ8(w32)), 2e-4, false},
		} {
			f.w.Rows, f.w.Cols = oc, c
			name := fmt.Sprintf("%s fine=%v %dx%dx%d", f.w.DType, f.w.Fine, n, c, oc)
			w, err := dev.UploadWeight(f.w)
			if err != nil {
				t.Fatal(err)
			}
			if w.DType() != f.w.DType || w.Dim(0) != oc || w.Dim(1) != c {
				t.Fatalf("%s: uploaded as %s %v", name, w.DType(), w.Shape())
			}
			out := dev.Alloc(compute.F32, n, oc)
			dev.MatMul(out, e.up(x, n, c), w)
			e.near(name, out, ref.Matmul(x, f.deq, n, c, oc), f.tol)
			if !f.train {
				continue
			}
			dout := e.randn(n*oc, 1)
			dx := dev.Alloc(compute.F32, n, c)
			dev.MatMulBackward(dx, nil, e.up(dout, n, oc), e.up(x, n, c), w)
			wdx, _ := ref.MatmulBackward(dout, x, f.deq, n, c, oc)
			e.near(name+" dx", dx, wdx, 1e-5)
			refused(t, name+" dw", func() {
				dev.MatMulBackward(dx, dev.Alloc(compute.F32, oc, c), e.up(dout, n, oc), e.up(x, n, c), w)
			})
		}
	}
}

// refused fails unless f panics: a misuse the device must not run.
func refused(t *testing.T, what string, f func()) {
	t.Helper()
	defer func() {
		if recover() == nil {
			t.Errorf("%s: ran instead of refusing", what)
		}
	}()
	f()
}

func toBF16(x []float32) []uint16 { return ref.ToBF16(x) }

func dequant(t *testing.T, dtype string, blocks []byte) []float32 {
	t.Helper()
	out := make([]float32, len(blocks)/34*32)
	if err := model.Dequantize(dtype, out, blocks); err != nil {
		t.Fatal(err)
	}
	return out
}

// quantizeQ8 packs x (a multiple of 32 values) as GGUF Q8_0 blocks: an f16
// scale amax/127 and 32 int8 codes.
func quantizeQ8(x []float32) []byte {
	out := make([]byte, 0, len(x)/32*34)
	for b := 0; b < len(x); b += 32 {
		amax := 0.0
		for _, v := range x[b : b+32] {
			amax = max(amax, math.Abs(float64(v)))
		}
		d := amax / 127
		out = binary.LittleEndian.AppendUint16(out, f16(float32(d)))
		for _, v := range x[b : b+32] {
			q := 0.0
			if d > 0 {
				q = math.Round(float64(v) / d)
			}
			out = append(out, byte(int8(q)))
		}
	}
	return out
}

// f16 rounds a normal float32 (or zero) to half precision, truncating.
func f16(f float32) uint16 {
	b := math.Float32bits(f)
	if b&0x7fffffff == 0 {
		return 0
	}
	return uint16(b>>16&0x8000) | uint16((b>>23&0xff)-112)<<10 | uint16(b>>13&0x3ff)
}

// testMatMulRows: for every weight format, each row of a MatMulRows over
// several rows equals, bit for bit, a one-row MatMul of it.
func testMatMulRows(t *testing.T, e *env) {
	dev := e.dev
	n, c, oc := 7, 128, 72
	x, w32 := e.randn(n*c, 1), e.randn(oc*c, 0.3)
	nf4, err := model.QuantizeNF4(w32, oc, c)
	if err != nil {
		t.Fatal(err)
	}
	for _, hw := range []compute.HostWeight{
		{DType: compute.F32, F32: w32},
		{DType: compute.BF16, BF16: toBF16(w32)},
		{DType: compute.NF4, NF4: nf4},
		{DType: compute.Q8_0, Blocks: quantizeQ8(w32)},
		{DType: compute.Q8_0, Blocks: quantizeQ8(w32), Fine: true},
	} {
		hw.Rows, hw.Cols = oc, c
		w, err := dev.UploadWeight(hw)
		if err != nil {
			t.Fatal(err)
		}
		all := dev.Alloc(compute.F32, n, oc)
		dev.MatMulRows(all, e.up(x, n, c), w)
		got := e.down(all)
		for i := range n {
			one := dev.Alloc(compute.F32, 1, oc)
			dev.MatMul(one, e.up(x[i*c:(i+1)*c], 1, c), w)
			if !slices.Equal(e.down(one), got[i*oc:(i+1)*oc]) {
				t.Fatalf("%s fine=%v: row %d of MatMulRows differs from its one-row MatMul", hw.DType, hw.Fine, i)
			}
		}
	}
}

// testMatMulAddT: out += x wt for a weight kept transposed is the product
// with its transpose, and each row equals its one-row call, bit for bit.
func testMatMulAddT(t *testing.T, e *env) {
	dev := e.dev
	n, k, o := 6, 16, 72
	x, wt, base := e.randn(n*k, 1), e.randn(k*o, 0.3), e.randn(n*o, 1)
	w := make([]float32, k*o) // [o, k]
	for i := range k {
		for j := range o {
			w[j*k+i] = wt[i*o+j]
		}
	}
	got := e.up(base, n, o)
	dev.MatMulAddT(got, e.up(x, n, k), e.up(wt, k, o))
	e.near("MatMulAddT", got, plus(base, ref.Matmul(x, w, n, k, o)), 2e-5)
	all := e.down(got)
	for i := range n {
		one := e.up(base[i*o:(i+1)*o], 1, o)
		dev.MatMulAddT(one, e.up(x[i*k:(i+1)*k], 1, k), e.up(wt, k, o))
		if !slices.Equal(e.down(one), all[i*o:(i+1)*o]) {
			t.Fatalf("row %d differs from its one-row call", i)
		}
	}
}
