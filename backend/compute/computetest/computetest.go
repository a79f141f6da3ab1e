// Package computetest is the conformance suite every compute.Device runs
// (backend/compute/devices runs it on each one this build carries): every
// op against the plain float64 references of kernels/ref, forward and
// backward, every weight format through MatMul, views and transfers, and
// the gradients by central differences taken through the device itself —
// llama.cpp's test-backend-ops in spirit. Bench times each op at the shapes
// a real model (SmolLM2-135M, 4×256 tokens) gives it. A new device (CUDA)
// passes this before any model test runs on it.
package computetest

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/hone-ai/hone/backend/compute"
	"github.com/hone-ai/hone/kernels/ref"
)

// Run runs every conformance test on dev, each as a subtest.
func Run(t *testing.T, dev compute.Device) {
	for _, c := range []struct {
		name string
		f    func(*testing.T, *env)
	}{
		{"Memory", testMemory},
		{"MatMul", testMatMul},
		{"MatMulFormats", testMatMulFormats},
		{"MatMulRows", testMatMulRows},
		{"MatMulAddT", testMatMulAddT},
		{"RMSNorm", testRMSNorm},
		{"RoPE", testRoPE},
		{"Attention", testAttention},
		{"Activations", testActivations},
		{"Embedding", testEmbedding},
		{"Elementwise", testElementwise},
		{"CrossEntropy", testCrossEntropy},
		{"AdamW", testAdamW},
	} {
		t.Run(c.name, func(t *testing.T) {
			c.f(t, &env{t: t, dev: dev, r: rand.New(rand.NewPCG(uint64(len(c.name)), 77))})
		})
	}
}

// env is one test's device, random source and transfer helpers.
type env struct {
	t   *testing.T
	dev compute.Device
	r   *rand.Rand
}

// randn is n normal values of standard deviation scale.
func (e *env) randn(n int, scale float64) []float32 { return ref.Randn(e.r, n, scale) }

// up puts a copy of x on the device.
func (e *env) up(x []float32, shape ...int) *compute.Tensor {
	return e.dev.FromHost(slices.Clone(x), shape...)
}

// ids puts int32 values on the device.
func (e *env) ids(x []int32) *compute.Tensor {
	t := e.dev.Alloc(compute.I32, len(x))
	e.dev.UploadI32(t, x)
	return t
}

// down copies t to the host after the queued ops ran.
func (e *env) down(t *compute.Tensor) []float32 {
	x := make([]float32, t.Len())
	e.dev.Download(x, t)
	if err := e.dev.Sync(); err != nil {
		e.t.Fatal(err)
	}
	return x
}

// near compares a device tensor with a reference.
func (e *env) near(name string, got *compute.Tensor, want []float64, tol float64) {
	e.t.Helper()
	ref.CloseTo(e.t, name, e.down(got), want, tol)
}

// plus is base + d elementwise: what a backward op that adds into a
// gradient holding base must give.
func plus(base []float32, d []float64) []float64 {
	y := make([]float64, len(d))
	for i := range d {
		y[i] = float64(base[i]) + d[i]
	}
	return y
}

// gradCheck checks, by central differences through the device, that grad
// is the gradient of the scalar loss() with respect to the host values x,
// which loss uploads each time it runs.
func (e *env) gradCheck(name string, x, grad []float32, loss func() float64) {
	e.t.Helper()
	ref.GradCheck(e.t, name, x, grad, loss)
}
