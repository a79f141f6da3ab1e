package cpu

import (
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"testing"

	"github.com/hone-ai/hone/kernels/ref"
)

// TestSumSquares: float64 accumulation over sizes around the kernel's
// blocks and vector widths, the same to the bit on any thread count.
func TestSumSquares(t *testing.T) {
	r := rand.New(rand.NewPCG(27, 28))
	for _, n := range []int{0, 1, 7, 8, 9, 65535, 65536, 65537, 300001} {
		x := ref.Randn(r, n, 1)
		want := ref.SumSquares(x)
		got := SumSquares(x)
		if math.Abs(got-want) > 1e-12*want {
			t.Fatalf("n %d: %g, want %g", n, got, want)
		}
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
		if one := SumSquares(x); one != got {
			t.Fatalf("n %d: %g on one thread, %g on all", n, one, got)
		}
		runtime.GOMAXPROCS(7)
		if seven := SumSquares(x); seven != got {
			t.Fatalf("n %d: %g on seven threads, %g on one", n, seven, got)
		}
	}
	// Where float32 accumulation would stall: 1e8 is 2^26.6 and float32
	// holds 24 bits, so adding ones to it would change nothing.
	x := make([]float32, 1<<20)
	for i := range x {
		x[i] = 1
	}
	x[0] = 1e4
	if got, want := SumSquares(x), 1e8+float64(len(x)-1); got != want {
		t.Errorf("sum of 1e8 and ones: %f, want %f", got, want)
	}
}

func TestElementwise(t *testing.T) {
	r := rand.New(rand.NewPCG(29, 30))
	for _, n := range []int{1, 9, 100003} {
		x, y := ref.Randn(r, n, 1), ref.Randn(r, n, 1)
		s := slices.Clone(x)
		Scale(s, -0.37)
		ref.CloseTo(t, "scale", s, ref.Scale(x, float64(float32(-0.37))), 1e-7)
		a := slices.Clone(x)
		Add(a, y)
		ref.CloseTo(t, "add", a, ref.Add(x, y), 1e-7)
	}
}

func TestBias(t *testing.T) {
	r := rand.New(rand.NewPCG(31, 32))
	for _, s := range [][2]int{{1, 1}, {3, 5}, {1000, 70}, {257, 576}} {
		n, c := s[0], s[1]
		out, b := ref.Randn(r, n*c, 1), ref.Randn(r, c, 1)
		got := slices.Clone(out)
		AddBias(got, b)
		ref.CloseTo(t, "add bias", got, ref.AddBias(out, b), 1e-7)

		dout, db := ref.Randn(r, n*c, 1), ref.Randn(r, c, 1)
		want := ref.BiasBackward(dout, c)
		for i := range want {
			want[i] += float64(db[i])
		}
		BiasBackward(db, dout)
		ref.CloseTo(t, "bias backward", db, want, 1e-6)

		rr := ref.Randn(r, n*c, 1)
		dbias := make([]float32, c)
		BiasBackward(dbias, rr)
		if n*c < 5000 {
			ref.GradCheck(t, "bias", b, dbias, func() float64 { o := slices.Clone(out); AddBias(o, b); return ref.DotLoss(o, rr) })
		}
	}
	defer func() {
		if recover() == nil {
			t.Error("rows that are not whole did not panic")
		}
	}()
	AddBias(make([]float32, 10), make([]float32, 3))
}
