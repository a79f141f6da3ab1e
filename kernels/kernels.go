// Package kernels is home to Hone's compute kernels: cpu/ (C through cgo,
// with AVX2/FMA picked at run time) and cuda/ (CUDA C compiled by nvcc into
// an embedded fatbin), which is not written yet. ref/ holds the plain Go
// reference of every op and the test helpers (random inputs, tolerances,
// gradient checks) that each backend's tests share: the ground truth.
package kernels

// CUDA reports whether this build carries the CUDA backend.
const CUDA = false
