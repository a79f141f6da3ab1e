package cli

import (
	"os"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

// The README's command list is the usage text the table makes: a command
// added to the table and not to the README (or the reverse) fails here.
// After changing a command, paste `hone --help`'s list, unindented.
func TestREADMEListsTheCommandTable(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, after, ok := strings.Cut(string(b), "## Command line\n\n```\n")
	block, _, ok2 := strings.Cut(after, "```\n")
	if !ok || !ok2 {
		t.Fatal("README.md has no ``` block after ## Command line")
	}
	if want := Synopsis(); block != want {
		t.Errorf("README.md's command list differs from the table; want:\n%s", want)
	}
}

// Every command has --help, which prints its usage line and exits 0, and
// the root's help lists every visible command.
func TestEveryCommandHasHelp(t *testing.T) {
	var walk func(cmd *cobra.Command)
	paths := [][]string{}
	walk = func(cmd *cobra.Command) {
		if cmd.HasParent() {
			paths = append(paths, strings.Fields(cmdName(cmd)))
		}
		for _, sub := range cmd.Commands() {
			walk(sub)
		}
	}
	walk((&cli{}).table())
	if len(paths) < 17 {
		t.Fatalf("%d commands in the table, want at least 17", len(paths))
	}
	_, rootHelp, _ := runHone(t, nil, "--help")
	for _, p := range paths {
		code, out, errs := runHone(t, nil, append(p, "--help")...)
		path := "hone " + strings.Join(p, " ")
		if code != ExitOK || !strings.Contains(out, "Usage:\n  "+path) || errs != "" {
			t.Errorf("%s --help: exit %d, stdout %q, stderr %q", path, code, out, errs)
		}
		// Listed: all but the hidden job-run and the dataset and run groups, whose
		// subcommands have the lines.
		want := path != "hone job-run" && path != "hone dataset" && path != "hone run"
		if listed := listedPaths(rootHelp)[path]; listed != want {
			t.Errorf("%s: listed in hone --help = %v, want %v", path, listed, want)
		}
	}
	for _, args := range [][]string{{"help"}, {"-h"}, {"help", "dataset", "split"}} {
		code, out, _ := runHone(t, nil, args...)
		if code != ExitOK || !strings.Contains(out, "Usage:") {
			t.Errorf("%v: exit %d\n%s", args, code, out)
		}
	}
}

// Each subcommand takes its own flags and arguments only: a flag of another
// subcommand, a stray argument or a missing one is a usage error (exit 2)
// before anything is opened.
func TestUsageErrors(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"dataset", "delete", "3", "--eval", "0.5"}, "dataset delete: unknown flag: --eval"},
		{[]string{"dataset", "show", "3", "--out", "x.jsonl"}, "dataset show: unknown flag: --out"},
		{[]string{"doctor", "extra"}, "doctor: unexpected argument extra"},
		{[]string{"dataset", "show"}, "dataset show: name the dataset ID"},
		{[]string{"dataset", "show", "seven"}, `dataset show: "seven" is not a dataset ID`},
		{[]string{"dataset", "show", "1", "2"}, "dataset show: unexpected argument 2"},
		{[]string{"dataset", "export", "1"}, "dataset export: --out is required"},
		{[]string{"dataset", "fix", "1"}, "dataset fix: want ID and one of dedupe-exact"},
		{[]string{"dataset", "mix", "1:x"}, `dataset mix: "1:x": want ID:WEIGHT`},
		{[]string{"dataset"}, "dataset: want show, export, fix, split, mix or delete"},
		{[]string{"dataset", "shw", "1"}, `dataset: unknown subcommand "shw"`},
		{[]string{"import"}, "import: name at least one file"},
		{[]string{"import", "a.jsonl", "--eval", "0.2"}, "import: unknown flag: --eval"},
		{[]string{"models", "frob"}, `models: unknown subcommand "frob"`},
		{[]string{"models", "download"}, "models download: name the repository"},
		{[]string{"plan", "--seq", "many"}, `plan: invalid argument "many" for "--seq`},
		{[]string{"version", "2"}, "version: unexpected argument 2"},
		{[]string{"completion", "tcsh"}, `completion: unknown shell "tcsh"`},
		{[]string{"job-run"}, "job-run: --job is required"},
		{[]string{"dokter"}, `unknown command "dokter" (did you mean "doctor"?)`},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			home := t.TempDir()
			code, out, errs := runHone(t, map[string]string{"HONE_HOME": home}, tt.args...)
			if code != ExitUsage || !strings.Contains(errs, "hone: "+tt.want) || out != "" {
				t.Fatalf("exit %d, stdout %q, stderr %q; want exit 2 and %q", code, out, errs, tt.want)
			}
			if entries, _ := os.ReadDir(home); len(entries) != 0 {
				t.Errorf("a usage error touched the data folder: %v", entries)
			}
		})
	}
}

// listedPaths are the command paths of the usage lines in a help text: the
// words of a line before its first argument or flag.
func listedPaths(help string) map[string]bool {
	paths := map[string]bool{}
	for _, line := range strings.Split(help, "\n") {
		syn, _, _ := strings.Cut(strings.TrimSpace(line), "  ") // the description follows two spaces
		words := strings.Fields(syn)
		if len(words) == 0 || words[0] != "hone" {
			continue
		}
		n := 1
		for n < len(words) && strings.ToLower(words[n]) == words[n] && !strings.ContainsAny(words[n], "[-|") {
			n++
		}
		paths[strings.Join(words[:n], " ")] = true
	}
	return paths
}
