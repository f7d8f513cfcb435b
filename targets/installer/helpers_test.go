package installer

import (
	"os"
	"path/filepath"
	"testing"
)

// fakeTool writes a shell script standing in for a frozen binary: it
// prints "NAME VERSION" for --version and exits 3 on anything else.
func fakeTool(t *testing.T, dir, name, version string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	script := "#!/bin/sh\nif [ \"$1\" = --version ]; then echo \"" + name + " " + version + "\"; exit 0; fi\nexit 3\n"
	if err := os.WriteFile(p, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}
