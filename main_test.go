package main

import (
	"bytes"
	"context"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hone-ai/hone/app/cli"
)

// main hands the command line to app/cli with this binary's version.
func TestRunIsTheCommandLine(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"version"}, &out, &errb, func(string) string { return "" }); code != cli.ExitOK || out.String() != "hone "+version+"\n" {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, out.String(), errb.String())
	}
}

// The plain `go build .` binary is the one for servers: it must start and
// run its commands with no GTK or WebKit linked.
func TestHeadlessBuildLinksNoDesktopLibraries(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := filepath.Join(t.TempDir(), "hone")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	out, err := exec.Command("ldd", bin).CombinedOutput()
	if err != nil && !strings.Contains(string(out), "not a dynamic executable") {
		t.Fatalf("ldd: %v\n%s", err, out)
	}
	for _, lib := range []string{"gtk", "webkit", "gdk", "glib"} {
		if strings.Contains(string(out), lib) {
			t.Errorf("headless binary links %s:\n%s", lib, out)
		}
	}
	cmd := exec.Command(bin)
	msg, err := cmd.CombinedOutput()
	if cmd.ProcessState.ExitCode() != cli.ExitUsage || !strings.Contains(string(msg), "headless build") {
		t.Errorf("no-argument run: %v %s", err, msg)
	}
}
