//go:build race

package train

// raceBuild: the race detector's shadow memory multiplies a process's
// resident memory, so peaks measured under it are not the engine's.
const raceBuild = true
