package hub

import (
	"context"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// maxAttempts is how often one file is tried before Download gives up.
const maxAttempts = 5

// reportEvery spaces progress reports, which may become UI events.
const reportEvery = 100 * time.Millisecond

// downloader fetches the files of one Download call.
type downloader struct {
	o          Options
	rev        string
	progress   func(Progress)
	done       int64 // bytes of the files finished
	total      int64
	lastReport time.Time
}

// file downloads one file into place.
func (d *downloader) file(ctx context.Context, s sibling) error {
	dest := filepath.Join(d.o.Dir, filepath.FromSlash(s.Name))
	size := s.size()
	if fi, err := os.Stat(dest); err == nil && fi.Mode().IsRegular() && size > 0 && fi.Size() == size {
		d.done += size
		d.report(s.Name, size, size, true)
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(dest), 0o755); err != nil {
		return fmt.Errorf("hub: %w", err)
	}
	part := dest + ".incomplete"
	sum := &streamHash{}
	if s.LFS != nil && isHex(s.LFS.SHA256, 64) {
		sum.want = strings.ToLower(s.LFS.SHA256)
	}
	for attempt := 1; ; attempt++ {
		progressed, err := d.attempt(ctx, s, part, sum)
		if err == nil {
			break
		}
		var he *hubError
		switch {
		case ctx.Err() != nil:
			return fmt.Errorf("hub: %s: %w", s.Name, ctx.Err())
		case errors.As(err, &he) && !he.temporary(), attempt == maxAttempts:
			return err
		case !progressed:
			// Back off only when the last try got nowhere.
			select {
			case <-time.After(time.Duration(attempt) * 500 * time.Millisecond):
			case <-ctx.Done():
				return fmt.Errorf("hub: %s: %w", s.Name, ctx.Err())
			}
		}
	}
	if err := d.verify(s, part, sum); err != nil {
		os.Remove(part)
		return err
	}
	if err := os.Rename(part, dest); err != nil {
		return fmt.Errorf("hub: %w", err)
	}
	fi, err := os.Stat(dest)
	if err != nil {
		return fmt.Errorf("hub: %w", err)
	}
	d.done += fi.Size()
	d.report(s.Name, fi.Size(), fi.Size(), true)
	return nil
}

// attempt makes one request for the rest of the file, appending to part.
// progressed says whether any bytes arrived.
func (d *downloader) attempt(ctx context.Context, s sibling, part string, sum *streamHash) (progressed bool, err error) {
	f, err := os.OpenFile(part, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return false, fmt.Errorf("hub: %w", err)
	}
	defer f.Close()
	off, err := f.Seek(0, io.SeekEnd)
	if err != nil {
		return false, fmt.Errorf("hub: %w", err)
	}
	size := s.size()
	if size > 0 && off > size {
		if off, err = restart(f); err != nil {
			return false, err
		}
	}
	if size > 0 && off == size {
		return false, nil // finished by an earlier run
	}
	rangeHeader := ""
	if off > 0 {
		rangeHeader = "bytes=" + strconv.FormatInt(off, 10) + "-"
	}
	resp, err := get(ctx, d.o, d.resolveURL(s.Name), rangeHeader)
	if err != nil {
		return false, err
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusPartialContent && off > 0 &&
		strings.HasPrefix(resp.Header.Get("Content-Range"), "bytes "+strconv.FormatInt(off, 10)+"-"):
	case resp.StatusCode == http.StatusOK:
		if off > 0 { // the server ignored the Range: take the whole file
			if off, err = restart(f); err != nil {
				return false, err
			}
		}
	case resp.StatusCode == http.StatusRequestedRangeNotSatisfiable, resp.StatusCode == http.StatusPartialContent:
		// The partial file does not fit this one: start again.
		if _, err := restart(f); err != nil {
			return false, err
		}
		return false, fmt.Errorf("hub: %s: the partial download does not match the file; starting again", s.Name)
	default:
		return false, explain(resp, d.o, s.Name)
	}
	if sum.want == "" {
		sum.want = etagSHA256(resp)
	}
	if err := sum.catchUp(f, off); err != nil {
		return false, fmt.Errorf("hub: %s: %w", s.Name, err)
	}
	w := &progressWriter{d: d, file: s.Name, done: off, size: size}
	n, err := io.Copy(io.MultiWriter(hashTo{sum, f}, w), resp.Body)
	if err != nil {
		return n > 0, fmt.Errorf("hub: %s: download interrupted after %d bytes: %w", s.Name, off+n, err)
	}
	if size > 0 && off+n != size {
		return n > 0, fmt.Errorf("hub: %s: got %d bytes, want %d", s.Name, off+n, size)
	}
	return n > 0, nil
}

// restart empties a partial file.
func restart(f *os.File) (int64, error) {
	if err := f.Truncate(0); err != nil {
		return 0, fmt.Errorf("hub: %w", err)
	}
	return f.Seek(0, io.SeekStart)
}

func (d *downloader) resolveURL(file string) string {
	parts := strings.Split(file, "/")
	for i, p := range parts {
		parts[i] = url.PathEscape(p)
	}
	return d.o.Endpoint + "/" + d.o.Repo + "/resolve/" + url.PathEscape(d.rev) + "/" + strings.Join(parts, "/")
}

// verify checks a finished download against the sha256 of an LFS file, or
// the git blob hash of another.
func (d *downloader) verify(s sibling, part string, sum *streamHash) error {
	if sum.want != "" {
		// Usually hashed as it arrived; not when an earlier run finished it.
		f, err := os.Open(part)
		if err != nil {
			return fmt.Errorf("hub: %w", err)
		}
		defer f.Close()
		fi, err := f.Stat()
		if err == nil {
			err = sum.catchUp(f, fi.Size())
		}
		if err != nil {
			return fmt.Errorf("hub: %s: %w", s.Name, err)
		}
		if got := hex.EncodeToString(sum.h.Sum(nil)); got != sum.want {
			return fmt.Errorf("hub: %s: sha256 %s does not match the hub's %s; the download was removed", s.Name, got, sum.want)
		}
		return nil
	}
	if s.LFS != nil || !isHex(s.BlobID, 40) {
		return nil // nothing to check against
	}
	got, err := gitBlobHash(part)
	if err != nil {
		return fmt.Errorf("hub: %s: %w", s.Name, err)
	}
	if got != strings.ToLower(s.BlobID) {
		return fmt.Errorf("hub: %s: git blob hash %s does not match the hub's %s; the download was removed", s.Name, got, s.BlobID)
	}
	return nil
}

// gitBlobHash is git's hash of a file: sha1 of "blob SIZE\x00" and the
// contents.
func gitBlobHash(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return "", err
	}
	h := sha1.New()
	fmt.Fprintf(h, "blob %d\x00", fi.Size())
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// streamHash hashes a download as it arrives, so a multi-GB file is not
// read twice; after a resume from an earlier run it first catches up on
// the bytes already on disk.
type streamHash struct {
	want   string // expected sha256 in hex, "" when unknown
	h      hash.Hash
	hashed int64 // bytes of the partial file h has seen
}

// hashTo writes to w and hashes what w took.
type hashTo struct {
	s *streamHash
	w io.Writer
}

func (t hashTo) Write(p []byte) (int, error) {
	n, err := t.w.Write(p)
	if t.s.h != nil {
		t.s.h.Write(p[:n])
	}
	t.s.hashed += int64(n)
	return n, err
}

// catchUp makes h cover the first off bytes of f.
func (s *streamHash) catchUp(f *os.File, off int64) error {
	if s.want == "" {
		return nil
	}
	if s.h != nil && s.hashed == off {
		return nil
	}
	s.h, s.hashed = sha256.New(), 0
	n, err := io.Copy(s.h, io.NewSectionReader(f, 0, off))
	s.hashed = n
	if err != nil {
		return fmt.Errorf("hash the partial download: %w", err)
	}
	return nil
}

// etagSHA256 is the sha256 that the hub gives LFS files as their ETag (or
// X-Linked-Etag on the redirect to its CDN), "" when there is none.
func etagSHA256(resp *http.Response) string {
	for r := resp; r != nil; {
		for _, h := range []string{"X-Linked-Etag", "ETag"} {
			v := strings.Trim(strings.TrimPrefix(r.Header.Get(h), "W/"), `"`)
			if isHex(v, 64) {
				return strings.ToLower(v)
			}
		}
		if r.Request == nil {
			break
		}
		r = r.Request.Response // the redirect that led here
	}
	return ""
}

func isHex(s string, n int) bool {
	if len(s) != n {
		return false
	}
	_, err := hex.DecodeString(s)
	return err == nil
}

// progressWriter reports bytes as they are written.
type progressWriter struct {
	d          *downloader
	file       string
	done, size int64
}

func (w *progressWriter) Write(p []byte) (int, error) {
	w.done += int64(len(p))
	w.d.report(w.file, w.done, w.size, false)
	return len(p), nil
}

// report sends progress at most every reportEvery, and always when final.
func (d *downloader) report(file string, done, size int64, final bool) {
	now := time.Now()
	if !final && now.Sub(d.lastReport) < reportEvery {
		return
	}
	d.lastReport = now
	all := d.done
	if !final {
		all += done
	}
	d.progress(Progress{File: file, FileDone: done, FileSize: size, Done: all, Total: max(d.total, all)})
}
