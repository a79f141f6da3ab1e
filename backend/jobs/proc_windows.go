package jobs

import (
	"os"
	"syscall"
)

// Alive reports whether a process with this pid exists.
func Alive(pid int) bool {
	h, err := syscall.OpenProcess(syscall.PROCESS_QUERY_INFORMATION, false, uint32(pid))
	if err != nil {
		return false
	}
	defer syscall.CloseHandle(h)
	var code uint32
	const stillActive = 259
	return syscall.GetExitCodeProcess(h, &code) == nil && code == stillActive
}

// terminate: Windows has no SIGTERM to send; the child is killed.
func terminate(p *os.Process) error { return p.Kill() }

// signalled: no signals on Windows.
func signalled(*os.ProcessState) (string, bool) { return "", false }

// Stop ends the process pid (Windows has no SIGTERM to ask with).
func Stop(pid int) error {
	p, err := os.FindProcess(pid)
	if err != nil {
		return err
	}
	return terminate(p)
}
