package engine

import (
	"slices"
	"testing"
)

func TestTensorViews(t *testing.T) {
	if _, err := FromData(make([]float32, 5), 2, 3); err == nil {
		t.Error("FromData took 5 values for shape [2 3]")
	}
	x, _ := FromData([]float32{0, 1, 2, 3, 4, 5}, 3, 2)
	r := x.Rows(1, 3)
	if !slices.Equal(r.Shape, []int{2, 2}) || !slices.Equal(r.Data, []float32{2, 3, 4, 5}) {
		t.Errorf("Rows(1,3) = %v %v", r.Shape, r.Data)
	}
	r.Reshape(4).Data[0] = 9 // views share storage
	if x.Data[2] != 9 || x.Dim(-1) != 2 || x.Dim(0) != 3 {
		t.Errorf("view did not write through: %v", x.Data)
	}
	defer func() {
		if recover() == nil {
			t.Error("Reshape to another size did not panic")
		}
	}()
	x.Reshape(4)
}
