package dataset

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/hone-ai/hone/backend/store"
)

// The child half of TestKilledImport: import until killed.
func importUntilKilled(t *testing.T) {
	st, err := store.Open(context.Background(), os.Getenv("HONE_KILL_DB"))
	if err != nil {
		t.Fatal(err)
	}
	Import(context.Background(), st, os.Getenv("HONE_KILL_FILE"), ImportOptions{}, func(p Progress) {
		fmt.Println("rows", p.Rows)
	})
	time.Sleep(time.Hour) // the parent kills us before
}

// A process killed in the middle of an import leaves an invisible dataset
// that the next start removes, and a database that passes integrity_check.
func TestKilledImport(t *testing.T) {
	if os.Getenv("HONE_KILL_DB") != "" {
		importUntilKilled(t)
		return
	}
	if testing.Short() {
		t.Skip("imports a large file in a child process")
	}
	dir := t.TempDir()
	db, file := filepath.Join(dir, store.FileName), filepath.Join(dir, "big.jsonl")
	f, _ := os.Create(file)
	w := bufio.NewWriter(f)
	for i := range 400000 {
		fmt.Fprintf(w, chat, fmt.Sprint("question number ", i), "an answer long enough to take some room in the file")
	}
	w.Flush()
	f.Close()

	cmd := exec.Command(os.Args[0], "-test.run=^TestKilledImport$")
	cmd.Env = append(os.Environ(), "HONE_KILL_DB="+db, "HONE_KILL_FILE="+file)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Kill once a few batches are committed, well before the end.
	sc := bufio.NewScanner(out)
	killed := false
	for sc.Scan() {
		var rows int
		if _, err := fmt.Sscanf(sc.Text(), "rows %d", &rows); err == nil && rows > 3*txRows {
			cmd.Process.Kill()
			killed = true
			break
		}
	}
	cmd.Wait()
	if !killed {
		t.Fatal("the import ended before it could be killed")
	}

	st, err := store.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var committed int
	st.DB.Raw("SELECT count(*) FROM examples").Scan(&committed)
	if committed == 0 {
		t.Fatal("nothing was committed before the kill: the test proves nothing")
	}
	if ds, _ := List(context.Background(), st); len(ds) != 0 {
		t.Fatalf("a half import is visible: %+v", ds)
	}
	n, err := Cleanup(context.Background(), st)
	if err != nil || n != 1 {
		t.Fatalf("cleanup removed %d datasets: %v", n, err)
	}
	var left int
	st.DB.Raw("SELECT count(*) FROM examples").Scan(&left)
	var check string
	st.DB.Raw("PRAGMA integrity_check").Scan(&check)
	if left != 0 || check != "ok" {
		t.Fatalf("after cleanup: %d example rows left, integrity_check %q", left, check)
	}
	t.Logf("killed after %d committed rows; cleaned", committed)
}
