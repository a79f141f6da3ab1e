package computetest

import (
	"slices"
	"testing"

	"github.com/hone-ai/hone/backend/compute"
)

// testMemory: allocation is zeroed, transfers round-trip, views read and
// write the elements they name, Zero and Copy act on views only, Rebind
// moves a tensor onto other storage, and weights come back as they went in.
func testMemory(t *testing.T, e *env) {
	dev := e.dev
	a := dev.Alloc(compute.F32, 3, 4)
	if got := e.down(a); slices.ContainsFunc(got, func(v float32) bool { return v != 0 }) {
		t.Fatalf("Alloc not zeroed: %v", got)
	}
	x := e.randn(12, 1)
	dev.Upload(a, x)
	if got := e.down(a); !slices.Equal(got, x) {
		t.Fatalf("Upload/Download: %v, want %v", got, x)
	}
	if got := e.down(a.Rows(1, 3)); !slices.Equal(got, x[4:12]) {
		t.Errorf("Rows(1,3) = %v, want %v", got, x[4:12])
	}
	if got := e.down(a.Slice(5, 2, 3)); !slices.Equal(got, x[5:11]) {
		t.Errorf("Slice(5, 2×3) = %v, want %v", got, x[5:11])
	}
	dev.Zero(a.Rows(1, 2))
	want := slices.Clone(x)
	clear(want[4:8])
	if got := e.down(a); !slices.Equal(got, want) {
		t.Errorf("Zero of row 1 gave %v, want %v", got, want)
	}
	b := e.up(e.randn(4, 1), 4)
	dev.Copy(a.Rows(2, 3), b)
	copy(want[8:12], e.down(b))
	if got := e.down(a.Reshape(12)); !slices.Equal(got, want) {
		t.Errorf("Copy into row 2 gave %v, want %v", got, want)
	}
	// Rebind: a tensor moved into a flat buffer reads and writes it.
	flat := dev.Alloc(compute.F32, 20)
	v := flat.Slice(8, 3, 4)
	dev.Copy(v, a)
	a.Rebind(v)
	dev.Scale(a, 2)
	got := e.down(flat)
	for i := range 12 {
		if got[8+i] != 2*want[i] {
			t.Fatalf("rebound tensor: flat[%d] = %v, want %v", 8+i, got[8+i], 2*want[i])
		}
	}
	if slices.ContainsFunc(got[:8], func(v float32) bool { return v != 0 }) {
		t.Errorf("rebound tensor wrote outside its slice: %v", got)
	}
	ids := e.ids([]int32{3, -1, 7})
	if ids.DType() != compute.I32 || ids.Len() != 3 {
		t.Errorf("I32 tensor %s %v", ids.DType(), ids.Shape())
	}
	for _, w := range []compute.HostWeight{
		{DType: compute.F32, Rows: 2, Cols: 32, F32: e.randn(64, 1)},
		{DType: compute.BF16, Rows: 2, Cols: 32, BF16: toBF16(e.randn(64, 1))},
		{DType: compute.Q8_0, Rows: 2, Cols: 32, Blocks: quantizeQ8(e.randn(64, 1)), Fine: true},
	} {
		up, err := dev.UploadWeight(w)
		if err != nil {
			t.Fatal(err)
		}
		back, err := dev.DownloadWeight(up)
		if err != nil {
			t.Fatal(err)
		}
		if back.DType != w.DType || back.Rows != w.Rows || back.Cols != w.Cols || back.Fine != w.Fine ||
			!slices.Equal(back.F32, w.F32) || !slices.Equal(back.BF16, w.BF16) || !slices.Equal(back.Blocks, w.Blocks) {
			t.Errorf("%s weight did not come back as it went in", w.DType)
		}
	}
	if _, err := dev.UploadWeight(compute.HostWeight{DType: compute.BF16, Rows: 2, Cols: 32, BF16: make([]uint16, 63)}); err == nil {
		t.Error("a bf16 weight of the wrong size was accepted")
	}
	if err := dev.Sync(); err != nil {
		t.Errorf("Sync: %v", err)
	}
}
