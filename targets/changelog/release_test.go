package changelog

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the want files of testdata/release/*.txtar")

// Each testdata/release/*.txtar holds one changelog (the file named like a
// changelog) and either "want", the released file, or "error", text the
// error must contain. The comment may set "version:", "date:" and "crlf"
// (the changelog and want are given LF, and checked with CRLF too).
func TestReleaseGolden(t *testing.T) {
	paths, err := filepath.Glob("testdata/release/*.txtar")
	if err != nil || len(paths) == 0 {
		t.Fatalf("no golden files: %v", err)
	}
	for _, path := range paths {
		t.Run(strings.TrimSuffix(filepath.Base(path), ".txtar"), func(t *testing.T) {
			ar, err := readArchive(path)
			if err != nil {
				t.Fatal(err)
			}
			version, date, crlf := "1.3.0", time.Date(2026, 11, 20, 23, 0, 0, 0, time.UTC), false
			for _, l := range strings.Split(string(ar.Comment), "\n") {
				k, v, _ := strings.Cut(l, ":")
				switch strings.TrimSpace(k) {
				case "version":
					version = strings.TrimSpace(v)
				case "date":
					if date, err = time.Parse(time.DateOnly, strings.TrimSpace(v)); err != nil {
						t.Fatal(err)
					}
				case "crlf":
					crlf = true
				}
			}
			var name string
			var input, want, wantErr []byte
			wantAt := -1
			for i, f := range ar.Files {
				switch f.Name {
				case "want":
					want, wantAt = f.Data, i
				case "error":
					wantErr = f.Data
				default:
					name, input = f.Name, f.Data
				}
			}
			got, err := Release(input, name, version, date)
			if wantErr != nil {
				if err == nil || !strings.Contains(err.Error(), strings.TrimSpace(string(wantErr))) {
					t.Fatalf("error = %v, want one containing %q", err, wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if *update {
				if wantAt < 0 {
					ar.Files = append(ar.Files, archiveFile{Name: "want"})
					wantAt = len(ar.Files) - 1
				}
				ar.Files[wantAt].Data = got
				if err := os.WriteFile(path, ar.format(), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			if !bytes.Equal(got, want) {
				t.Errorf("Release =\n%s\nwant\n%s", got, want)
			}
			if crlf {
				crlfIn := bytes.ReplaceAll(input, []byte("\n"), []byte("\r\n"))
				got, err := Release(crlfIn, name, version, date)
				if err != nil {
					t.Fatal(err)
				}
				if wantCRLF := bytes.ReplaceAll(want, []byte("\n"), []byte("\r\n")); !bytes.Equal(got, wantCRLF) {
					t.Errorf("with CRLF, Release =\n%q\nwant\n%q", got, wantCRLF)
				}
			}
		})
	}
}

func TestReleaseErrors(t *testing.T) {
	date := time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)
	cases := map[string]struct {
		name, content, version string
		date                   time.Time
		err                    error
		msg                    []string
	}{
		"no unreleased markdown": {
			name: "CHANGELOG.md", content: "# Changelog\n\n## [1.2.0] - 2024-01-01\n", version: "1.3.0", date: date,
			err: ErrNoUnreleased, msg: []string{"changelog: CHANGELOG.md: ", "## [Unreleased]"},
		},
		"no unreleased rst": {
			name: "HISTORY.rst", content: "History\n=======\n\n1.2.0 (2024-01-01)\n------------------\n", version: "1.3.0", date: date,
			err: ErrNoUnreleased, msg: []string{"changelog: HISTORY.rst: ", "Unreleased", "(unreleased)", "underline"},
		},
		"rst heading without underline": {
			name: "CHANGES.rst", content: "Unreleased\n\n- x\n", version: "1.3.0", date: date,
			err: ErrNoUnreleased,
		},
		"markdown heading in a code block": {
			name: "CHANGELOG.md", content: "```\n## [Unreleased]\n```\n", version: "1.3.0", date: date,
			err: ErrNoUnreleased,
		},
		"already released": {
			name: "CHANGELOG.md", content: "## [Unreleased]\n\n## [1.3.0] - 2026-11-19\n", version: "1.3.0", date: date,
			err: ErrAlreadyReleased, msg: []string{"CHANGELOG.md:3:", `"1.3.0"`},
		},
		"bad version": {
			name: "CHANGELOG.md", content: "## [Unreleased]\n", version: "1.3.0]", date: date,
			err: ErrBadVersion,
		},
		"empty version": {
			name: "CHANGELOG.md", content: "## [Unreleased]\n", version: "", date: date,
			err: ErrBadVersion,
		},
		"zero date": {
			name: "CHANGELOG.md", content: "## [Unreleased]\n", version: "1.3.0",
			err: ErrBadDate,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := Release([]byte(tc.content), tc.name, tc.version, tc.date)
			if !errors.Is(err, tc.err) {
				t.Fatalf("error = %v, want %v", err, tc.err)
			}
			for _, m := range tc.msg {
				if !strings.Contains(err.Error(), m) {
					t.Errorf("error %q does not contain %q", err, m)
				}
			}
		})
	}
}

func TestNoUnreleasedErrorFields(t *testing.T) {
	_, err := Release([]byte("# Changelog\n"), "docs/CHANGES.md", "1.0", time.Now())
	var e *NoUnreleasedError
	if !errors.As(err, &e) || e.Path != "docs/CHANGES.md" || !strings.Contains(e.Want, "[Unreleased]") {
		t.Errorf("error = %#v", err)
	}
}

func TestNextVersion(t *testing.T) {
	for v, want := range map[string]string{
		"1.3.0":        "1.3.1",
		"v2.9":         "v2.10",
		"1.3.0rc1":     "1.3.0",
		"1.3.0.dev4":   "1.3.0",
		"1.3.0-beta.2": "1.3.0",
		"1.3.0.post1":  "1.3.1",
		"1!2.0":        "1!2.1",
		"2024.11":      "2024.12",
		"next":         "Unreleased",
	} {
		if got := nextVersion(v); got != want {
			t.Errorf("nextVersion(%q) = %q, want %q", v, got, want)
		}
	}
}

// archive is the txtar format (a comment, then files each introduced by a
// "-- name --" line), read here without a dependency for twenty lines.
type archive struct {
	Comment []byte
	Files   []archiveFile
}

type archiveFile struct {
	Name string
	Data []byte
}

func readArchive(path string) (*archive, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	ar := &archive{}
	for _, l := range strings.SplitAfter(string(data), "\n") {
		if name, ok := strings.CutPrefix(strings.TrimRight(l, "\n"), "-- "); ok && strings.HasSuffix(name, " --") {
			ar.Files = append(ar.Files, archiveFile{Name: strings.TrimSuffix(name, " --")})
			continue
		}
		if n := len(ar.Files); n > 0 {
			ar.Files[n-1].Data = append(ar.Files[n-1].Data, l...)
		} else {
			ar.Comment = append(ar.Comment, l...)
		}
	}
	return ar, nil
}

func (ar *archive) format() []byte {
	var b bytes.Buffer
	b.Write(ar.Comment)
	for _, f := range ar.Files {
		b.WriteString("-- " + f.Name + " --\n")
		b.Write(f.Data)
		if len(f.Data) > 0 && f.Data[len(f.Data)-1] != '\n' {
			b.WriteString("\n")
		}
	}
	return b.Bytes()
}
