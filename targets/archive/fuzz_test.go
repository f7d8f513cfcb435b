package archive

import (
	"path"
	"strings"
	"testing"
)

// FuzzCleanPath checks the one property that matters for extraction
// safety: an accepted path, joined under any directory, stays below it,
// and means the same on Windows.
func FuzzCleanPath(f *testing.F) {
	for _, s := range []string{"bin/greet", "../x", "/abs", "a/../b", "a//b", `a\b`, ".", "", "a/", "C:/x", "a/./b", "..."} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, p string) {
		if cleanPath(p) != nil {
			return
		}
		joined := path.Join("/root/x", p)
		if !strings.HasPrefix(joined, "/root/x/") {
			t.Errorf("accepted %q escapes: %s", p, joined)
		}
		if path.Clean(p) != p || strings.Contains(p, `\`) {
			t.Errorf("accepted %q is not in canonical slash form", p)
		}
	})
}
