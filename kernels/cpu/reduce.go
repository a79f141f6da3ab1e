package cpu

// #include "kernels.h"
import "C"

import "fmt"

// SumSquares is the sum of x² accumulated in float64 (a gradient norm's
// square over one flat buffer of up to billions of values), vectorised and
// split over threads; the result does not depend on the thread count.
func SumSquares(x []float32) float64 {
	s := 0.0
	chunks(len(x), func(i, j int) { s += float64(C.sum_squares(fp(x[i:j]), C.int(j-i), threads())) })
	return s
}

// Scale sets x *= s elementwise.
func Scale(x []float32, s float32) {
	chunks(len(x), func(i, j int) { C.scale(fp(x[i:j]), C.float(s), C.int(j-i), threads()) })
}

// Add sets out += x elementwise.
func Add(out, x []float32) {
	need(len(out), x)
	chunks(len(out), func(i, j int) { C.add(fp(out[i:j]), fp(x[i:j]), C.int(j-i), threads()) })
}

// AddBias adds b to every row of out, whose rows have len(b) elements.
func AddBias(out, b []float32) {
	rows := biasRows(out, b)
	C.add_bias(fp(out), fp(b), C.int(rows), C.int(len(b)), threads())
}

// BiasBackward adds the column sums of dout, rows of len(db), into db: the
// gradient of a bias AddBias added. Each column sums in float64.
func BiasBackward(db, dout []float32) {
	rows := biasRows(dout, db)
	C.bias_backward(fp(db), fp(dout), C.int(rows), C.int(len(db)), threads())
}

// biasRows is the number of rows of len(b) in x, which must be whole.
func biasRows(x, b []float32) int {
	if len(b) == 0 || len(x)%len(b) != 0 {
		panic(fmt.Sprintf("cpu: %d values are not rows of a bias of %d", len(x), len(b)))
	}
	if len(x)/len(b) > chunk {
		panic(fmt.Sprintf("cpu: %d rows of a bias are more than the kernels count", len(x)/len(b)))
	}
	return len(x) / len(b)
}
