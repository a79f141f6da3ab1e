// Package kernels is home to Hone's compute kernels: cpu/ (C through cgo,
// with AVX2/FMA picked at run time) and cuda/ (CUDA C compiled by nvcc into
// an embedded fatbin), which is not written yet.
package kernels

// CUDA reports whether this build carries the CUDA backend.
const CUDA = false
