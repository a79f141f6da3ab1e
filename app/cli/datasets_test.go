package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hone-ai/hone/backend/store"
)

// writeJSONL writes n prompt/completion rows, two labels, and one bad row.
func writeJSONL(t *testing.T, n int) string {
	t.Helper()
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, `{"prompt": "question %d about %s", "completion": "answer %d", "label": "%s"}`+"\n", i, []string{"cards", "loans"}[i%2], i, []string{"cards", "loans"}[i%2])
	}
	b.WriteString("{not json\n")
	path := filepath.Join(t.TempDir(), "questions.jsonl")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// The dataset commands end to end through core: import is a job recorded in
// the jobs table with the new dataset in its result, and the other commands
// find that dataset.
func TestDatasetCommands(t *testing.T) {
	home := t.TempDir()
	env := map[string]string{"HONE_HOME": home}
	file := writeJSONL(t, 40)

	code, out, errs := runHone(t, env, "import", file, "--name", "questions")
	if code != ExitOK || out != "dataset 1: questions, 40 examples, 1 rows skipped (jsonl, prompt-completion)\n" || !strings.Contains(errs, "questions.jsonl [") {
		t.Fatalf("import: exit %d, stdout %q, stderr %q", code, out, errs)
	}
	st, err := store.Open(context.Background(), filepath.Join(home, store.FileName))
	if err != nil {
		t.Fatal(err)
	}
	js, _ := st.Jobs(context.Background(), 10)
	st.Close()
	if len(js) != 1 || js[0].Kind != "import" || js[0].State != store.JobSucceeded ||
		string(js[0].Result) != `{"datasetId":1,"name":"questions","examples":40,"skipped":1,"format":"jsonl, prompt-completion"}` {
		t.Fatalf("jobs after import: %+v", js)
	}

	code, out, _ = runHone(t, env, "dataset", "show", "1", "--json")
	var shown struct {
		Report struct{ Examples int64 }
		Errors []struct{ Line int64 }
		Tokens *struct{}
	}
	if err := json.Unmarshal([]byte(out), &shown); code != ExitOK || err != nil || shown.Report.Examples != 40 || len(shown.Errors) != 1 || shown.Errors[0].Line != 41 || shown.Tokens != nil {
		t.Fatalf("show: exit %d, %v, %+v\n%s", code, err, shown, out)
	}
	code, out, _ = runHone(t, env, "dataset", "split", "1", "--eval", "0.25", "--seed", "7")
	if code != ExitOK || out != "dataset 2: questions (train), 30 examples\ndataset 3: questions (eval), 10 examples\n" {
		t.Fatalf("split: exit %d\n%s", code, out)
	}
	exported := filepath.Join(t.TempDir(), "eval.jsonl")
	code, out, _ = runHone(t, env, "dataset", "export", "3", "--out", exported)
	lines, _ := os.ReadFile(exported)
	if code != ExitOK || out != fmt.Sprintf("wrote 10 examples to %s\n", exported) || strings.Count(string(lines), "\n") != 10 {
		t.Fatalf("export: exit %d, %q, %d lines", code, out, strings.Count(string(lines), "\n"))
	}
	code, out, _ = runHone(t, env, "dataset", "mix", "2:1", "3:1", "--name", "both", "--json")
	var mixed []struct{ ID, Examples int64 }
	if json.Unmarshal([]byte(out), &mixed); code != ExitOK || len(mixed) != 1 || mixed[0].ID != 4 || mixed[0].Examples == 0 {
		t.Fatalf("mix: exit %d\n%s", code, out)
	}
	if code, _, errs := runHone(t, env, "dataset", "delete", "4"); code != ExitOK {
		t.Fatalf("delete: exit %d, %s", code, errs)
	}
	code, out, _ = runHone(t, env, "datasets", "--json")
	var ds []struct{ ID int64 }
	if json.Unmarshal([]byte(out), &ds); code != ExitOK || len(ds) != 3 {
		t.Fatalf("datasets after delete: exit %d\n%s", code, out)
	}
	code, _, errs = runHone(t, env, "dataset", "show", "4")
	if code != ExitError || !strings.Contains(errs, "4") {
		t.Errorf("show of a deleted dataset: exit %d, %s", code, errs)
	}
}

// A file that cannot be imported fails its job with the reason, which the
// command prints (exit 1), and --strict stops at the bad row.
func TestImportFailures(t *testing.T) {
	home := t.TempDir()
	env := map[string]string{"HONE_HOME": home}
	code, _, errs := runHone(t, env, "import", filepath.Join(t.TempDir(), "missing.jsonl"))
	if code != ExitError || !strings.Contains(errs, "missing.jsonl") {
		t.Errorf("missing file: exit %d, %s", code, errs)
	}
	code, _, errs = runHone(t, env, "import", "--strict", writeJSONL(t, 3))
	if code != ExitError || !strings.Contains(errs, "line 4") {
		t.Errorf("strict: exit %d, %s", code, errs)
	}
	st, _ := store.Open(context.Background(), filepath.Join(home, store.FileName))
	defer st.Close()
	js, _ := st.Jobs(context.Background(), 10)
	if len(js) != 2 || js[0].State != store.JobFailed || js[0].Error == "" || len(js[0].Result) != 0 {
		t.Errorf("failed import jobs %+v", js)
	}
}
