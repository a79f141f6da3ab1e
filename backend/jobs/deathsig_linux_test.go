package jobs

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/hone-ai/hone/backend/store"
)

// parentEnvDB makes the test binary a parent (the window) that starts one
// waiting child job, prints the child's pid, and waits to be killed.
const parentEnvDB = "HONE_JOBS_TEST_PARENT_DB"

func parentMain(db string) int {
	ctx := context.Background()
	st, err := store.Open(ctx, db)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	child := func(id int64) *exec.Cmd {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), parentEnvDB+"=", childEnvJob+"="+strconv.FormatInt(id, 10), childEnvDB+"="+db)
		return cmd
	}
	r, err := NewRunner(ctx, st, &recorder{}, Options{Child: child, Kinds: testKinds()})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	id, err := r.StartChild(ctx, Spec{Kind: "wait"})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	for {
		if j, _ := st.Job(ctx, id); j.Message == "waiting" {
			fmt.Println(j.PID)
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	time.Sleep(time.Minute)
	return 0
}

// A parent that dies (the window crashing) takes its child with it: no
// training run is left holding the GPU with nobody to see it.
func TestChildDiesWithItsParent(t *testing.T) {
	parent := exec.Command(os.Args[0], "-test.run=^$")
	parent.Env = append(os.Environ(), parentEnvDB+"="+filepath.Join(t.TempDir(), store.FileName))
	out, err := parent.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := parent.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	childPID, perr := strconv.Atoi(strings.TrimSpace(line))
	if err != nil || perr != nil {
		parent.Process.Kill()
		t.Fatalf("parent printed %q: %v %v", line, err, perr)
	}
	if !procRunning(childPID) {
		t.Fatalf("child %d is not running before its parent dies", childPID)
	}
	parent.Process.Signal(syscall.SIGKILL)
	parent.Wait()
	waitFor(t, func() bool { return !procRunning(childPID) })
}

// procRunning reads the process's state from /proc: a zombie has ended.
func procRunning(pid int) bool {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	return i >= 0 && i+2 < len(s) && s[i+2] != 'Z'
}
