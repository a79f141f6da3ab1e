//go:build !unix

package model

import "os"

// mmapFile does not map on this platform: blob reads with ReadAt instead.
func mmapFile(*os.File, int64) ([]byte, error) { return nil, nil }

func munmap([]byte) error { return nil }
