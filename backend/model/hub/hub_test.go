package hub

import (
	"bytes"
	"context"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func randomBytes(n int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, 2))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

// smolRepo is a model repo with the files a Hugging Face model has.
func smolRepo() *fakeRepo {
	return &fakeRepo{
		commit: "a8f7c52b4e0d1f3c6b9e2a5d8f1c4b7e0a3d6f9c",
		files: map[string][]byte{
			".gitattributes":                    []byte("*.safetensors filter=lfs\n"),
			"README.md":                         []byte("# SmolLM2\n"),
			"config.json":                       []byte(`{"model_type": "llama"}`),
			"generation_config.json":            []byte(`{"bos_token_id": 1}`),
			"model.safetensors":                 randomBytes(3<<20+17, 1),
			"tokenizer.json":                    randomBytes(50000, 2),
			"tokenizer_config.json":             []byte(`{"chat_template": "{{ x }}"}`),
			"special_tokens_map.json":           []byte(`{}`),
			"onnx/model.onnx":                   randomBytes(1000, 3),
			"original/consolidated.safetensors": randomBytes(1000, 4),
		},
		lfs: map[string]bool{"model.safetensors": true, "tokenizer.json": true, "onnx/model.onnx": true, "original/consolidated.safetensors": true},
	}
}

var wantFiles = []string{"config.json", "generation_config.json", "model.safetensors", "special_tokens_map.json", "tokenizer.json", "tokenizer_config.json"}

// checkDir checks that dir holds exactly the repo's files named in want.
func checkDir(t *testing.T, dir string, repo *fakeRepo, want []string) {
	t.Helper()
	var got []string
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(dir, p)
			got = append(got, filepath.ToSlash(rel))
		}
		return nil
	})
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Fatalf("folder holds %v, want %v", got, want)
	}
	for _, name := range want {
		data, _ := os.ReadFile(filepath.Join(dir, name))
		if !bytes.Equal(data, repo.files[name]) {
			t.Errorf("%s differs from the hub's", name)
		}
	}
}

func TestDownload(t *testing.T) {
	hub := newFakeHub(t)
	repo := smolRepo()
	hub.repos["HuggingFaceTB/SmolLM2-135M"] = repo
	dir := t.TempDir()
	var events []Progress
	err := Download(context.Background(), Options{Endpoint: hub.URL, Repo: "HuggingFaceTB/SmolLM2-135M", Dir: dir},
		func(p Progress) { events = append(events, p) })
	if err != nil {
		t.Fatal(err)
	}
	checkDir(t, dir, repo, wantFiles)

	var total int64
	for _, f := range wantFiles {
		total += int64(len(repo.files[f]))
	}
	last := events[len(events)-1]
	if last.Done != total || last.Total != total {
		t.Errorf("last event %+v, want done = total = %d", last, total)
	}
	for i, e := range events {
		if e.Total != total || e.FileDone > e.FileSize || i > 0 && e.Done < events[i-1].Done {
			t.Fatalf("event %d %+v after %+v", i, e, events[max(i-1, 0)])
		}
	}
	seen := map[string]bool{}
	for _, e := range events {
		seen[e.File] = true
	}
	if len(seen) != len(wantFiles) {
		t.Errorf("events for %d files, want %d", len(seen), len(wantFiles))
	}
	// Files come from the commit the revision resolved to.
	for _, r := range hub.requests {
		if strings.Contains(r.path, "/resolve/") && !strings.Contains(r.path, "/resolve/"+repo.commit+"/") {
			t.Errorf("request %s is not pinned to the commit", r.path)
		}
	}

	// A second run finds everything in place and fetches nothing.
	n := len(hub.requests)
	if err := Download(context.Background(), Options{Endpoint: hub.URL, Repo: "HuggingFaceTB/SmolLM2-135M", Dir: dir}, nil); err != nil {
		t.Fatal(err)
	}
	if len(hub.requests) != n+1 {
		t.Errorf("second run made %d requests, want 1 (the model info)", len(hub.requests)-n)
	}
}

func TestDownloadPatternsAndRevision(t *testing.T) {
	hub := newFakeHub(t)
	repo := smolRepo()
	hub.repos["org/m"] = repo
	dir := t.TempDir()
	err := Download(context.Background(), Options{Endpoint: hub.URL + "/", Repo: "org/m", Revision: repo.commit, Dir: dir, Files: []string{"onnx/*", "README.md"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	checkDir(t, dir, repo, []string{"README.md", "onnx/model.onnx"})

	err = Download(context.Background(), Options{Endpoint: hub.URL, Repo: "org/m", Dir: t.TempDir(), Files: []string{"*.gguf"}}, nil)
	if err == nil || !strings.Contains(err.Error(), "org/m at main has no files matching *.gguf") {
		t.Errorf("no match: %v", err)
	}
	err = Download(context.Background(), Options{Endpoint: hub.URL, Repo: "org/m", Revision: "v9", Dir: t.TempDir()}, nil)
	if err == nil || !strings.Contains(err.Error(), `revision "v9" not found in org/m`) {
		t.Errorf("bad revision: %v", err)
	}
	err = Download(context.Background(), Options{Endpoint: hub.URL, Repo: "org/m", Dir: t.TempDir(), Files: []string{"["}}, nil)
	if err == nil || !strings.Contains(err.Error(), `file pattern "["`) {
		t.Errorf("bad pattern: %v", err)
	}
}

// TestDownloadResume cuts the connection in the middle of the big file:
// Download asks for the rest with a Range and ends with the right bytes.
func TestDownloadResume(t *testing.T) {
	hub := newFakeHub(t)
	repo := smolRepo()
	hub.repos["org/m"] = repo
	hub.cut["model.safetensors"] = 1 << 20
	dir := t.TempDir()
	if err := Download(context.Background(), Options{Endpoint: hub.URL, Repo: "org/m", Dir: dir}, nil); err != nil {
		t.Fatal(err)
	}
	checkDir(t, dir, repo, wantFiles)
	var ranges []string
	for _, r := range hub.requests {
		if strings.HasSuffix(r.path, "/model.safetensors") {
			ranges = append(ranges, r.rangeHeader)
		}
	}
	// resolve + CDN, twice: whole file, then the rest.
	if want := []string{"", "", "bytes=1048576-", "bytes=1048576-"}; !slices.Equal(ranges, want) {
		t.Errorf("requests for the file had ranges %q, want %q", ranges, want)
	}
}

// TestDownloadRetry retries a file the hub is briefly unable to serve.
func TestDownloadRetry(t *testing.T) {
	hub := newFakeHub(t)
	repo := smolRepo()
	hub.repos["org/m"] = repo
	hub.unavailable = 1
	dir := t.TempDir()
	if err := Download(context.Background(), Options{Endpoint: hub.URL, Repo: "org/m", Dir: dir}, nil); err != nil {
		t.Fatal(err)
	}
	checkDir(t, dir, repo, wantFiles)
}

// TestDownloadResumeLater continues a partial file left by an earlier run,
// hashing what is already on disk.
func TestDownloadResumeLater(t *testing.T) {
	for _, noRange := range []bool{false, true} {
		hub := newFakeHub(t)
		hub.noRange = noRange
		repo := smolRepo()
		hub.repos["org/m"] = repo
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "model.safetensors.incomplete"), repo.files["model.safetensors"][:12345], 0o644); err != nil {
			t.Fatal(err)
		}
		if err := Download(context.Background(), Options{Endpoint: hub.URL, Repo: "org/m", Dir: dir}, nil); err != nil {
			t.Fatalf("noRange=%v: %v", noRange, err)
		}
		checkDir(t, dir, repo, wantFiles)
		if !slices.ContainsFunc(hub.requests, func(r fakeRequest) bool { return r.rangeHeader == "bytes=12345-" }) {
			t.Errorf("noRange=%v: no request for the rest of the file", noRange)
		}
	}

	// A partial file that is not a prefix of the real one fails the hash
	// and is removed, so the next run starts clean.
	hub := newFakeHub(t)
	repo := smolRepo()
	hub.repos["org/m"] = repo
	dir := t.TempDir()
	part := filepath.Join(dir, "model.safetensors.incomplete")
	os.WriteFile(part, []byte("garbage"), 0o644)
	err := Download(context.Background(), Options{Endpoint: hub.URL, Repo: "org/m", Dir: dir}, nil)
	if err == nil || !strings.Contains(err.Error(), "does not match the hub's") {
		t.Fatalf("garbage prefix: %v", err)
	}
	if _, err := os.Stat(part); !os.IsNotExist(err) {
		t.Error("the bad partial file was kept")
	}
	if err := Download(context.Background(), Options{Endpoint: hub.URL, Repo: "org/m", Dir: dir}, nil); err != nil {
		t.Fatal(err)
	}
	checkDir(t, dir, repo, wantFiles)
}

func TestDownloadWrongHash(t *testing.T) {
	hub := newFakeHub(t)
	repo := smolRepo()
	repo.wrong = map[string]string{"model.safetensors": strings.Repeat("ab", 32)}
	hub.repos["org/m"] = repo
	dir := t.TempDir()
	err := Download(context.Background(), Options{Endpoint: hub.URL, Repo: "org/m", Dir: dir}, nil)
	if err == nil || !strings.Contains(err.Error(), "model.safetensors: sha256 ") || !strings.Contains(err.Error(), "does not match the hub's abab") {
		t.Fatalf("error %v", err)
	}
	for _, name := range []string{"model.safetensors", "model.safetensors.incomplete"} {
		if _, err := os.Stat(filepath.Join(dir, name)); !os.IsNotExist(err) {
			t.Errorf("%s was kept", name)
		}
	}

	// A small (non-LFS) file is checked against its git blob id.
	repo.wrong = map[string]string{"config.json": strings.Repeat("cd", 20)}
	dir = t.TempDir()
	err = Download(context.Background(), Options{Endpoint: hub.URL, Repo: "org/m", Dir: dir}, nil)
	if err == nil || !strings.Contains(err.Error(), "config.json: git blob hash ") || !strings.Contains(err.Error(), "does not match the hub's cdcd") {
		t.Fatalf("error %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "config.json")); !os.IsNotExist(err) {
		t.Error("config.json was kept")
	}
}

func TestDownloadAccess(t *testing.T) {
	hub := newFakeHub(t)
	private := smolRepo()
	private.private, private.token = true, "hf_secret"
	hub.repos["org/private"] = private
	gated := smolRepo()
	gated.gated, gated.token = true, "hf_ok"
	hub.repos["meta-llama/Llama-3.2-1B"] = gated

	tests := []struct {
		repo, token, wantErr string
	}{
		{"org/private", "", "hub: repo org/private not found or private: pass a token (hub: Repository not found)"},
		{"org/private", "hf_wrong", "repo org/private not found, or the token is invalid or cannot read it"},
		{"org/missing", "", "repo org/missing not found or private: pass a token"},
		{"meta-llama/Llama-3.2-1B", "", "meta-llama/Llama-3.2-1B is gated: accept its terms on the hub, then pass a token of that account"},
		{"bad repo", "", `"bad repo" is not a repo id`},
		{"org/../x", "", "is not a repo id"},
	}
	for _, tc := range tests {
		err := Download(context.Background(), Options{Endpoint: hub.URL, Repo: tc.repo, Token: tc.token, Dir: t.TempDir()}, nil)
		if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
			t.Errorf("%s with %q: error %v, want %q", tc.repo, tc.token, err, tc.wantErr)
		}
	}

	dir := t.TempDir()
	n := len(hub.requests)
	if err := Download(context.Background(), Options{Endpoint: hub.URL, Repo: "org/private", Token: "hf_secret", Dir: dir}, nil); err != nil {
		t.Fatal(err)
	}
	checkDir(t, dir, private, wantFiles)
	for _, r := range hub.requests[n:] {
		if !strings.HasPrefix(r.path, "/cdn/") && r.auth != "Bearer hf_secret" {
			t.Errorf("request %s sent Authorization %q", r.path, r.auth)
		}
	}
	if !slices.ContainsFunc(hub.requests, func(r fakeRequest) bool {
		return strings.HasPrefix(r.path, "/api/models/org/private/") && r.auth == "Bearer hf_secret"
	}) {
		t.Error("the model info request carried no token")
	}
}

func TestDownloadUnsafeNames(t *testing.T) {
	hub := newFakeHub(t)
	repo := smolRepo()
	repo.files["../evil.json"] = []byte("x")
	hub.repos["org/m"] = repo
	err := Download(context.Background(), Options{Endpoint: hub.URL, Repo: "org/m", Dir: t.TempDir(), Files: []string{"../*"}}, nil)
	if err == nil || !strings.Contains(err.Error(), `"../evil.json" would be written outside the download folder`) {
		t.Errorf("error %v", err)
	}
}

func TestDownloadCancel(t *testing.T) {
	hub := newFakeHub(t)
	hub.repos["org/m"] = smolRepo()
	ctx, cancel := context.WithCancel(context.Background())
	err := Download(ctx, Options{Endpoint: hub.URL, Repo: "org/m", Dir: t.TempDir()}, func(p Progress) {
		if p.File == "model.safetensors" && p.FileDone > 0 {
			cancel()
		}
	})
	if err == nil || !strings.Contains(err.Error(), "context canceled") {
		t.Errorf("error %v", err)
	}
}
