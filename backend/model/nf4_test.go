package model

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestNF4Codes pins the code books to bitsandbytes' float32 values.
func TestNF4Codes(t *testing.T) {
	want := []uint32{0xbf800000, 0xbf3239b1, 0xbf066b30, 0xbeca32a0, 0xbe91a24d, 0xbe3d353f, 0xbdba7871, 0x0,
		0x3da2faff, 0x3e24cae3, 0x3e7c04dd, 0x3ead033a, 0x3ee1a4b8, 0x3f1007ab, 0x3f3913b3, 0x3f800000}
	for i, c := range NF4Code {
		if math.Float32bits(c) != want[i] {
			t.Errorf("NF4Code[%d] = %#x, want %#x", i, math.Float32bits(c), want[i])
		}
	}
	if !slices.IsSorted(DynamicMap[:]) || DynamicMap[255] != 1 || DynamicMap[0] != float32(-0.99296875) ||
		slices.Index(DynamicMap[:], 0) < 0 {
		t.Errorf("dynamic map: sorted, from -0.99296875 to 1 through 0: got %g..%g", DynamicMap[0], DynamicMap[255])
	}
}

// TestNF4Packing checks the nibble order and code choice on a block whose
// values sit exactly on codes (absmax 2): code i at element i.
func TestNF4Packing(t *testing.T) {
	w := make([]float32, 64)
	for i := range w {
		w[i] = 2 * NF4Code[i%16]
	}
	q, err := QuantizeNF4(w, 2, 32)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 8 {
		if want := byte(2*i%16)<<4 | byte(2*i+1)%16; q.Packed[i] != want {
			t.Fatalf("byte %d = %#x, want %#x (first value in the high nibble)", i, q.Packed[i], want)
		}
	}
	if got := q.Dequantize(); !slices.Equal(got, w) {
		t.Errorf("representable values changed: %v", got[:16])
	}
	// A value on a midpoint takes the lower code; just above, the upper.
	w[0] = 2 * nf4Mid[9]
	w[1] = 2 * math.Nextafter32(nf4Mid[9], 2)
	q, _ = QuantizeNF4(w, 2, 32)
	if q.Packed[0] != 0x9a {
		t.Errorf("midpoint codes %#x, want 0x9a", q.Packed[0])
	}
}

// TestNF4RoundTrip bounds the error: half the widest NF4 gap (-1 to -0.696: 0.152 of a
// block's absmax) plus the 8-bit absmax error (half the widest dynamic-map
// gap, 0.00703, of absmax2), over shapes whose blocks straddle rows and end
// short; re-quantising the result keeps every 4-bit code.
func TestNF4RoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, s := range [][2]int{{3, 20}, {64, 96}, {300, 70}, {1, 1}} {
		rows, cols := s[0], s[1]
		w := make([]float32, rows*cols)
		for i := range w {
			w[i] = float32(r.NormFloat64() * (0.5 + float64(i%7)))
		}
		q, err := QuantizeNF4(w, rows, cols)
		if err != nil {
			t.Fatal(err)
		}
		d := q.Dequantize()
		worst := 0.0
		for i, x := range w {
			b := i / NF4Block
			am := 0.0
			for _, y := range w[b*NF4Block : min(len(w), (b+1)*NF4Block)] {
				am = max(am, math.Abs(float64(y)))
			}
			bound := 0.1520*am + 0.00704*float64(q.Absmax2[b/NF4AbsmaxBlock]) + 1e-6
			e := math.Abs(float64(d[i] - x))
			if e > bound {
				t.Fatalf("%v: element %d: %g -> %g, error over %g", s, i, x, d[i], bound)
			}
			worst = max(worst, e/bound)
		}
		q2, _ := QuantizeNF4(d, rows, cols)
		if !slices.Equal(q.Packed, q2.Packed) {
			t.Errorf("%v: re-quantising changed 4-bit codes", s)
		}
		t.Logf("%v: %d bytes for %d values, worst error %.2f of the bound", s, q.Bytes(), len(w), worst)
	}
	if _, err := QuantizeNF4(make([]float32, 5), 2, 3); err == nil {
		t.Error("wrong size accepted")
	}
}

// TestNF4ZeroBlock: an all-zero block stays zero (code 7), not NaN.
func TestNF4ZeroBlock(t *testing.T) {
	w := make([]float32, 128)
	w[100] = 1
	q, _ := QuantizeNF4(w, 2, 64)
	if q.Packed[0] != 0x77 {
		t.Errorf("zero block packed %#x", q.Packed[0])
	}
	for i, x := range q.Dequantize() {
		if math.Abs(float64(x-w[i])) > 0.01 {
			t.Fatalf("element %d: %g, want %g", i, x, w[i])
		}
	}
}
