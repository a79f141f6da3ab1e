//go:build !linux

package jobs

import "syscall"

// childAttr: only Linux has a parent-death signal; elsewhere a child of a
// parent that died runs its job to the end and records it.
func childAttr() *syscall.SysProcAttr { return nil }
