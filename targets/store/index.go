package store

import (
	"bytes"
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"html/template"
	"maps"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/pyrelease/pyrelease/targets/config"

	"github.com/pyrelease/pyrelease/targets/pep440"
)

// IndexOptions configure WriteIndex.
type IndexOptions struct {
	Concurrency int
	Now         func() time.Time
	// Exclude leaves these keys out of the pages: files about to be deleted.
	Exclude map[string]bool
}

// maxIndexRounds bounds how often WriteIndex rewrites the pages when
// other publishers keep changing the store underneath it.
const maxIndexRounds = 8

// WriteIndex regenerates index.html, simple/index.html and one PEP 503
// page per project from a full listing of the store, never by editing
// the previous pages: what is listed is exactly what is there. After
// writing it lists again, and writes again if another publisher changed
// the store meanwhile, so the last publisher to finish leaves pages that
// list every publisher's files.
func WriteIndex(ctx context.Context, st Store, o IndexOptions) ([]string, error) {
	cache := map[string]cachedSidecar{}
	var written []string
	prev := ""
	for range maxIndexRounds {
		entries, fp, err := listEntries(ctx, st, cache, o.Concurrency)
		if err != nil {
			return nil, err
		}
		entries = slices.DeleteFunc(entries, func(e entry) bool { return o.Exclude[e.Key] || e.Pointer && o.Exclude[e.AliasOf] })
		if fp == prev {
			return written, nil
		}
		pages := renderPages(entries, fp)
		written = written[:0]
		for _, key := range slices.Sorted(maps.Keys(pages)) {
			if err := st.PutBytes(ctx, key, pages[key], PutOptions{ContentType: "text/html; charset=utf-8", CacheControl: shortCache}); err != nil {
				return nil, err
			}
			written = append(written, key)
		}
		prev = fp
	}
	return nil, fmt.Errorf("store: %s: the listing kept changing while the index was written (%d rounds); run again", st.Location(IndexFile), maxIndexRounds)
}

type cachedSidecar struct {
	stamp string
	sc    storedSidecar
}

// entry is one published file.
type entry struct {
	Key string
	Sidecar
	Pointer bool // a latest alias that is a pointer to the file at AliasOf
}

// listEntries returns every published file (one with both its bytes and
// its sidecar) and a fingerprint of the listing.
func listEntries(ctx context.Context, st Store, cache map[string]cachedSidecar, concurrency int) ([]entry, string, error) {
	objs, err := st.List(ctx, "")
	if err != nil {
		return nil, "", err
	}
	files := map[string]Object{}
	for _, obj := range objs {
		if !IsSidecar(obj.Key) {
			files[obj.Key] = obj
		}
	}
	h := sha256.New()
	var need []string
	var have []Object
	for _, obj := range objs {
		if !IsSidecar(obj.Key) {
			continue
		}
		art := strings.TrimSuffix(obj.Key, SidecarExt)
		if _, ok := files[art]; !ok {
			continue
		}
		have = append(have, obj)
		stamp := fmt.Sprintf("%d %d", obj.Size, obj.ModTime.UnixNano())
		fmt.Fprintf(h, "%s %s %d\n", obj.Key, stamp, files[art].Size)
		if c, ok := cache[obj.Key]; !ok || c.stamp != stamp {
			need = append(need, obj.Key)
		}
	}
	loaded, err := loadSidecars(ctx, st, need, concurrency)
	if err != nil {
		return nil, "", err
	}
	for _, obj := range have {
		art := strings.TrimSuffix(obj.Key, SidecarExt)
		if sc, ok := loaded[art]; ok {
			cache[obj.Key] = cachedSidecar{stamp: fmt.Sprintf("%d %d", obj.Size, obj.ModTime.UnixNano()), sc: sc}
		}
	}
	var entries []entry
	for _, obj := range have {
		c, ok := cache[obj.Key]
		if !ok {
			continue
		}
		art := strings.TrimSuffix(obj.Key, SidecarExt)
		// A sidecar that disagrees with the size of its file describes a
		// file being replaced: leave it out until the sidecar catches up.
		// A pointer's file is the one it names, which must be there.
		size := files[art].Size
		if c.sc.Pointer {
			target, ok := files[c.sc.AliasOf]
			if !ok {
				continue
			}
			size = target.Size
		}
		if c.sc.Size != size {
			continue
		}
		entries = append(entries, entry{Key: art, Sidecar: c.sc.Sidecar, Pointer: c.sc.Pointer})
	}
	return entries, hex.EncodeToString(h.Sum(nil)), nil
}

// renderPages renders every index page of entries, keyed by store key:
// the download page and the PEP 503 simple pages.
func renderPages(entries []entry, fingerprint string) map[string][]byte {
	pages := map[string][]byte{}
	byProject := map[string][]entry{}
	for _, e := range entries {
		if e.AliasOf == "" && (e.Kind == "wheel" || e.Kind == "sdist") {
			p := config.NormalizeName(e.Project)
			byProject[p] = append(byProject[p], e)
		}
	}
	pages[IndexFile] = renderRoot(entries, fingerprint)

	var buf bytes.Buffer
	projects := slices.Sorted(maps.Keys(byProject))
	if err := simpleRoot.Execute(&buf, projects); err != nil {
		panic(err)
	}
	pages[SimpleDir+"/"+IndexFile] = bytes.Clone(buf.Bytes())
	for _, p := range projects {
		files := byProject[p]
		slices.SortFunc(files, func(a, b entry) int {
			return cmp.Or(-newerFirst(a.Sidecar, b.Sidecar), strings.Compare(a.Key, b.Key))
		})
		var links []map[string]string
		for _, e := range files {
			links = append(links, map[string]string{"Href": "../../" + e.Key + "#sha256=" + e.SHA256, "Name": path.Base(e.Key)})
		}
		buf.Reset()
		if err := simpleProject.Execute(&buf, map[string]any{"Project": p, "Links": links}); err != nil {
			panic(err)
		}
		pages[SimpleDir+"/"+p+"/"+IndexFile] = bytes.Clone(buf.Bytes())
	}
	return pages
}

// compareDirs lists tag directories newest version first, then branches.
func compareDirs(a, b string) int {
	va, oka := dirVersion(a)
	vb, okb := dirVersion(b)
	switch {
	case oka && okb:
		if c := pep440.Compare(vb, va); c != 0 {
			return c
		}
	case oka:
		return -1
	case okb:
		return 1
	}
	return strings.Compare(a, b)
}

func dirVersion(d string) (pep440.Version, bool) {
	rest, ok := strings.CutPrefix(d, SnapshotsDir+"/v")
	if !ok {
		return pep440.Version{}, false
	}
	v, err := pep440.Parse(rest)
	return v, err == nil
}

func humanSize(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

func short(commit string) string {
	if len(commit) > 10 {
		return commit[:10]
	}
	return commit
}

var simpleRoot = template.Must(template.New("simple").Parse(`<!DOCTYPE html>
<html>
<head><meta name="pypi:repository-version" content="1.0"><title>Simple index</title></head>
<body>
{{- range .}}
<a href="{{.}}/">{{.}}</a><br>
{{- end}}
</body>
</html>
`))

var simpleProject = template.Must(template.New("project").Parse(`<!DOCTYPE html>
<html>
<head><meta name="pypi:repository-version" content="1.0"><title>Links for {{.Project}}</title></head>
<body>
<h1>Links for {{.Project}}</h1>
{{- range .Links}}
<a href="{{.Href}}">{{.Name}}</a><br>
{{- end}}
</body>
</html>
`))
