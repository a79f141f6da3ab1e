// Package fsutil writes files so that a crash, a kill -9 or a power cut
// leaves either the old file or the new one, never half of one: adapters,
// checkpoints and run records go through here. On Linux that takes a
// temporary file in the same folder, fsync, rename, and an fsync of the
// folder so that the rename itself survives.
package fsutil

import (
	"os"
	"path/filepath"
)

// WriteFile writes data to path atomically (see the package comment),
// with mode 0644.
func WriteFile(path string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp, 0o644)
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return err
	}
	return SyncDir(filepath.Dir(path))
}

// SyncDir flushes a folder's entries (a rename into it, a new file) to
// disk. Where folders cannot be opened for syncing (Windows) it does
// nothing: there a rename is already durable once it returns.
func SyncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return nil
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !os.IsPermission(err) {
		return err
	}
	return nil
}

// ReplaceDir moves the finished folder tmp to path atomically, replacing
// nothing (path must not exist), and makes the move durable.
func ReplaceDir(tmp, path string) error {
	if err := SyncDir(tmp); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		return err
	}
	return SyncDir(filepath.Dir(path))
}
