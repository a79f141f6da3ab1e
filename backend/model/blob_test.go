package model

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// TestBlobRead covers both ways a blob reads: from the mapping, and with
// ReadAt as on platforms without mmap.
func TestBlobRead(t *testing.T) {
	data := []byte("0123456789abcdef")
	path := writeFile(t, filepath.Join(t.TempDir(), "w.bin"), data)
	for _, mapped := range []bool{true, false} {
		b, err := openBlob(path)
		if err != nil {
			t.Fatal(err)
		}
		if !mapped && b.mem != nil {
			if err := munmap(b.mem); err != nil {
				t.Fatal(err)
			}
			b.mem = nil
		}
		var got []byte
		if err := b.read(4, 6, func(p []byte) { got = bytes.Clone(p) }); err != nil || string(got) != "456789" {
			t.Errorf("mapped=%v: %q %v", mapped, got, err)
		}
		if err := b.read(10, 7, func([]byte) {}); err == nil {
			t.Errorf("mapped=%v: read past the end did not fail", mapped)
		}
		if err := b.Close(); err != nil {
			t.Fatal(err)
		}
		if err := b.read(0, 1, func([]byte) {}); !errors.Is(err, os.ErrClosed) {
			t.Errorf("mapped=%v: read after Close: %v", mapped, err)
		}
		if err := b.Close(); err != nil {
			t.Errorf("second Close: %v", err)
		}
	}
}
