package model

import (
	"errors"
	"fmt"
	"os"
	"sync"
)

// blob is a read-only weights file: memory-mapped where the OS allows, so
// tensors are paged in only when read, else read with ReadAt on demand.
type blob struct {
	path string
	size int64

	mu  sync.RWMutex // Close waits for reads in flight: a read of an unmapped region would crash
	f   *os.File     // nil once closed
	mem []byte       // the mapping, nil when not mapped
}

func openBlob(path string) (*blob, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	b := &blob{path: path, size: fi.Size(), f: f}
	if b.size > 0 {
		if b.mem, err = mmapFile(f, b.size); err != nil {
			f.Close()
			return nil, fmt.Errorf("map %s: %w", path, err)
		}
	}
	return b, nil
}

// read calls fn with the n bytes at off; fn must not keep the slice.
func (b *blob) read(off, n int64, fn func([]byte)) error {
	b.mu.RLock()
	defer b.mu.RUnlock()
	if b.f == nil {
		return fmt.Errorf("%s: %w", b.path, os.ErrClosed)
	}
	if off < 0 || n < 0 || off > b.size || n > b.size-off {
		return fmt.Errorf("%s: bytes %d..%d are past the end of the file (%d bytes)", b.path, off, off+n, b.size)
	}
	if b.mem != nil {
		fn(b.mem[off : off+n])
		return nil
	}
	buf := make([]byte, n)
	if _, err := b.f.ReadAt(buf, off); err != nil {
		return fmt.Errorf("read %s: %w", b.path, err)
	}
	fn(buf)
	return nil
}

func (b *blob) Close() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.f == nil {
		return nil
	}
	var err error
	if b.mem != nil {
		err = munmap(b.mem)
		b.mem = nil
	}
	err = errors.Join(err, b.f.Close())
	b.f = nil
	return err
}
