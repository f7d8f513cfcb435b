package changelog

import (
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// FuzzRelease checks that Release never panics and, when it succeeds, that
// the version is in the output and every original line survives, except
// the unreleased heading (with its adornment), the unreleased link, and a
// Pallets heading renamed to the version released.
func FuzzRelease(f *testing.F) {
	paths, _ := filepath.Glob("testdata/release/*.txtar")
	for _, p := range paths {
		ar, err := readArchive(p)
		if err != nil {
			f.Fatal(err)
		}
		for _, file := range ar.Files {
			if file.Name != "want" && file.Name != "error" {
				f.Add(string(file.Data), strings.HasSuffix(file.Name, ".md"), "1.3.0")
			}
		}
	}
	f.Fuzz(func(t *testing.T, content string, markdown bool, version string) {
		name := "CHANGES.rst"
		if markdown {
			name = "CHANGES.md"
		}
		out, err := Release([]byte(content), name, version, time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC))
		if err != nil {
			if out != nil {
				t.Fatal("output with an error")
			}
			return
		}
		if !strings.Contains(string(out), version) {
			t.Fatalf("version %q not in\n%q", version, out)
		}
		kept := map[string]bool{}
		for _, l := range splitLines(string(out)) {
			kept[l.text] = true
		}
		for _, l := range splitLines(content) {
			if kept[l.text] {
				continue
			}
			t2 := strings.TrimSpace(l.text)
			lower := strings.ToLower(t2)
			if strings.Contains(lower, "unreleased") || adornment(t2, rstAdornments) != 0 || palletsTitle().MatchString(strings.TrimLeft(t2, "# ")) {
				continue
			}
			t.Fatalf("line %q lost:\n%q\n->\n%q", l.text, content, out)
		}
	})
}
