package cpu

// #include "kernels.h"
import "C"

// vexpPath sets y[i] = mul*exp(sx*x[i]+add) over len(x) (y may be nil) on
// the given code path and returns the sum of the exps; the kernels call the
// C function directly, this is for its tests.
func vexpPath(y, x []float32, sx, add, mul float32, path int) float32 {
	optional(len(x), y)
	return float32(C.vexp_path(fp(y), fp(x), C.float(sx), C.float(add), C.float(mul), C.int(len(x)), C.int(path)))
}

// vtanhPath sets y[i] = mul*tanh(sx*x[i]) over len(x) on the given code
// path, for its tests.
func vtanhPath(y, x []float32, sx, mul float32, path int) {
	need(len(x), y)
	C.vtanh_path(fp(y), fp(x), C.float(sx), C.float(mul), C.int(len(x)), C.int(path))
}
