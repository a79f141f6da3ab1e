//go:build unix

package model

import (
	"math"
	"os"
	"syscall"
)

// mmapFile maps the whole file read-only; nil (read on demand) when it is
// too big for the address space.
func mmapFile(f *os.File, size int64) ([]byte, error) {
	if size > math.MaxInt {
		return nil, nil
	}
	return syscall.Mmap(int(f.Fd()), 0, int(size), syscall.PROT_READ, syscall.MAP_SHARED)
}

func munmap(b []byte) error { return syscall.Munmap(b) }
