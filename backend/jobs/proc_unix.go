//go:build unix

package jobs

import (
	"errors"
	"fmt"
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// Alive reports whether a process with this pid exists (signal 0 checks
// without sending anything; EPERM means it exists under another user).
func Alive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}

// terminate asks a child to stop: its SIGTERM handler cancels the work.
func terminate(p *os.Process) error { return p.Signal(syscall.SIGTERM) }

// signalled names the signal that killed a process: "signal 9 (SIGKILL)".
func signalled(ps *os.ProcessState) (string, bool) {
	ws, ok := ps.Sys().(syscall.WaitStatus)
	if !ok || !ws.Signaled() {
		return "", false
	}
	return fmt.Sprintf("signal %d (%s)", int(ws.Signal()), unix.SignalName(ws.Signal())), true
}

// Stop asks the process pid — a child of another Hone (the window's run,
// stopped from the command line) — to stop, as Cancel does its own.
func Stop(pid int) error {
	p, err := os.FindProcess(pid)
	if err != nil {
		return err
	}
	return terminate(p)
}
