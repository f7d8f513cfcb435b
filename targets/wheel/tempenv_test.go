package wheel

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func TestTempEnvPointsEveryTemporaryVariableIntoTheDirectory(t *testing.T) {
	dir := t.TempDir()
	env, err := tempEnv([]string{"PATH=/bin", "TMPDIR=/tmp", "Temp=C:\\t", "TMP=/x", "PIP_NO_INPUT=1"}, dir)
	if err != nil {
		t.Fatal(err)
	}
	tmp := filepath.Join(dir, "tmp")
	want := []string{"PATH=/bin", "PIP_NO_INPUT=1", "TMPDIR=" + tmp, "TEMP=" + tmp, "TMP=" + tmp}
	if !slices.Equal(env, want) {
		t.Errorf("tempEnv = %q, want %q", env, want)
	}
	if fi, err := os.Stat(tmp); err != nil || !fi.IsDir() {
		t.Errorf("%s is not a directory: %v", tmp, err)
	}
	// Twice on the same directory, as a smoke test given a work folder.
	if _, err := tempEnv(nil, dir); err != nil {
		t.Errorf("tempEnv again: %v", err)
	}
}
