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

// FuzzDateStyle checks that a style learnt from any text writes a date it
// would learn again, the same way; except 09/05/2026, which alone cannot
// say whether the month comes first.
func FuzzDateStyle(f *testing.F) {
	for _, s := range []string{
		"2024-12-19", "(2024/3/5)", "19.12.2024", "12/19/2024", "December 19, 2024", "Dec. 19, 2024",
		"Sept 9, 2024", "19 December 2024", "03 Dec 2024", "on July 4th 2018, codename Fafnir", "May 2, 2024", "v1.2.0",
	} {
		f.Add(s)
	}
	day := time.Date(2026, 9, 5, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, s string) {
		out := learnDateStyle([]string{s}).format(day)
		d, ok := findDate(out)
		if !ok || d.start != 0 || d.end != len(out) {
			t.Fatalf("%q writes %q, which is not a date (%v %+v)", s, out, ok, d)
		}
		if dmyDate().MatchString(out) {
			return
		}
		if again := learnDateStyle([]string{out}).format(day); again != out {
			t.Fatalf("%q writes %q, which writes %q", s, out, again)
		}
	})
}
