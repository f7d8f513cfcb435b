package store

import (
	"bytes"
	"cmp"
	_ "embed"
	"html/template"
	"maps"
	"net/url"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/pyrelease/pyrelease/targets/dist"
	"github.com/pyrelease/pyrelease/targets/pep440"
)

// The root index.html is the download page a project links from its
// README: the newest release by platform, then every tagged version,
// then branch builds. Every file is a plain <a href="KEY#sha256=HEX">
// link, so that pip --find-links and fetch read the page as they read a
// plain list; ids and classes are stable so that the page can be styled
// and screenshot-tested. There is no script and no external asset.

// pageFile is one file row of the page.
type pageFile struct {
	entry
	Href    string // escaped key with its #sha256= fragment
	Name    string // file name
	Primary bool   // the obvious download of its platform
}

// platformGroup is the newest release's files for one platform.
type platformGroup struct {
	ID, Label string
	Files     []pageFile
	rank      int
}

// dirSection is the files of one tag or branch directory.
type dirSection struct {
	ID, Title string
	Pre       bool // a pre-release or development version
	Files     []pageFile
}

// pageData is what the root page template shows.
type pageData struct {
	Title, Fingerprint string
	Latest             *latestSection
	Versions           []dirSection
	Branches           []dirSection
	Other              []pageFile
}

// latestSection is the newest release, file by file per platform, and the
// stable "latest" aliases.
type latestSection struct {
	Version string
	Pre     bool // no final release exists: this is the newest pre-release
	Groups  []platformGroup
	Aliases []pageFile
}

// renderRoot renders the root download page of entries.
func renderRoot(entries []entry, fingerprint string) []byte {
	d := pageData{Title: pageTitle(entries), Fingerprint: fingerprint}
	byDir := map[string][]pageFile{}
	var aliases []pageFile
	for _, e := range entries {
		f := pageFile{entry: e, Href: fileHref(e.Key, e.SHA256), Name: path.Base(e.Key)}
		if e.Pointer {
			// The alias's own URL serves a page that leads there; the
			// download page, pip and fetch go straight to the file.
			f.Href = fileHref(e.AliasOf, e.SHA256)
		}
		dir := path.Dir(e.Key)
		switch {
		case e.AliasOf != "" && dir == SnapshotsDir:
			aliases = append(aliases, f)
		case strings.HasPrefix(dir, BranchesDir+"/"):
			byDir[dir] = append(byDir[dir], f)
		default:
			if _, ok := dirVersion(dir); ok && e.AliasOf == "" {
				byDir[dir] = append(byDir[dir], f)
			} else {
				d.Other = append(d.Other, f)
			}
		}
	}
	ids := map[string]bool{"title": true, "latest": true, "versions": true, "branches": true, "other": true, "stable": true}
	dirs := slices.SortedFunc(maps.Keys(byDir), compareDirs)
	for _, dir := range dirs {
		files := byDir[dir]
		slices.SortFunc(files, compareFiles)
		if v, ok := dirVersion(dir); ok {
			d.Versions = append(d.Versions, dirSection{ID: uniqueID(ids, "v"+v.String()), Title: v.String(), Pre: v.IsPrerelease(), Files: files})
			continue
		}
		name := strings.TrimPrefix(dir, BranchesDir+"/")
		d.Branches = append(d.Branches, dirSection{ID: uniqueID(ids, "branch-"+name), Title: name, Files: files})
	}
	slices.SortFunc(aliases, compareFiles)
	slices.SortFunc(d.Other, func(a, b pageFile) int { return strings.Compare(a.Key, b.Key) })
	d.Latest = latest(d.Versions, aliases, ids)
	var buf bytes.Buffer
	if err := rootPage.Execute(&buf, d); err != nil {
		panic(err) // the template is fixed; an error is a bug
	}
	return buf.Bytes()
}

// latest picks the newest final release (or, when there is none, the
// newest tagged version) and groups its files by platform.
func latest(versions []dirSection, aliases []pageFile, ids map[string]bool) *latestSection {
	if len(versions) == 0 && len(aliases) == 0 {
		return nil
	}
	l := &latestSection{Aliases: aliases}
	if len(versions) == 0 {
		return l
	}
	pick := versions[0]
	if i := slices.IndexFunc(versions, func(s dirSection) bool { return !s.Pre }); i >= 0 {
		pick = versions[i]
	}
	l.Version, l.Pre = pick.Title, pick.Pre
	byID := map[string]*platformGroup{}
	for _, f := range pick.Files {
		id, label, rank := platformOf(f.Platform)
		g, ok := byID[id]
		if !ok {
			g = &platformGroup{ID: id, Label: label, rank: rank}
			byID[id] = g
		}
		g.Files = append(g.Files, f)
	}
	for _, g := range byID {
		slices.SortFunc(g.Files, compareFiles)
		g.Files[0].Primary = true
		l.Groups = append(l.Groups, *g)
	}
	slices.SortFunc(l.Groups, func(a, b platformGroup) int { return cmp.Or(cmp.Compare(a.rank, b.rank), strings.Compare(a.ID, b.ID)) })
	for i := range l.Groups {
		l.Groups[i].ID = uniqueID(ids, "latest-"+l.Groups[i].ID)
	}
	return l
}

// kindRank orders a directory's files: what a user without Python
// downloads first (installer, then archive), then what pip installs.
func kindRank(kind string) int {
	switch kind {
	case dist.KindInstaller:
		return 0
	case dist.KindArchive:
		return 1
	case dist.KindWheel:
		return 2
	case dist.KindSdist:
		return 3
	}
	return 4
}

// compareFiles orders files by version (newest first, for branches that
// keep several builds), then kind, then name.
func compareFiles(a, b pageFile) int {
	byVersion := 0
	va, ea := pep440.Parse(a.Version)
	vb, eb := pep440.Parse(b.Version)
	if ea == nil && eb == nil {
		byVersion = pep440.Compare(vb, va)
	}
	return cmp.Or(byVersion, cmp.Compare(kindRank(a.Kind), kindRank(b.Kind)), strings.Compare(a.Key, b.Key))
}

// platformOf maps a wheel platform tag ("manylinux_2_17_x86_64",
// "win_amd64") or an archive platform ("linux-x86_64", "osx-arm64") to
// one group, so that a platform's wheel sits beside its archive. Tags it
// does not know form groups of their own.
func platformOf(tag string) (id, label string, rank int) {
	t := strings.ToLower(tag)
	if t == "" || t == "any" {
		return "any", "Any platform (Python)", 4
	}
	var osID, osLabel string
	switch {
	case strings.HasPrefix(t, "linux"), strings.HasPrefix(t, "manylinux"), strings.HasPrefix(t, "musllinux"):
		osID, osLabel, rank = "linux", "Linux", 2
	case strings.HasPrefix(t, "win"):
		osID, osLabel, rank = "windows", "Windows", 0
	case strings.HasPrefix(t, "macosx"), strings.HasPrefix(t, "osx"), strings.HasPrefix(t, "macos"), strings.HasPrefix(t, "darwin"):
		osID, osLabel, rank = "macos", "macOS", 1
	}
	var arch string
	switch {
	case t == "win32", strings.HasSuffix(t, "i686"), strings.HasSuffix(t, "i386"):
		arch = "i686"
	case strings.HasSuffix(t, "x86_64"), strings.HasSuffix(t, "amd64"):
		arch = "x86_64"
	case strings.HasSuffix(t, "aarch64"), strings.HasSuffix(t, "arm64"):
		arch = "arm64"
	case strings.HasSuffix(t, "universal2"):
		arch = "universal2"
	}
	if osID == "" || arch == "" {
		return "p-" + idSafe(t), tag, 3
	}
	return osID + "-" + arch, osLabel + " " + arch, rank
}

var idUnsafe = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// idSafe makes s usable in an id: no white space, nothing to escape.
func idSafe(s string) string {
	return idUnsafe.ReplaceAllString(s, "-")
}

// uniqueID returns a page-unique id for want and records it.
func uniqueID(ids map[string]bool, want string) string {
	id := idSafe(want)
	for n := 2; ids[id]; n++ {
		id = idSafe(want) + "-" + strconv.Itoa(n)
	}
	ids[id] = true
	return id
}

// fileHref is the relative link to key with its hash: each path segment
// escaped, so that a name with '#', '?' or '%' still names its file.
func fileHref(key, sha string) string {
	segs := strings.Split(key, "/")
	for i, s := range segs {
		segs[i] = url.PathEscape(s)
	}
	href := strings.Join(segs, "/")
	// A colon in the first segment would read as a URL scheme.
	if strings.Contains(segs[0], ":") {
		href = "./" + href
	}
	return href + "#sha256=" + sha
}

// pageTitle names the page after its project when the store holds one.
func pageTitle(entries []entry) string {
	var projects []string
	for _, e := range entries {
		if e.Project != "" && !slices.Contains(projects, e.Project) {
			projects = append(projects, e.Project)
		}
	}
	if len(projects) == 1 {
		return projects[0] + " downloads"
	}
	return "Snapshots"
}

var pageFuncs = template.FuncMap{"size": humanSize, "short": short, "base": path.Base,
	"date": func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 UTC") },
	"iso":  func(t time.Time) string { return t.UTC().Format(time.RFC3339) }}

//go:embed index_page.tmpl
var rootPageHTML string

// rootPage is the download page; its CSS is inline.
var rootPage = template.Must(template.New("index").Funcs(pageFuncs).Parse(rootPageHTML))
