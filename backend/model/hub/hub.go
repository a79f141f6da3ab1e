// Package hub downloads models from the Hugging Face Hub into a plain model
// folder: resumable, verified against the hashes the hub publishes, with an
// optional access token and progress reports. It speaks the hub's public
// HTTP API: GET /api/models/{repo}/revision/{rev}?blobs=true lists the files
// with their sizes and hashes, and GET /{repo}/resolve/{rev}/{file} serves
// a file (often by redirect to a CDN) with Range support.
package hub

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path"
	"regexp"
	"strings"
)

// DefaultEndpoint is the public hub.
const DefaultEndpoint = "https://huggingface.co"

// DefaultFiles are the files of a model folder Hone uses: the config,
// safetensors weights and the tokenizer.
func DefaultFiles() []string {
	return []string{
		"config.json", "generation_config.json", "*.safetensors", "model.safetensors.index.json",
		"tokenizer*.json", "tokenizer.model", "special_tokens_map.json", "chat_template.jinja",
	}
}

// Options says what to download and where.
type Options struct {
	Endpoint string // DefaultEndpoint when empty
	Repo     string // "org/name"
	Revision string // branch, tag or commit; "main" when empty
	Token    string // access token for private and gated repos; optional
	Dir      string // folder to download into
	// Files are path.Match patterns over the repo's file paths ("*" does
	// not cross "/"); DefaultFiles() when empty.
	Files  []string
	Client *http.Client // http.DefaultClient when nil
}

// Progress reports bytes downloaded, for the file under way and for all
// the selected files (files already present count as done).
type Progress struct {
	File     string `json:"file"`
	FileDone int64  `json:"fileDone"`
	FileSize int64  `json:"fileSize"`
	Done     int64  `json:"done"`
	Total    int64  `json:"total"`
}

// repoInfo is the part of the hub's model info Download uses.
type repoInfo struct {
	SHA      string    `json:"sha"` // the commit the revision resolves to
	Siblings []sibling `json:"siblings"`
}

// sibling is one file of the repo, as listed with ?blobs=true.
type sibling struct {
	Name   string `json:"rfilename"`
	Size   int64  `json:"size"`
	BlobID string `json:"blobId"` // git blob hash
	LFS    *struct {
		SHA256 string `json:"sha256"`
		Size   int64  `json:"size"`
	} `json:"lfs"`
}

// size is the file's size, 0 when the hub did not say.
func (s sibling) size() int64 {
	if s.LFS != nil && s.LFS.Size > 0 {
		return s.LFS.Size
	}
	return s.Size
}

// repoID matches the hub's repo ids: "name" or "org/name" of letters,
// digits, '-', '_' and '.', not starting with '-' or '.'.
var repoID = regexp.MustCompile(`^([A-Za-z0-9][A-Za-z0-9._-]*/)?[A-Za-z0-9][A-Za-z0-9._-]*$`)

// Download fetches the selected files of a repo into opts.Dir. Files
// already there with the right size are kept; an interrupted file resumes
// from its DIR/FILE.incomplete; each file is checked against the hub's
// sha256 (LFS files) or git blob hash (others) before it is put in place.
// progress may be nil.
func Download(ctx context.Context, opts Options, progress func(Progress)) error {
	o := opts
	if o.Endpoint == "" {
		o.Endpoint = DefaultEndpoint
	}
	o.Endpoint = strings.TrimRight(o.Endpoint, "/")
	if o.Revision == "" {
		o.Revision = "main"
	}
	if len(o.Files) == 0 {
		o.Files = DefaultFiles()
	}
	if o.Client == nil {
		o.Client = http.DefaultClient
	}
	if progress == nil {
		progress = func(Progress) {}
	}
	if !repoID.MatchString(o.Repo) || strings.Contains(o.Repo, "--") || strings.Contains(o.Repo, "..") {
		return fmt.Errorf("hub: %q is not a repo id (want org/name)", o.Repo)
	}
	if o.Dir == "" {
		return errors.New("hub: no folder to download into")
	}
	info, err := fetchInfo(ctx, o)
	if err != nil {
		return err
	}
	files, err := selectFiles(info.Siblings, o.Files)
	if err != nil {
		return fmt.Errorf("hub: %s: %w", o.Repo, err)
	}
	if len(files) == 0 {
		return fmt.Errorf("hub: %s at %s has no files matching %s", o.Repo, o.Revision, strings.Join(o.Files, ", "))
	}
	// Fetch every file from the same commit, even if the branch moves.
	rev := o.Revision
	if info.SHA != "" {
		rev = info.SHA
	}
	d := &downloader{o: o, rev: rev, progress: progress}
	for _, f := range files {
		d.total += f.size()
	}
	for _, f := range files {
		if err := d.file(ctx, f); err != nil {
			return err
		}
	}
	return nil
}

// maxInfoSize bounds the model info JSON; repos with many thousands of
// files stay far below it.
const maxInfoSize = 64 << 20

func fetchInfo(ctx context.Context, o Options) (*repoInfo, error) {
	u := o.Endpoint + "/api/models/" + o.Repo + "/revision/" + url.PathEscape(o.Revision) + "?blobs=true"
	resp, err := get(ctx, o, u, "")
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, explain(resp, o, "")
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxInfoSize+1))
	if err != nil {
		return nil, fmt.Errorf("hub: %s: read model info: %w", o.Repo, err)
	}
	var info repoInfo
	if len(data) > maxInfoSize {
		err = errors.New("larger than 64 MiB")
	} else {
		err = json.Unmarshal(data, &info)
	}
	if err != nil {
		return nil, fmt.Errorf("hub: %s: model info from %s is not what the hub sends: %w", o.Repo, o.Endpoint, err)
	}
	return &info, nil
}

// selectFiles keeps the files matching a pattern, refusing paths that
// would land outside the download folder.
func selectFiles(all []sibling, patterns []string) ([]sibling, error) {
	var out []sibling
	for _, s := range all {
		for _, p := range patterns {
			ok, err := path.Match(p, s.Name)
			if err != nil {
				return nil, fmt.Errorf("file pattern %q: %w", p, err)
			}
			if !ok {
				continue
			}
			if !localPath(s.Name) {
				return nil, fmt.Errorf("file %q would be written outside the download folder", s.Name)
			}
			out = append(out, s)
			break
		}
	}
	return out, nil
}

// localPath accepts a relative slash-separated path without "..".
func localPath(p string) bool {
	if p == "" || strings.HasPrefix(p, "/") || strings.Contains(p, `\`) || strings.Contains(p, ":") {
		return false
	}
	for _, part := range strings.Split(p, "/") {
		if part == "" || part == "." || part == ".." {
			return false
		}
	}
	return true
}

// get sends a GET with the token and, when rangeHeader is set, a Range.
func get(ctx context.Context, o Options, u, rangeHeader string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, fmt.Errorf("hub: %w", err)
	}
	if o.Token != "" {
		// Go's client drops it when a redirect leaves the hub's host.
		req.Header.Set("Authorization", "Bearer "+o.Token)
	}
	if rangeHeader != "" {
		req.Header.Set("Range", rangeHeader)
	}
	req.Header.Set("User-Agent", "hone")
	resp, err := o.Client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("hub: %w", err)
	}
	return resp, nil
}

// hubError is an HTTP error from the hub, explained.
type hubError struct {
	code int
	msg  string
}

func (e *hubError) Error() string { return e.msg }

// temporary reports whether trying again may help.
func (e *hubError) temporary() bool {
	return e.code >= 500 || e.code == http.StatusTooManyRequests || e.code == http.StatusRequestTimeout
}

// explain turns a failed response into a message that says what to do,
// using the X-Error-Code the hub sets (RepoNotFound, RevisionNotFound,
// EntryNotFound, GatedRepo). file is "" for the model info.
func explain(resp *http.Response, o Options, file string) error {
	code := resp.Header.Get("X-Error-Code")
	what := o.Repo
	if file != "" {
		what = o.Repo + ": " + file
	}
	var msg string
	switch {
	case code == "GatedRepo":
		msg = fmt.Sprintf("%s is gated: accept its terms on the hub, then pass a token of that account", o.Repo)
	case resp.StatusCode == http.StatusUnauthorized && o.Token == "":
		msg = fmt.Sprintf("repo %s not found or private: pass a token", o.Repo)
	case resp.StatusCode == http.StatusUnauthorized:
		msg = fmt.Sprintf("repo %s not found, or the token is invalid or cannot read it", o.Repo)
	case resp.StatusCode == http.StatusForbidden:
		msg = fmt.Sprintf("access to %s denied: the token lacks permission", o.Repo)
	case code == "RevisionNotFound":
		msg = fmt.Sprintf("revision %q not found in %s", o.Revision, o.Repo)
	case code == "EntryNotFound":
		msg = fmt.Sprintf("%s not found", what)
	case resp.StatusCode == http.StatusNotFound:
		msg = fmt.Sprintf("%s not found", what)
	default:
		msg = fmt.Sprintf("%s: HTTP %s", what, resp.Status)
	}
	if detail := resp.Header.Get("X-Error-Message"); detail != "" {
		msg += " (hub: " + detail + ")"
	}
	return &hubError{code: resp.StatusCode, msg: "hub: " + msg}
}
