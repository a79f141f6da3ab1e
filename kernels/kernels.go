// Package kernels is home to Hone's compute kernels: cpu/ (C, through cgo)
// and cuda/ (CUDA C compiled by nvcc into an embedded fatbin). The engine
// issue brings them; until then this binary computes nothing on a GPU.
package kernels

// CUDA reports whether this build carries the CUDA backend.
const CUDA = false
