package freeze

import (
	"path/filepath"
	"testing"
)

// TestVenvPythonPerGOOS: the freeze environment's interpreter is
// bin/python on POSIX and Scripts\python.exe on Windows.
func TestVenvPythonPerGOOS(t *testing.T) {
	for goos, want := range map[string]string{
		"linux":   filepath.Join("env", "bin", "python"),
		"darwin":  filepath.Join("env", "bin", "python"),
		"windows": filepath.Join("env", "Scripts", "python.exe"),
	} {
		if got := venvPythonFor(goos, "env"); got != want {
			t.Errorf("venvPythonFor(%q) = %q, want %q", goos, got, want)
		}
	}
}
