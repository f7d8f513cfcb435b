package wheel

import (
	"path/filepath"
	"testing"
)

// TestVenvScriptPerGOOS: a venv keeps its programs in bin/ on POSIX and
// in Scripts\ with .exe on Windows, whatever system pyrelease runs on.
func TestVenvScriptPerGOOS(t *testing.T) {
	for goos, want := range map[string]string{
		"linux":   filepath.Join("v", "bin", "pip"),
		"darwin":  filepath.Join("v", "bin", "pip"),
		"freebsd": filepath.Join("v", "bin", "pip"),
		"windows": filepath.Join("v", "Scripts", "pip.exe"),
	} {
		if got := venvScriptFor(goos, "v", "pip"); got != want {
			t.Errorf("venvScriptFor(%q) = %q, want %q", goos, got, want)
		}
	}
}
