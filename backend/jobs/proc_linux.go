package jobs

import "syscall"

// childAttr makes the kernel kill a child when its parent dies, so that a
// crashed window leaves no training run holding the GPU. (Pdeathsig follows
// the thread that started the child; Go ends a thread only when a goroutine
// locked to it exits, which the runner's goroutines never are.)
func childAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
