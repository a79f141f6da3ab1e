package cli

import (
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// The usage text is made from the command table: a synopsis line per
// command, its arguments from its Use and its flags from its flag set, so
// it cannot drift from what the commands accept.

const (
	descColumn = 38  // where a command's description starts
	lineWidth  = 100 // where a long synopsis wraps
)

const helpFooter = `Every command takes --data-dir DIR and --help.
The data folder is --data-dir, else $HONE_HOME, else $XDG_DATA_HOME/hone
(~/.local/share/hone). HONE_FAKE_GPUS=2xrtx4090 replaces the real GPUs by
fake ones, for trying the app without the card; every report then says so.

Exit codes: 0 ok, 1 error, 2 usage, 3 data folder not writable,
4 database damaged, 5 database from a newer Hone.
`

// Synopsis is the list of commands, as `hone --help` and the README show it.
func Synopsis() string {
	var b strings.Builder
	root := (&cli{}).table()
	writeSynopsis(&b, root, true)
	return b.String()
}

// writeSynopsis writes the synopsis of cmd and, with deep, of every visible
// command below it.
func writeSynopsis(w io.Writer, cmd *cobra.Command, deep bool) {
	if _, group := cmd.Annotations[groupKey]; cmd.Runnable() && !cmd.Hidden && !group {
		writeEntry(w, synopsis(cmd), cmd.Short)
	}
	if !deep {
		return
	}
	for _, sub := range cmd.Commands() {
		if !sub.Hidden {
			writeSynopsis(w, sub, true)
		}
	}
}

// writeEntry writes a synopsis, wrapped, with the description beside it
// when it fits, else on the next line.
func writeEntry(w io.Writer, syn, desc string) {
	lines := wrap(syn)
	last := lines[len(lines)-1]
	if len(lines) == 1 && len(last) < descColumn-1 {
		fmt.Fprintf(w, "%-*s%s\n", descColumn, last, desc)
		return
	}
	for _, l := range lines {
		fmt.Fprintln(w, l)
	}
	fmt.Fprintf(w, "%*s%s\n", descColumn, "", desc)
}

// wrap breaks a synopsis before a word that would pass lineWidth; the
// continuation lines start under the command's first argument.
func wrap(syn string) []string {
	words := strings.Split(syn, " ")
	indent := 0
	for i, word := range words {
		if i > 0 && (strings.HasPrefix(word, "[") || strings.HasPrefix(word, "-") || strings.ToUpper(word) == word) {
			break
		}
		indent += len(word) + 1
	}
	var lines []string
	line := ""
	for _, word := range words {
		if line != "" && len(line)+1+len(word) > lineWidth {
			lines = append(lines, line)
			line = strings.Repeat(" ", indent) + word
			continue
		}
		if line != "" && strings.TrimSpace(line) != "" {
			line += " "
		}
		line += word
	}
	return append(lines, line)
}

// synopsis is one command's line: its path, its arguments and its flags.
func synopsis(cmd *cobra.Command) string {
	parts := []string{cmd.CommandPath()}
	if _, rest, ok := strings.Cut(cmd.Use, " "); ok {
		parts = append(parts, rest)
	}
	if !cmd.HasParent() {
		parts = append(parts, "[--data-dir DIR]")
	}
	localFlags(cmd).VisitAll(func(f *pflag.Flag) {
		if f.Hidden || f.Name == "help" {
			return
		}
		s := "--" + f.Name
		if name, _ := pflag.UnquoteUsage(f); name != "" {
			s += " " + name
		}
		if _, required := f.Annotations[requiredKey]; !required {
			s = "[" + s + "]"
		}
		parts = append(parts, s)
	})
	return strings.Join(parts, " ")
}

// help prints the help of hone or of one of its commands.
func help(cmd *cobra.Command, _ []string) {
	w := cmd.OutOrStdout()
	if !cmd.HasParent() {
		fmt.Fprintf(w, "%s\n\nUsage:\n", cmd.Long)
		var b strings.Builder
		writeSynopsis(&b, cmd, true)
		fmt.Fprint(w, indent(b.String()))
		fmt.Fprintf(w, "\n%s", helpFooter)
		return
	}
	about := cmd.Long
	if about == "" {
		about = strings.ToUpper(cmd.Short[:1]) + cmd.Short[1:] + "."
	}
	fmt.Fprintf(w, "%s\n\nUsage:\n", about)
	var b strings.Builder
	if _, group := cmd.Annotations[groupKey]; !group {
		for _, l := range wrap(synopsis(cmd)) {
			fmt.Fprintln(&b, l)
		}
	}
	for _, sub := range cmd.Commands() {
		if !sub.Hidden {
			writeSynopsis(&b, sub, true)
		}
	}
	fmt.Fprint(w, indent(b.String()))
	if fs := localFlags(cmd); fs.HasAvailableFlags() {
		fmt.Fprintf(w, "\nFlags:\n%s", withNewline(fs.FlagUsages()))
	}
	fmt.Fprintf(w, "\nGlobal flags:\n%s", withNewline(cmd.InheritedFlags().FlagUsages()))
}

// localFlags are a command's own flags, in the order they were defined.
func localFlags(cmd *cobra.Command) *pflag.FlagSet {
	fs := pflag.NewFlagSet(cmd.Name(), pflag.ContinueOnError)
	fs.SortFlags = false
	cmd.Flags().VisitAll(func(f *pflag.Flag) {
		if cmd.PersistentFlags().Lookup(f.Name) == nil && cmd.InheritedFlags().Lookup(f.Name) == nil {
			fs.AddFlag(f)
		}
	})
	return fs
}

func withNewline(s string) string { return strings.TrimSuffix(s, "\n") + "\n" }

func indent(s string) string {
	return "  " + strings.ReplaceAll(strings.TrimSuffix(s, "\n"), "\n", "\n  ") + "\n"
}
