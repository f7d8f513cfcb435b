package store

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"golang.org/x/net/html"

	"github.com/pyrelease/pyrelease/targets/dist"
)

var updateGolden = flag.Bool("update", false, "rewrite the golden files under testdata")

// pageEntry is one published file of a page fixture.
func pageEntry(key, kind, version, platform string) entry {
	sum := sha256.Sum256([]byte(key))
	return entry{Key: key, Sidecar: Sidecar{Project: "greet", Version: version, Kind: kind, Platform: platform,
		Commit: "0123456789abcdef0123456789abcdef01234567", SHA256: hex.EncodeToString(sum[:]), File: path.Base(key),
		Size: int64(len(key)) * 1000, BuiltAt: time.Date(2026, 11, 21, 9, 30, 0, 0, time.UTC)}}
}

func aliasEntry(key, of, platform string) entry {
	e := pageEntry(key, dist.KindArchive, "", platform)
	e.AliasOf = of
	return e
}

// pageFixture is two releases for several platforms, a newer
// pre-release, the stable aliases and two branches.
func pageFixture() []entry {
	return []entry{
		pageEntry("snapshots/v1.0.0/greet-1.0.0-py3-none-any.whl", dist.KindWheel, "1.0.0", "any"),
		pageEntry("snapshots/v1.0.0/greet-1.0.0.tar.gz", dist.KindSdist, "1.0.0", "any"),
		pageEntry("snapshots/v1.0.0/greet-1.0.0-linux-x86_64.tar.gz", dist.KindArchive, "1.0.0", "linux-x86_64"),
		pageEntry("snapshots/v1.1.0/greet-1.1.0-py3-none-manylinux_2_17_x86_64.whl", dist.KindWheel, "1.1.0", "manylinux_2_17_x86_64"),
		pageEntry("snapshots/v1.1.0/greet-1.1.0-py3-none-win_amd64.whl", dist.KindWheel, "1.1.0", "win_amd64"),
		pageEntry("snapshots/v1.1.0/greet-1.1.0-py3-none-macosx_11_0_arm64.whl", dist.KindWheel, "1.1.0", "macosx_11_0_arm64"),
		pageEntry("snapshots/v1.1.0/greet-1.1.0.tar.gz", dist.KindSdist, "1.1.0", "any"),
		pageEntry("snapshots/v1.1.0/greet-1.1.0-linux-x86_64.tar.gz", dist.KindArchive, "1.1.0", "linux-x86_64"),
		pageEntry("snapshots/v1.1.0/greet-1.1.0-linux-x86_64-installer.run", dist.KindInstaller, "1.1.0", "linux-x86_64"),
		pageEntry("snapshots/v1.1.0/greet-1.1.0-windows-x86_64.zip", dist.KindArchive, "1.1.0", "windows-x86_64"),
		pageEntry("snapshots/v1.1.0/greet-1.1.0-osx-arm64.tar.gz", dist.KindArchive, "1.1.0", "osx-arm64"),
		pageEntry("snapshots/v1.2.0rc1/greet-1.2.0rc1-py3-none-any.whl", dist.KindWheel, "1.2.0rc1", "any"),
		pageEntry("snapshots/v1.2.0rc1/greet-1.2.0rc1.tar.gz", dist.KindSdist, "1.2.0rc1", "any"),
		aliasEntry("snapshots/greet-latest-linux-x86_64.tar.gz", "snapshots/v1.1.0/greet-1.1.0-linux-x86_64.tar.gz", "linux-x86_64"),
		pageEntry("branches/main/greet-1.2.0.dev4-py3-none-any.whl", dist.KindWheel, "1.2.0.dev4", "any"),
		pageEntry("branches/feature-login/greet-1.1.1.dev2-py3-none-any.whl", dist.KindWheel, "1.1.1.dev2", "any"),
		pageEntry("branches/feature-login/greet-1.1.1.dev3-py3-none-any.whl", dist.KindWheel, "1.1.1.dev3", "any"),
		aliasEntry("branches/feature-login/greet-latest-linux-x86_64.tar.gz", "branches/feature-login/greet-1.1.1.dev3-linux-x86_64.tar.gz", "linux-x86_64"),
	}
}

// pageShape is what a test reads back from a rendered page.
type pageShape struct {
	ids       []string            // ids of sections and platform groups, in page order
	headings  []string            // h2 texts, in page order
	primary   map[string]string   // platform group id -> the name of its download button
	groupRows map[string][]string // platform group id -> its file names, in order
}

func readShape(t *testing.T, page []byte) pageShape {
	t.Helper()
	doc, err := html.Parse(bytes.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	s := pageShape{primary: map[string]string{}, groupRows: map[string][]string{}}
	var walk func(n *html.Node, group string)
	walk = func(n *html.Node, group string) {
		if n.Type == html.ElementNode {
			id, class := attr(n, "id"), attr(n, "class")
			if (n.Data == "section" || n.Data == "tbody") && id != "" {
				s.ids = append(s.ids, id)
			}
			if n.Data == "tbody" && class == "platform" {
				group = id
			}
			if n.Data == "h2" {
				s.headings = append(s.headings, text(n))
			}
			if n.Data == "a" && group != "" && attr(n, "rel") == "" {
				s.groupRows[group] = append(s.groupRows[group], text(n))
				if class == "download" {
					s.primary[group] = text(n)
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c, group)
		}
	}
	walk(doc, "")
	return s
}

func attr(n *html.Node, name string) string {
	for _, a := range n.Attr {
		if a.Key == name {
			return a.Val
		}
	}
	return ""
}

func text(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return strings.TrimSpace(b.String())
}

func TestIndexPageSections(t *testing.T) {
	all := pageFixture()
	onlyPre := []entry{
		pageEntry("snapshots/v2.0.0b1/greet-2.0.0b1-py3-none-any.whl", dist.KindWheel, "2.0.0b1", "any"),
		pageEntry("snapshots/v2.0.0a1/greet-2.0.0a1-py3-none-any.whl", dist.KindWheel, "2.0.0a1", "any"),
	}
	branchOnly := []entry{pageEntry("branches/main/greet-0.1.dev1-py3-none-any.whl", dist.KindWheel, "0.1.dev1", "any")}
	tests := map[string]struct {
		entries   []entry
		ids       []string
		headings  []string
		primary   map[string]string
		groupRows map[string][]string
	}{
		"releases, a pre-release and branches": {
			entries: all,
			ids: []string{"latest", "latest-windows-x86_64", "latest-macos-arm64", "latest-linux-x86_64", "latest-any",
				"versions", "v1.2.0rc1", "v1.1.0", "v1.0.0", "branches", "branch-feature-login", "branch-main"},
			headings: []string{"Latest release: 1.1.0", "All versions", "Branch builds"},
			primary: map[string]string{
				"latest-windows-x86_64": "greet-1.1.0-windows-x86_64.zip",
				"latest-macos-arm64":    "greet-1.1.0-osx-arm64.tar.gz",
				"latest-linux-x86_64":   "greet-1.1.0-linux-x86_64-installer.run",
				"latest-any":            "greet-1.1.0.tar.gz",
			},
			groupRows: map[string][]string{
				"latest-windows-x86_64": {"greet-1.1.0-windows-x86_64.zip", "greet-1.1.0-py3-none-win_amd64.whl"},
				"latest-macos-arm64":    {"greet-1.1.0-osx-arm64.tar.gz", "greet-1.1.0-py3-none-macosx_11_0_arm64.whl"},
				"latest-linux-x86_64": {"greet-1.1.0-linux-x86_64-installer.run", "greet-1.1.0-linux-x86_64.tar.gz",
					"greet-1.1.0-py3-none-manylinux_2_17_x86_64.whl"},
				"latest-any": {"greet-1.1.0.tar.gz"},
			},
		},
		"only pre-releases": {
			entries:   onlyPre,
			ids:       []string{"latest", "latest-any", "versions", "v2.0.0b1", "v2.0.0a1"},
			headings:  []string{"Latest release: 2.0.0b1 pre-release", "All versions"},
			primary:   map[string]string{"latest-any": "greet-2.0.0b1-py3-none-any.whl"},
			groupRows: map[string][]string{"latest-any": {"greet-2.0.0b1-py3-none-any.whl"}},
		},
		"branches only": {
			entries:   branchOnly,
			ids:       []string{"branches", "branch-main"},
			headings:  []string{"Branch builds"},
			primary:   map[string]string{},
			groupRows: map[string][]string{},
		},
		"empty": {primary: map[string]string{}, groupRows: map[string][]string{}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			page := renderRoot(tc.entries, "fp")
			got := readShape(t, page)
			if !slices.Equal(got.ids, tc.ids) {
				t.Errorf("ids:\n got %q\nwant %q", got.ids, tc.ids)
			}
			if !slices.Equal(got.headings, tc.headings) {
				t.Errorf("headings:\n got %q\nwant %q", got.headings, tc.headings)
			}
			for g, want := range tc.primary {
				if got.primary[g] != want {
					t.Errorf("download of %s = %q, want %q", g, got.primary[g], want)
				}
			}
			if len(got.primary) != len(tc.primary) {
				t.Errorf("download buttons %q, want %q", got.primary, tc.primary)
			}
			for g, want := range tc.groupRows {
				if !slices.Equal(got.groupRows[g], want) {
					t.Errorf("files of %s:\n got %q\nwant %q", g, got.groupRows[g], want)
				}
			}
			checkWellFormed(t, page)
		})
	}
}

// voidElements have no end tag.
var voidElements = map[string]bool{"meta": true, "br": true, "input": true, "link": true, "img": true, "hr": true}

// checkWellFormed checks that every element the page opens it closes, in
// order, and that ids are unique and without white space: the page is
// written, not left to a browser's error recovery.
func checkWellFormed(t *testing.T, page []byte) {
	t.Helper()
	z := html.NewTokenizer(bytes.NewReader(page))
	var stack []string
	ids := map[string]bool{}
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			break
		}
		tok := z.Token()
		switch tt {
		case html.StartTagToken:
			for _, a := range tok.Attr {
				if a.Key == "id" {
					if ids[a.Val] || a.Val == "" || strings.ContainsAny(a.Val, " \t\n\r\f") {
						t.Errorf("id %q repeated, empty or with spaces", a.Val)
					}
					ids[a.Val] = true
				}
			}
			if !voidElements[tok.Data] {
				stack = append(stack, tok.Data)
			}
		case html.EndTagToken:
			if len(stack) == 0 || stack[len(stack)-1] != tok.Data {
				t.Fatalf("</%s> closes %q", tok.Data, stack)
			}
			stack = stack[:len(stack)-1]
		}
	}
	if len(stack) != 0 {
		t.Errorf("left open: %q", stack)
	}
	if !bytes.HasPrefix(page, []byte("<!DOCTYPE html>\n")) {
		t.Errorf("page starts %.40q", page)
	}
}

func TestIndexPageLinksEveryFile(t *testing.T) {
	hostile := []entry{
		pageEntry(`snapshots/v1.0.0/greet-1.0.0-<script>alert(1)</script>.tar.gz`, dist.KindArchive, "1.0.0", `"><img src=x onerror=alert(1)>`),
		pageEntry(`branches/x"y/a b#c?d%e&f.whl`, dist.KindWheel, "1.0.dev1", "any"),
		pageEntry(`weird:dir/f.txt`, "", "", ""),
		pageEntry(`snapshots/v1.0.0/greet-1.0.0+local.tar.gz`, dist.KindSdist, "1.0.0+local", "any"),
	}
	hostile[0].Project = "<b>evil</b>"
	hostile[0].JobURL = "javascript:alert(1)"
	hostile[1].Commit = "<i>c</i>"
	tests := map[string]struct {
		entries []entry
	}{
		"fixture": {entries: pageFixture()},
		"hostile": {entries: hostile},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			page := renderRoot(tc.entries, "fp")
			for _, bad := range []string{"<script", "<img", "<b>", "<i>", "javascript:"} {
				if bytes.Contains(page, []byte(bad)) {
					t.Errorf("page holds %q unescaped:\n%s", bad, page)
				}
			}
			checkWellFormed(t, page)
			base, _ := url.Parse("https://store.test/greet/index.html")
			links, err := ParseLinks(base, bytes.NewReader(page))
			if err != nil {
				t.Fatal(err)
			}
			byPath := map[string]Link{}
			for _, l := range links {
				byPath[l.URL.Path] = l
			}
			for _, e := range tc.entries {
				l, ok := byPath["/greet/"+e.Key]
				if !ok {
					t.Errorf("no link to %q among %d links", e.Key, len(links))
					continue
				}
				if l.SHA256 != e.SHA256 || l.Name != path.Base(e.Key) {
					t.Errorf("link to %q: name %q sha256 %q, want %q %q", e.Key, l.Name, l.SHA256, path.Base(e.Key), e.SHA256)
				}
				if !bytes.Contains(page, []byte(`<code class="sha256">`+e.SHA256+`</code>`)) {
					t.Errorf("no copyable sha256 of %q", e.Key)
				}
			}
		})
	}
}

func TestIndexPageGolden(t *testing.T) {
	page := renderRoot(pageFixture(), "fingerprint")
	golden := filepath.Join("testdata", "index_page.golden.html")
	if *updateGolden {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(golden, page, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -run TestIndexPageGolden -update)", err)
	}
	if !bytes.Equal(page, want) {
		t.Errorf("the page differs from %s (run with -update and review the diff):\n%s", golden, page)
	}
}

func TestPlatformOf(t *testing.T) {
	tests := map[string]struct{ tag, id string }{
		"manylinux wheel": {tag: "manylinux_2_17_x86_64", id: "linux-x86_64"},
		"linux archive":   {tag: "linux-x86_64", id: "linux-x86_64"},
		"musllinux arm":   {tag: "musllinux_1_2_aarch64", id: "linux-arm64"},
		"windows wheel":   {tag: "win_amd64", id: "windows-x86_64"},
		"windows archive": {tag: "windows-x86_64", id: "windows-x86_64"},
		"windows 32":      {tag: "win32", id: "windows-i686"},
		"macos wheel":     {tag: "macosx_11_0_arm64", id: "macos-arm64"},
		"macos archive":   {tag: "osx-arm64", id: "macos-arm64"},
		"universal2":      {tag: "macosx_10_9_universal2", id: "macos-universal2"},
		"pure":            {tag: "any", id: "any"},
		"none":            {tag: "", id: "any"},
		"unknown":         {tag: "freebsd_14_amd64 x", id: "p-freebsd_14_amd64-x"},
		"unknown machine": {tag: "linux_riscv64", id: "p-linux_riscv64"},
		"hostile":         {tag: `"><b>`, id: "p--b-"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if id, _, _ := platformOf(tc.tag); id != tc.id {
				t.Errorf("platformOf(%q) = %q, want %q", tc.tag, id, tc.id)
			}
		})
	}
}

// FuzzIndexPageLinks checks that any file name a store can hold comes
// back from the page, through ParseLinks, as the same name with its hash.
func FuzzIndexPageLinks(f *testing.F) {
	for _, s := range []string{"greet-1.0.0.tar.gz", `a b#c?d%e&f.whl`, `<script>x</script>`, `x:y.zip`, "é+1.whl", `"'>`} {
		f.Add(s, "branch")
	}
	f.Fuzz(func(t *testing.T, name, branch string) {
		if !SafeName(name) || !utf8.ValidString(name) {
			t.Skip()
		}
		entries := []entry{
			pageEntry("snapshots/v1.0.0/"+name, dist.KindWheel, "1.0.0", name),
			pageEntry(BranchDir(branch)+"/"+name, dist.KindArchive, name, "any"),
		}
		page := renderRoot(entries, "fp")
		base, _ := url.Parse("https://store.test/index.html")
		links, err := ParseLinks(base, bytes.NewReader(page))
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			if !slices.ContainsFunc(links, func(l Link) bool {
				return l.URL.Path == "/"+e.Key && l.Name == name && l.SHA256 == e.SHA256
			}) {
				t.Errorf("no link to %q with its sha256 in:\n%s", e.Key, page)
			}
		}
	})
}
