package compute

import "fmt"

// Buffer is a device's storage behind tensors: each Device type-asserts its
// own. Bytes is its size, for memory accounting.
type Buffer interface {
	Bytes() int
}

// Tensor is a shaped view of a device Buffer. Views (Rows, Reshape, Slice)
// share the buffer of the tensor they come from. For F32, I32 and BF16 the
// view starts at element Offset; a weight in a block format (NF4, GGUF) is
// always whole, and its shape is the logical [rows, cols] of the matrix.
type Tensor struct {
	shape []int
	dtype DType
	buf   Buffer
	off   int
}

// Wrap makes a tensor over a device's buffer; only Device implementations
// call it.
func Wrap(buf Buffer, dt DType, off int, shape ...int) *Tensor {
	return &Tensor{shape: shape, dtype: dt, buf: buf, off: off}
}

// Buffer is the storage, for the Device that made it.
func (t *Tensor) Buffer() Buffer { return t.buf }

// Offset is the first element of the view in its buffer.
func (t *Tensor) Offset() int { return t.off }

// DType is how the values are stored.
func (t *Tensor) DType() DType { return t.dtype }

// Shape is the tensor's shape; do not modify it.
func (t *Tensor) Shape() []int { return t.shape }

// Len is the number of elements.
func (t *Tensor) Len() int { return Numel(t.shape) }

// Dim is the size of dimension i, counting from the end when negative.
func (t *Tensor) Dim(i int) int {
	if i < 0 {
		i += len(t.shape)
	}
	return t.shape[i]
}

// Numel is the number of elements of a shape.
func Numel(shape []int) int {
	n := 1
	for _, d := range shape {
		n *= d
	}
	return n
}

// whole panics for a block-format weight, which has no element views.
func (t *Tensor) view() {
	if t.dtype != F32 && t.dtype != I32 && t.dtype != BF16 {
		panic(fmt.Sprintf("compute: no views of a %s tensor", t.dtype))
	}
}

// Rows is the view of rows [i, j) along the first dimension.
func (t *Tensor) Rows(i, j int) *Tensor {
	t.view()
	if i < 0 || j < i || j > t.shape[0] {
		panic(fmt.Sprintf("compute: rows [%d,%d) of %v", i, j, t.shape))
	}
	row := t.Len() / t.shape[0]
	return &Tensor{shape: append([]int{j - i}, t.shape[1:]...), dtype: t.dtype, buf: t.buf, off: t.off + i*row}
}

// Reshape is a view with another shape of the same size.
func (t *Tensor) Reshape(shape ...int) *Tensor {
	if Numel(shape) != t.Len() {
		panic(fmt.Sprintf("compute: cannot reshape %v to %v", t.shape, shape))
	}
	return &Tensor{shape: shape, dtype: t.dtype, buf: t.buf, off: t.off}
}

// Slice is the view of elements [i, i+numel(shape)) of a flat tensor, with
// the given shape.
func (t *Tensor) Slice(i int, shape ...int) *Tensor {
	t.view()
	if i < 0 || i+Numel(shape) > t.Len() {
		panic(fmt.Sprintf("compute: slice %v at %d of %v", shape, i, t.shape))
	}
	return &Tensor{shape: shape, dtype: t.dtype, buf: t.buf, off: t.off + i}
}

// Rebind points t at the storage of v, which must have t's shape and dtype,
// so that everything holding t now sees v's memory: how parameters move
// into one flat buffer after they were created one by one.
func (t *Tensor) Rebind(v *Tensor) {
	if v.dtype != t.dtype || Numel(v.shape) != t.Len() {
		panic(fmt.Sprintf("compute: rebind %s %v to %s %v", t.dtype, t.shape, v.dtype, v.shape))
	}
	t.buf, t.off = v.buf, v.off
}

// Same reports whether a and b view the same elements of one buffer.
func Same(a, b *Tensor) bool {
	return a.buf == b.buf && a.off == b.off && a.Len() == b.Len()
}
