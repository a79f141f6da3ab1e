package hub

import (
	"bytes"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeHub serves repos the way huggingface.co does: the model info API,
// resolve URLs that serve small files directly and redirect LFS files to a
// CDN path, Range requests, tokens and the X-Error-Code header.
type fakeHub struct {
	*httptest.Server
	mu       sync.Mutex
	repos    map[string]*fakeRepo
	requests []fakeRequest
	// cut makes the first CDN response for a file stop after this many
	// bytes by closing the connection.
	cut     map[string]int
	noRange bool // ignore Range headers, as some proxies do
	// unavailable answers this many resolve requests with 503 first.
	unavailable int
}

type fakeRepo struct {
	private bool
	gated   bool
	token   string
	commit  string
	files   map[string][]byte
	lfs     map[string]bool   // files stored in LFS
	wrong   map[string]string // advertised sha256 (64 hex) or git blob id (40) overrides
}

type fakeRequest struct {
	path, auth, rangeHeader string
}

func newFakeHub(t *testing.T) *fakeHub {
	h := &fakeHub{repos: map[string]*fakeRepo{}, cut: map[string]int{}}
	h.Server = httptest.NewServer(http.HandlerFunc(h.serve))
	t.Cleanup(h.Close)
	return h
}

func (h *fakeHub) serve(w http.ResponseWriter, r *http.Request) {
	h.mu.Lock()
	h.requests = append(h.requests, fakeRequest{r.URL.Path, r.Header.Get("Authorization"), r.Header.Get("Range")})
	h.mu.Unlock()
	switch {
	case strings.HasPrefix(r.URL.Path, "/api/models/"):
		h.info(w, r)
	case strings.HasPrefix(r.URL.Path, "/cdn/"):
		h.cdn(w, r)
	case strings.Contains(r.URL.Path, "/resolve/") && h.takeUnavailable():
		http.Error(w, "try later", http.StatusServiceUnavailable)
	case strings.Contains(r.URL.Path, "/resolve/"):
		h.resolve(w, r)
	default:
		http.NotFound(w, r)
	}
}

func (h *fakeHub) takeUnavailable() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.unavailable == 0 {
		return false
	}
	h.unavailable--
	return true
}

// repo finds the repo of a request and checks access as the hub does:
// 401 with RepoNotFound for a private repo without its token, GatedRepo
// for a gated one.
func (h *fakeHub) repo(w http.ResponseWriter, r *http.Request, id string) *fakeRepo {
	repo, ok := h.repos[id]
	authorized := ok && r.Header.Get("Authorization") == "Bearer "+repo.token
	switch {
	case !ok || repo.private && !authorized:
		w.Header().Set("X-Error-Code", "RepoNotFound")
		w.Header().Set("X-Error-Message", "Repository not found")
		http.Error(w, `{"error":"Repository not found"}`, http.StatusUnauthorized)
		return nil
	case repo.gated && !authorized:
		w.Header().Set("X-Error-Code", "GatedRepo")
		http.Error(w, `{"error":"Access to model is restricted"}`, http.StatusForbidden)
		return nil
	}
	return repo
}

// info serves GET /api/models/{org}/{name}/revision/{rev}[?blobs=true].
func (h *fakeHub) info(w http.ResponseWriter, r *http.Request) {
	rest := strings.TrimPrefix(r.URL.Path, "/api/models/")
	id, rev, ok := strings.Cut(rest, "/revision/")
	repo := h.repo(w, r, id)
	if !ok || repo == nil {
		return
	}
	if rev != "main" && rev != repo.commit {
		w.Header().Set("X-Error-Code", "RevisionNotFound")
		http.Error(w, `{"error":"Invalid rev id"}`, http.StatusNotFound)
		return
	}
	type lfs struct {
		SHA256      string `json:"sha256"`
		Size        int    `json:"size"`
		PointerSize int    `json:"pointerSize"`
	}
	type sib struct {
		RFilename string `json:"rfilename"`
		BlobID    string `json:"blobId,omitempty"`
		Size      int    `json:"size,omitempty"`
		LFS       *lfs   `json:"lfs,omitempty"`
	}
	var sibs []sib
	for _, name := range slices.Sorted(maps.Keys(repo.files)) {
		data := repo.files[name]
		s := sib{RFilename: name}
		if r.URL.Query().Get("blobs") == "true" {
			s.BlobID, s.Size = gitBlobID(data), len(data)
			if w, ok := repo.wrong[name]; ok && len(w) == 40 {
				s.BlobID = w
			}
			if repo.lfs[name] {
				s.LFS = &lfs{SHA256: repo.sha256(name), Size: len(data), PointerSize: 134}
			}
		}
		sibs = append(sibs, s)
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{
		"_id": "0123", "id": id, "modelId": id, "private": repo.private, "sha": repo.commit,
		"lastModified": "2025-01-01T00:00:00.000Z", "siblings": sibs,
	})
}

func (repo *fakeRepo) sha256(name string) string {
	if s, ok := repo.wrong[name]; ok && len(s) == 64 {
		return s
	}
	sum := sha256.Sum256(repo.files[name])
	return hex.EncodeToString(sum[:])
}

// resolve serves GET /{org}/{name}/resolve/{rev}/{file}: small files
// directly with their git blob id as ETag, LFS files by a 302 to the CDN
// with X-Linked-Etag (the sha256) and X-Linked-Size.
func (h *fakeHub) resolve(w http.ResponseWriter, r *http.Request) {
	id, rest, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/resolve/")
	repo := h.repo(w, r, id)
	if repo == nil {
		return
	}
	rev, file, _ := strings.Cut(rest, "/")
	if rev != repo.commit && rev != "main" {
		w.Header().Set("X-Error-Code", "RevisionNotFound")
		http.Error(w, "Revision Not Found", http.StatusNotFound)
		return
	}
	data, ok := repo.files[file]
	if !ok {
		w.Header().Set("X-Error-Code", "EntryNotFound")
		http.Error(w, "Entry not found", http.StatusNotFound)
		return
	}
	w.Header().Set("X-Repo-Commit", repo.commit)
	if repo.lfs[file] {
		w.Header().Set("X-Linked-Etag", `"`+repo.sha256(file)+`"`)
		w.Header().Set("X-Linked-Size", fmt.Sprint(len(data)))
		http.Redirect(w, r, "/cdn/"+id+"/"+file+"?X-Amz-Signature=abc", http.StatusFound)
		return
	}
	w.Header().Set("ETag", `"`+gitBlobID(data)+`"`)
	http.ServeContent(w, r, file, time.Time{}, bytes.NewReader(data))
}

// cdn serves LFS content with Range support, cutting the connection once
// where asked.
func (h *fakeHub) cdn(w http.ResponseWriter, r *http.Request) {
	parts := strings.SplitN(strings.TrimPrefix(r.URL.Path, "/cdn/"), "/", 3)
	id, file := parts[0]+"/"+parts[1], parts[2]
	repo := h.repos[id]
	data := repo.files[file]
	h.mu.Lock()
	cut, cutNow := h.cut[file]
	delete(h.cut, file)
	h.mu.Unlock()
	if cutNow {
		w.Header().Set("Content-Length", fmt.Sprint(len(data)))
		w.WriteHeader(http.StatusOK)
		w.Write(data[:cut])
		w.(http.Flusher).Flush()
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			conn.Close()
		}
		return
	}
	if h.noRange {
		r.Header.Del("Range")
	}
	http.ServeContent(w, r, file, time.Time{}, bytes.NewReader(data))
}

func gitBlobID(data []byte) string {
	h := sha1.New()
	fmt.Fprintf(h, "blob %d\x00", len(data))
	h.Write(data)
	return hex.EncodeToString(h.Sum(nil))
}
