package dist

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"testing"
	"time"
)

// sample is a manifest of two versions: wheels, an sdist, archives and an
// installer.
var sample = Artifacts{
	{Name: "greet-1.0-py3-none-any.whl", Kind: KindWheel, Version: "1.0", Tags: []string{"py3-none-any"}},
	{Name: "greet-1.0.tar.gz", Kind: KindSdist, Version: "1.0"},
	{Name: "greet-1.0-linux-x86_64.tar.gz", Kind: KindArchive, Version: "1.0", Tags: []string{"linux-x86_64"}},
	{Name: "greet-1.0-windows-amd64.zip", Kind: KindArchive, Version: "1.0", Tags: []string{"windows-amd64"}},
	{Name: "greet-1.0-linux-x86_64-installer.run", Kind: KindInstaller, Version: "1.0", Tags: []string{"linux-x86_64"}},
	{Name: "greet-1.1-py3-none-any.whl", Kind: KindWheel, Version: "1.1", Tags: []string{"py3-none-any"}},
}

func TestFilter(t *testing.T) {
	linux := func(a Artifact) bool { return a.Platform() == "linux-x86_64" }
	for name, c := range map[string]struct {
		filter Filter
		want   []string
	}{
		"by version":       {filter: ByVersion("1.1"), want: []string{"greet-1.1-py3-none-any.whl"}},
		"by version, none": {filter: ByVersion("2.0"), want: nil},
		"by kind":          {filter: ByKind(KindArchive), want: []string{"greet-1.0-linux-x86_64.tar.gz", "greet-1.0-windows-amd64.zip"}},
		"by kinds":         {filter: ByKind(KindSdist, KindInstaller), want: []string{"greet-1.0.tar.gz", "greet-1.0-linux-x86_64-installer.run"}},
		"for index of a version": {
			filter: And(ByVersion("1.0"), ForIndex),
			want:   []string{"greet-1.0-py3-none-any.whl", "greet-1.0.tar.gz"},
		},
		"and with a filter of the caller's": {
			filter: And(ByVersion("1.0"), ByKind(KindArchive), linux),
			want:   []string{"greet-1.0-linux-x86_64.tar.gz"},
		},
		"or": {
			filter: Or(ByVersion("1.1"), ByKind(KindInstaller)),
			want:   []string{"greet-1.0-linux-x86_64-installer.run", "greet-1.1-py3-none-any.whl"},
		},
		"not": {
			filter: And(ByVersion("1.0"), Not(ForIndex)),
			want:   []string{"greet-1.0-linux-x86_64.tar.gz", "greet-1.0-windows-amd64.zip", "greet-1.0-linux-x86_64-installer.run"},
		},
		"empty and keeps all": {filter: And(), want: sample.Names()},
		"empty or keeps none": {filter: Or(), want: nil},
	} {
		t.Run(name, func(t *testing.T) {
			got := sample.Filter(c.filter).Names()
			if len(got) == 0 {
				got = nil
			}
			if !slices.Equal(got, c.want) {
				t.Errorf("got %q, want %q", got, c.want)
			}
		})
	}
}

func TestMissing(t *testing.T) {
	names := sample.Filter(ByVersion("1.0")).Names()
	for name, c := range map[string]struct {
		globs []string
		want  []string
	}{
		"no expectations":  {globs: nil, want: nil},
		"complete":         {globs: []string{"greet-1.0-*.whl", "greet-1.0.tar.gz", "greet-1.0-linux-x86_64.tar.gz"}, want: nil},
		"a platform short": {globs: []string{"greet-1.0-*.whl", "greet-1.0-osx-arm64.tar.gz", "greet-1.0-windows-amd64.zip"}, want: []string{"greet-1.0-osx-arm64.tar.gz"}},
		"a kind short":     {globs: []string{"greet-1.0-*-installer.exe", "greet-1.0-*-installer.run"}, want: []string{"greet-1.0-*-installer.exe"}},
		"another version":  {globs: []string{"greet-1.1-*.whl"}, want: []string{"greet-1.1-*.whl"}},
		"malformed glob":   {globs: []string{"greet-[.whl"}, want: []string{"greet-[.whl"}},
	} {
		t.Run(name, func(t *testing.T) {
			if got := Missing(c.globs, names); !slices.Equal(got, c.want) {
				t.Errorf("Missing = %q, want %q", got, c.want)
			}
		})
	}
}

func TestVerify(t *testing.T) {
	dir := t.TempDir()
	const abc = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
	if err := os.MkdirAll(filepath.Join(dir, Sub), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"greet-1.0.tar.gz", Sub + "/greet-1.0-linux-x86_64.tar.gz"} {
		if err := os.WriteFile(filepath.Join(dir, filepath.FromSlash(p)), []byte("abc"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for name, c := range map[string]struct {
		art        Artifact
		wantGot    string // the sha256 the error reports; "" for no error
		wantNoFile bool
	}{
		"sdist at the top": {art: Artifact{Name: "greet-1.0.tar.gz", Path: "greet-1.0.tar.gz", SHA256: abc}},
		"archive in Sub":   {art: Artifact{Name: "greet-1.0-linux-x86_64.tar.gz", Path: Sub + "/greet-1.0-linux-x86_64.tar.gz", SHA256: abc}},
		"changed":          {art: Artifact{Name: "greet-1.0.tar.gz", Path: "greet-1.0.tar.gz", SHA256: "00"}, wantGot: abc},
		"missing":          {art: Artifact{Name: "greet-1.0-py3-none-any.whl", Path: "greet-1.0-py3-none-any.whl", SHA256: abc}, wantNoFile: true},
	} {
		t.Run(name, func(t *testing.T) {
			err := c.art.Verify(dir)
			var ce *ChangedError
			switch {
			case c.wantGot == "" && !c.wantNoFile:
				if err != nil {
					t.Fatalf("Verify = %v", err)
				}
			case !errors.As(err, &ce):
				t.Fatalf("Verify = %v, want a *ChangedError", err)
			case ce.Got != c.wantGot || ce.Want != c.art.SHA256 || ce.Name != c.art.Name:
				t.Errorf("ChangedError = %+v", ce)
			case c.wantNoFile != errors.Is(err, fs.ErrNotExist):
				t.Errorf("errors.Is(%v, fs.ErrNotExist) = %v", err, !c.wantNoFile)
			}
		})
	}
	a := Artifact{Name: "x.whl", SHA256: abc}
	if a.Check("x.whl", abc) != nil || a.Check("x.whl", "00") == nil {
		t.Error("Check compares the caller's sha256 with the recorded one")
	}
}

func TestSidecarConversion(t *testing.T) {
	at := time.Date(2026, 11, 20, 8, 30, 0, 0, time.UTC)
	for name, c := range map[string]struct {
		art      Artifact
		platform string
	}{
		"pure wheel": {
			art:      Artifact{Name: "greet-1.0-py3-none-any.whl", Kind: KindWheel, Tags: []string{"py3-none-any"}, Python: "3.11.2"},
			platform: "any",
		},
		"platform wheel, last tag": {
			art:      Artifact{Name: "greet-1.0-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl", Kind: KindWheel, Tags: []string{"cp311-cp311-manylinux_2_17_x86_64", "cp311-cp311-manylinux2014_x86_64"}},
			platform: "manylinux2014_x86_64",
		},
		"sdist":     {art: Artifact{Name: "greet-1.0.tar.gz", Kind: KindSdist}, platform: "any"},
		"archive":   {art: Artifact{Name: "greet-1.0-linux-x86_64.tar.gz", Kind: KindArchive, Tags: []string{"linux-x86_64"}}, platform: "linux-x86_64"},
		"installer": {art: Artifact{Name: "greet-1.0-windows-amd64-installer.exe", Kind: KindInstaller, Tags: []string{"windows-amd64"}}, platform: "windows-amd64"},
	} {
		t.Run(name, func(t *testing.T) {
			a := c.art
			a.Path, a.Version, a.SHA256, a.Size, a.Commit, a.BuiltAt, a.Project = PathFor(a.Kind, a.Name), "1.0", "ab", 3, "c0ffee", at, "greet"
			sc := a.Sidecar()
			if sc.Platform != c.platform || sc.File != a.Name || sc.Kind != a.Kind || sc.SHA256 != a.SHA256 || sc.Size != a.Size {
				t.Errorf("Sidecar = %+v", sc)
			}
			// What the store adds about the publish does not change the
			// artifact it describes.
			sc.Branch, sc.Tag, sc.Family, sc.PublishedAt = "main", "v1.0", "greet-{version}.tar.gz", at.Add(time.Hour)
			back := sc.Artifact()
			if !reflect.DeepEqual(back, a) {
				t.Errorf("round trip:\n got %+v\nwant %+v", back, a)
			}
		})
	}
	// A sidecar that names no kind (written before kinds were recorded)
	// takes the kind its file name says.
	if a := (Sidecar{File: "greet-1.0-linux-x86_64.tar.gz"}).Artifact(); a.Kind != KindArchive || a.Path != Sub+"/greet-1.0-linux-x86_64.tar.gz" {
		t.Errorf("kindless sidecar: %+v", a)
	}
}

func TestManifestFilter(t *testing.T) {
	dir := t.TempDir()
	if err := Record(context.Background(), dir, sample...); err != nil {
		t.Fatal(err)
	}
	m, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if got := m.Artifacts.Filter(And(ByVersion("1.0"), ByKind(KindArchive))); len(got) != 2 || got[0].Path != Sub+"/greet-1.0-linux-x86_64.tar.gz" {
		t.Errorf("archives of 1.0 = %+v", got)
	}
}
