// Package datadir finds and checks the folder where Hone keeps its database,
// models, adapters and settings.
package datadir

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
)

// ErrNotWritable marks a data folder Hone cannot create or write to.
var ErrNotWritable = errors.New("data folder is not writable")

// Resolve picks the data folder: the --data-dir flag, else $HONE_HOME, else
// the platform's per-user data folder ($XDG_DATA_HOME/hone on Linux).
func Resolve(flag string, getenv func(string) string) (string, error) {
	if flag != "" {
		return filepath.Abs(flag)
	}
	if h := getenv("HONE_HOME"); h != "" {
		return filepath.Abs(h)
	}
	if runtime.GOOS == "linux" {
		if x := getenv("XDG_DATA_HOME"); x != "" {
			return filepath.Join(x, "hone"), nil
		}
		home, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("find the data folder: %w (set HONE_HOME or --data-dir)", err)
		}
		return filepath.Join(home, ".local", "share", "hone"), nil
	}
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("find the data folder: %w (set HONE_HOME or --data-dir)", err)
	}
	return filepath.Join(dir, "Hone"), nil
}

// Prepare creates dir if needed and proves it is writable by writing and
// removing a probe file, so a read-only folder fails now with a clear
// message rather than halfway through an import.
func Prepare(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("%w: %s: %w", ErrNotWritable, dir, err)
	}
	f, err := os.CreateTemp(dir, ".write-probe-*")
	if err != nil {
		return fmt.Errorf("%w: %s: %w", ErrNotWritable, dir, err)
	}
	name := f.Name()
	f.Close()
	if err := os.Remove(name); err != nil {
		return fmt.Errorf("%w: %s: %w", ErrNotWritable, dir, err)
	}
	return nil
}
