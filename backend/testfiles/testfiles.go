// Package testfiles finds the real files Hone's tests read that are not in
// the repository: ../shared/testdata beside it, the SmolLM2 GGUF that
// `make test` downloads, and the reference tokenizers that `npm ci` installs.
// It also owns what a test does when one is missing. On a fresh clone the
// test skips, saying how to get the file; under CI (CI=true) it fails,
// because a CI run that silently skips its real-data tests proves nothing.
package testfiles

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

// Require returns path when it exists; otherwise it skips the test, or
// fails it under CI, naming the path and how to get it.
func Require(t testing.TB, path, how string) string {
	t.Helper()
	if _, err := os.Stat(path); err != nil {
		missing(t, fmt.Sprintf("%v (%s)", err, how))
	}
	return path
}

// SharedDir is $HONE_TESTDATA, or else shared/testdata beside the
// repository (the folder holding go.mod). It may not exist.
func SharedDir(t testing.TB) string {
	t.Helper()
	if dir := os.Getenv("HONE_TESTDATA"); dir != "" {
		return dir
	}
	return filepath.Join(filepath.Dir(moduleRoot(t)), "shared", "testdata")
}

// Shared is a required path inside SharedDir (SharedDir itself when elem
// is empty).
func Shared(t testing.TB, elem ...string) string {
	t.Helper()
	return Require(t, filepath.Join(append([]string{SharedDir(t)}, elem...)...),
		"the shared test data lives in ../shared/testdata beside the repository; set HONE_TESTDATA to use another folder")
}

// SmolLM2GGUF is the required SmolLM2-135M-Instruct Q4_1 GGUF named by
// $HONE_SMOLLM2_GGUF.
func SmolLM2GGUF(t testing.TB) string {
	t.Helper()
	const how = "`make test` downloads it into .cache/smollm2/ and sets HONE_SMOLLM2_GGUF to it"
	path := os.Getenv("HONE_SMOLLM2_GGUF")
	if path == "" {
		missing(t, "HONE_SMOLLM2_GGUF is unset ("+how+")")
		return ""
	}
	return Require(t, path, how)
}

// ReferenceTokenizers is a required path inside the tokenizer reference
// harness's node_modules (the folder itself when elem is empty).
func ReferenceTokenizers(t testing.TB, elem ...string) string {
	t.Helper()
	dir := filepath.Join(moduleRoot(t), "backend", "tokenizer", "testdata", "reference", "node_modules")
	return Require(t, filepath.Join(append([]string{dir}, elem...)...),
		"run `npm ci --prefix backend/tokenizer/testdata/reference`, as `make test` does")
}

// missing skips the test with msg, or fails it when $CI is true: a CI
// machine has every file, so a missing one there is a broken set-up.
func missing(t testing.TB, msg string) {
	t.Helper()
	if ci, _ := strconv.ParseBool(os.Getenv("CI")); ci {
		t.Fatalf("test file missing under CI: %s", msg)
		return
	}
	t.Skipf("test file missing, skipping (CI=true makes this a failure): %s", msg)
}

// moduleRoot is the folder holding go.mod, found by walking up from the
// test's working directory (its package folder).
func moduleRoot(t testing.TB) string {
	t.Helper()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatalf("finding the repository: %v", err)
		return ""
	}
	for dir := wd; ; dir = filepath.Dir(dir) {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		if filepath.Dir(dir) == dir {
			t.Fatalf("no go.mod in %s or above", wd)
			return ""
		}
	}
}
