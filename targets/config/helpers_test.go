package config

import (
	"os"
	"path/filepath"
	"testing"
)

// project writes a pyproject.toml with content into a new directory and
// returns the directory and the file's path.
func project(t testing.TB, content string) (dir, file string) {
	t.Helper()
	dir = t.TempDir()
	file = filepath.Join(dir, "pyproject.toml")
	if err := os.WriteFile(file, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir, file
}

// env turns a map into a getenv function.
func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

const header = "[project]\nname = \"Demo_Pkg\"\n"
