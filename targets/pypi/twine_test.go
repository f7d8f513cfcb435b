package pypi

import (
	"os"
	"os/exec"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/pyrelease/pyrelease/targets/internal/dev/testenv"
)

// TestTwineOracle uploads the same files with twine and with Upload to one
// fake index and compares the forms. Field order may differ between
// different fields, never among the values of one repeated field.
//
// Differences of twine 4 (Debian's) from current twine are evened out: it
// sends unset metadata as empty fields, which indexes treat as absent and
// current twine leaves out; it sends an sdist's pyversion empty, where
// current twine sends "source"; and it names Provides-Extra
// "provides_extras", which Warehouse ignores and current twine fixed.
// Where twine 4's metadata reader (pkginfo) differs from current twine's
// (packaging), Upload follows packaging: a Description header when there
// is no body, and "UNKNOWN" values kept; the files here avoid both.
func TestTwineOracle(t *testing.T) {
	twine := testenv.Require(t, "twine")
	dir := t.TempDir()
	files := map[string]string{
		"wheel":        writeWheel(t, dir, "Greet_Tool-1.0.0-py3-none-any.whl", setuptoolsMetadata),
		"tar.gz sdist": writeSdist(t, dir, "greet_tool-1.0.0.tar.gz", setuptoolsMetadata),
		"metadata 1.2 wheel": writeWheel(t, dir, "old.pkg-2.0-py2.py3-none-any.whl",
			"Metadata-Version: 1.2\nName: old.pkg\nVersion: 2.0\nSummary: An old one\nAuthor: X\nLicense: BSD\n"+
				"Platform: UNKNOWN\nRequires-Dist: six\nProvides-Dist: old.pkg\nObsoletes-Dist: older\nRequires-External: libc\n"),
	}
	home := t.TempDir()
	for name, path := range files {
		t.Run(name, func(t *testing.T) {
			f, err := ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			fi := newFakeIndex(t, nil)
			cmd := exec.Command(twine, "upload", "--repository-url", fi.URL+"/legacy/", "-u", "u", "-p", "p",
				"--disable-progress-bar", "--non-interactive", path)
			cmd.Env = []string{"HOME=" + home, "PATH=" + os.Getenv("PATH"), "LANG=C.UTF-8", "PYTHON_KEYRING_BACKEND=keyring.backends.null.Keyring"}
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("twine: %v\n%s", err, out)
			}
			c, _ := newClient(t)
			repo := repoFor(fi.URL)
			repo.Username, repo.Password = "u", "p"
			if _, err := c.Upload(t.Context(), repo, f); err != nil {
				t.Fatal(err)
			}
			reqs := fi.requests()
			if len(reqs) != 2 {
				t.Fatalf("%d requests, want twine's and ours", len(reqs))
			}
			theirs, ours := reqs[0], reqs[1]
			if got, want := byName(ours.Fields), byName(twineFields(theirs.Fields)); !reflect.DeepEqual(got, want) {
				t.Errorf("form fields differ\n ours  %q\n twine %q", got, want)
			}
			if ours.Filename != theirs.Filename || ours.ContentSHA256 != theirs.ContentSHA256 {
				t.Errorf("content part %q %s, twine's %q %s", ours.Filename, ours.ContentSHA256, theirs.Filename, theirs.ContentSHA256)
			}
			if ours.User != theirs.User || ours.Pass != theirs.Pass || ours.Chunked || theirs.Chunked {
				t.Errorf("auth or framing differ: ours %q chunked %v, twine %q chunked %v", ours.User, ours.Chunked, theirs.User, theirs.Chunked)
			}
		})
	}
}

// twineFields evens out twine 4's differences, see TestTwineOracle.
func twineFields(in []Field) []Field {
	sdist := slices.Contains(in, Field{"filetype", FiletypeSdist})
	var out []Field
	for _, f := range in {
		if f.Name == "pyversion" && f.Value == "" && sdist {
			f.Value = "source"
		}
		if f.Value == "" {
			continue
		}
		if f.Name == "provides_extras" {
			f.Name = "provides_extra"
		}
		out = append(out, f)
	}
	return out
}

// byName sorts fields by name, keeping the order of one name's values.
func byName(fields []Field) []Field {
	out := slices.Clone(fields)
	slices.SortStableFunc(out, func(a, b Field) int { return strings.Compare(a.Name, b.Name) })
	return out
}
