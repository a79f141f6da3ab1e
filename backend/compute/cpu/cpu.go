// Package cpu is the compute.Device of Hone's C kernels (kernels/cpu): host
// memory, ops run at once on the calling goroutine with the kernels' own
// thread pool, AVX2/AVX-512 chosen at run time. It is the reference device:
// every other device is tested against the same references it is
// (kernels/ref, through backend/compute/computetest).
package cpu

import (
	"fmt"
	"slices"

	"github.com/hone-ai/hone/backend/compute"
	"github.com/hone-ai/hone/backend/model"
	kcpu "github.com/hone-ai/hone/kernels/cpu"
)

// Device runs ops on the host CPU. The zero value is ready; it holds no
// state, so one may be shared by any number of models and goroutines.
type Device struct{}

// New returns the CPU device.
func New() *Device { return &Device{} }

var _ compute.Device = (*Device)(nil)

// Name is "cpu" and the widest SIMD path the matmul takes here.
func (*Device) Name() string {
	if kcpu.AVX2() {
		return "cpu (avx2)"
	}
	return "cpu"
}

// Buffers: one type per storage format, pointers so that tensors can
// compare them.
type (
	f32Buf    struct{ d []float32 }
	i32Buf    struct{ d []int32 }
	bf16Buf   struct{ d []uint16 }
	nf4Buf    struct{ w *kcpu.NF4 }
	packedBuf struct {
		t    kcpu.QType
		d    []byte
		fine bool
	}
)

func (b *f32Buf) Bytes() int  { return 4 * len(b.d) }
func (b *i32Buf) Bytes() int  { return 4 * len(b.d) }
func (b *bf16Buf) Bytes() int { return 2 * len(b.d) }
func (b *nf4Buf) Bytes() int {
	return len(b.w.Packed) + len(b.w.QAbsmax) + 4*len(b.w.Absmax2)
}
func (b *packedBuf) Bytes() int { return len(b.d) }

// f32 is t's elements; nil for a nil tensor (a skipped gradient).
func f32(t *compute.Tensor) []float32 {
	if t == nil {
		return nil
	}
	b, ok := t.Buffer().(*f32Buf)
	if !ok {
		panic(fmt.Sprintf("cpu: want an f32 tensor, got %s %v", t.DType(), t.Shape()))
	}
	return b.d[t.Offset() : t.Offset()+t.Len()]
}

func i32(t *compute.Tensor) []int32 {
	if t == nil {
		return nil
	}
	b, ok := t.Buffer().(*i32Buf)
	if !ok {
		panic(fmt.Sprintf("cpu: want an i32 tensor, got %s %v", t.DType(), t.Shape()))
	}
	return b.d[t.Offset() : t.Offset()+t.Len()]
}

func (*Device) Alloc(dt compute.DType, shape ...int) *compute.Tensor {
	n := compute.Numel(shape)
	switch dt {
	case compute.F32:
		return compute.Wrap(&f32Buf{make([]float32, n)}, dt, 0, shape...)
	case compute.I32:
		return compute.Wrap(&i32Buf{make([]int32, n)}, dt, 0, shape...)
	}
	panic(fmt.Sprintf("cpu: cannot allocate %s", dt))
}

func (*Device) FromHost(data []float32, shape ...int) *compute.Tensor {
	if compute.Numel(shape) != len(data) {
		panic(fmt.Sprintf("cpu: %d values do not make shape %v", len(data), shape))
	}
	return compute.Wrap(&f32Buf{data}, compute.F32, 0, shape...)
}

// UploadWeight keeps the host data as the weight's storage: the host is
// the device.
func (d *Device) UploadWeight(w compute.HostWeight) (*compute.Tensor, error) {
	n := w.Rows * w.Cols
	var buf compute.Buffer
	switch w.DType {
	case compute.F32:
		if len(w.F32) != n {
			return nil, fmt.Errorf("cpu: %d f32 values for a [%d %d] weight", len(w.F32), w.Rows, w.Cols)
		}
		buf = &f32Buf{w.F32}
	case compute.BF16:
		if len(w.BF16) != n {
			return nil, fmt.Errorf("cpu: %d bf16 values for a [%d %d] weight", len(w.BF16), w.Rows, w.Cols)
		}
		buf = &bf16Buf{w.BF16}
	case compute.NF4:
		q := w.NF4
		if q == nil || q.Rows != w.Rows || q.Cols != w.Cols {
			return nil, fmt.Errorf("cpu: NF4 weight is not [%d %d]", w.Rows, w.Cols)
		}
		buf = &nf4Buf{&kcpu.NF4{Packed: q.Packed, QAbsmax: q.QAbsmax, Absmax2: q.Absmax2, Offset: q.Offset,
			Code: &model.NF4Code, Map: &model.DynamicMap}}
	case compute.Q4_0, compute.Q4_1, compute.Q8_0:
		t, _ := kcpu.QTypeOf(w.DType.String())
		if w.Cols%32 != 0 || len(w.Blocks) != w.Rows*t.RowBytes(w.Cols) {
			return nil, fmt.Errorf("cpu: %d bytes of %s blocks for a [%d %d] weight", len(w.Blocks), w.DType, w.Rows, w.Cols)
		}
		buf = &packedBuf{t: t, d: w.Blocks, fine: w.Fine}
	default:
		return nil, fmt.Errorf("cpu: no matmul for %s weights", w.DType)
	}
	return compute.Wrap(buf, w.DType, 0, w.Rows, w.Cols), nil
}

// DownloadWeight copies the weight's storage out.
func (*Device) DownloadWeight(t *compute.Tensor) (compute.HostWeight, error) {
	w := compute.HostWeight{DType: t.DType(), Rows: t.Dim(0), Cols: t.Dim(1)}
	switch b := t.Buffer().(type) {
	case *f32Buf:
		w.F32 = slices.Clone(f32(t))
	case *bf16Buf:
		w.BF16 = slices.Clone(b.d)
	case *nf4Buf:
		w.NF4 = &model.NF4{Rows: w.Rows, Cols: w.Cols, Packed: slices.Clone(b.w.Packed), QAbsmax: slices.Clone(b.w.QAbsmax),
			Absmax2: slices.Clone(b.w.Absmax2), Offset: b.w.Offset}
	case *packedBuf:
		w.Blocks, w.Fine = slices.Clone(b.d), b.fine
	default:
		return w, fmt.Errorf("cpu: %s tensor is not a weight", t.DType())
	}
	return w, nil
}

func (*Device) Upload(t *compute.Tensor, src []float32) { copyN(f32(t), src) }

func (*Device) UploadI32(t *compute.Tensor, src []int32) {
	dst := i32(t)
	if len(dst) != len(src) {
		panic(fmt.Sprintf("cpu: upload of %d values into %v", len(src), t.Shape()))
	}
	copy(dst, src)
}

func (*Device) Download(dst []float32, t *compute.Tensor) { copyN(dst, f32(t)) }

func copyN(dst, src []float32) {
	if len(dst) != len(src) {
		panic(fmt.Sprintf("cpu: copy of %d values into %d", len(src), len(dst)))
	}
	copy(dst, src)
}

func (*Device) Zero(t *compute.Tensor) {
	if t.DType() == compute.I32 {
		clear(i32(t))
		return
	}
	clear(f32(t))
}

func (*Device) Copy(dst, src *compute.Tensor) {
	if dst.DType() == compute.I32 {
		copy(i32(dst), i32(src))
		return
	}
	copyN(f32(dst), f32(src))
}

// Sync has nothing to wait for: every op has run when it returns.
func (*Device) Sync() error { return nil }
