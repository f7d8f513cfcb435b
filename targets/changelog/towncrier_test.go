package changelog

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pyrelease/pyrelease/targets/internal/dev/testenv"
)

// Each testdata/towncrier/*.txtar is a project that uses towncrier. The
// oracle is towncrier itself: `towncrier build --yes` in one copy, Prepare
// and Apply in another, and the two trees must end up byte for byte the
// same, with Edit.Removes naming exactly the files towncrier removed. The
// comment may set "version:", "towncrier-date:" (the date text towncrier
// gets, ISO by default) and "crlf" (text files get CRLF line endings).
func TestTowncrierMatchesTowncrierBuild(t *testing.T) {
	tc := testenv.Towncrier(t)
	paths, err := filepath.Glob("testdata/towncrier/*.txtar")
	if err != nil || len(paths) == 0 {
		t.Fatalf("no fixtures: %v", err)
	}
	date := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	for _, path := range paths {
		t.Run(strings.TrimSuffix(filepath.Base(path), ".txtar"), func(t *testing.T) {
			ar, err := readArchive(path)
			if err != nil {
				t.Fatal(err)
			}
			version, dateText, crlf := "1.3.0", "2026-11-20", false
			for _, l := range strings.Split(string(ar.Comment), "\n") {
				k, v, _ := strings.Cut(l, ":")
				switch strings.TrimSpace(k) {
				case "version":
					version = strings.TrimSpace(v)
				case "towncrier-date":
					dateText = strings.TrimSpace(v)
				case "crlf":
					crlf = true
				}
			}
			ours, theirs := t.TempDir(), t.TempDir()
			for _, dir := range []string{ours, theirs} {
				writeProject(t, dir, ar, crlf)
			}
			before := readTree(t, ours)

			e, err := Prepare(context.Background(), Options{ProjectDir: ours, Version: version, Date: date, Towncrier: []string{tc}})
			if err != nil {
				t.Fatal(err)
			}
			if after := readTree(t, ours); !maps.EqualFunc(before, after, bytes.Equal) {
				t.Fatal("Prepare changed the project")
			}
			if err := Apply(context.Background(), e); err != nil {
				t.Fatal(err)
			}

			cmd := exec.Command(tc, "build", "--yes", "--version", version, "--date", dateText, "--dir", theirs)
			cmd.Dir = theirs
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("towncrier build: %v\n%s", err, out)
			}
			got, want := readTree(t, ours), readTree(t, theirs)
			for name, data := range want {
				if !bytes.Equal(got[name], data) {
					t.Errorf("%s =\n%s\ntowncrier wrote\n%s", name, got[name], data)
				}
			}
			for name := range got {
				if _, ok := want[name]; !ok {
					t.Errorf("%s is left, towncrier removed it", name)
				}
			}
			var removed []string
			for name := range before {
				if _, ok := want[name]; !ok {
					removed = append(removed, filepath.Join(ours, name))
				}
			}
			slices.Sort(removed)
			if !slices.Equal(e.Removes, removed) {
				t.Errorf("Removes = %q, towncrier removed %q", e.Removes, removed)
			}
		})
	}
}

func writeProject(t *testing.T, dir string, ar *archive, crlf bool) {
	t.Helper()
	for _, f := range ar.Files {
		p := filepath.Join(dir, filepath.FromSlash(f.Name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		data := f.Data
		if crlf {
			data = bytes.ReplaceAll(data, []byte("\n"), []byte("\r\n"))
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// readTree maps the slash paths of the files under dir to their bytes.
func readTree(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		rel, _ := filepath.Rel(dir, p)
		files[filepath.ToSlash(rel)] = data
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func TestTowncrierErrors(t *testing.T) {
	tc := testenv.Towncrier(t)
	date := time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)
	cases := map[string]struct {
		files   map[string]string
		path    string
		version string
		command []string
		err     error
		msg     []string
	}{
		"version already in the news file": {
			files: map[string]string{
				"pyproject.toml":          "[tool.towncrier]\n",
				"NEWS.rst":                ".. towncrier release notes start\n\n1.3.0 (2026-11-19)\n==================\n\n- x\n",
				"newsfragments/1.feature": "y\n",
			},
			err: ErrAlreadyReleased, msg: []string{"NEWS.rst:3:", `"1.3.0"`},
		},
		"title already in the news file": {
			files: map[string]string{
				"pyproject.toml":          "[tool.towncrier]\ntitle_format = \"v{version} ({project_date})\"\n",
				"NEWS.rst":                ".. towncrier release notes start\n\nv1.3.0 (2026-11-20)\n===================\n",
				"newsfragments/1.feature": "y\n",
			},
			err: ErrAlreadyReleased, msg: []string{"NEWS.rst", `"v1.3.0 (2026-11-20)" is already there`},
		},
		"changelog other than towncrier's": {
			files: map[string]string{"pyproject.toml": "[tool.towncrier]\n", "CHANGES.rst": "x\n"},
			path:  "CHANGES.rst",
			msg:   []string{"pyproject.toml: towncrier writes its release notes to NEWS.rst", "not CHANGES.rst"},
		},
		"towncrier refuses a fragment": {
			files: map[string]string{
				"pyproject.toml":          "[tool.towncrier]\nissue_pattern = \"\\\\d+\"\n",
				"newsfragments/x.feature": "y\n",
			},
			msg: []string{"towncrier", "does not match the configured pattern"},
		},
		"no towncrier": {
			files:   map[string]string{"pyproject.toml": "[tool.towncrier]\n"},
			command: []string{"/nonexistent/towncrier"},
			msg:     []string{"is towncrier installed?", "/nonexistent/towncrier build --draft"},
		},
		"bad version": {
			files:   map[string]string{"pyproject.toml": "[tool.towncrier]\n"},
			version: "1.3.0 (final)",
			err:     ErrBadVersion,
		},
	}
	for name, tc2 := range cases {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			for f, data := range tc2.files {
				p := filepath.Join(dir, f)
				if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			o := Options{ProjectDir: dir, Version: "1.3.0", Date: date, Towncrier: []string{tc}}
			if tc2.version != "" {
				o.Version = tc2.version
			}
			if tc2.command != nil {
				o.Towncrier = tc2.command
			}
			if tc2.path != "" {
				o.Path = filepath.Join(dir, tc2.path)
			}
			_, err := Prepare(context.Background(), o)
			if err == nil {
				t.Fatal("no error")
			}
			if tc2.err != nil && !errors.Is(err, tc2.err) {
				t.Errorf("error = %v, want %v", err, tc2.err)
			}
			for _, m := range tc2.msg {
				if !strings.Contains(err.Error(), m) {
					t.Errorf("error %q does not contain %q", err, m)
				}
			}
		})
	}
}
