package dist

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

func TestRecordReplacesByNameAndSorts(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	at := time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)
	if err := Record(ctx, dir, Artifact{Name: "b.whl", Kind: KindWheel, SHA256: "1", BuiltAt: at}, Artifact{Name: "a.tar.gz", Kind: KindSdist}); err != nil {
		t.Fatal(err)
	}
	if err := Record(ctx, dir, Artifact{Name: "b.whl", Kind: KindWheel, SHA256: "2"}); err != nil {
		t.Fatal(err)
	}
	m, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Artifacts) != 2 || m.Artifacts[0].Name != "a.tar.gz" || m.Artifacts[1].SHA256 != "2" {
		t.Fatalf("artifacts = %+v", m.Artifacts)
	}
	if a, ok := m.Find("b.whl"); !ok || a.SHA256 != "2" {
		t.Errorf("Find = %+v, %v", a, ok)
	}
	if m.FormatVersion != formatVersion {
		t.Errorf("format_version = %d", m.FormatVersion)
	}
}

func TestRecordConcurrentKeepsEverything(t *testing.T) {
	dir := t.TempDir()
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := Record(context.Background(), dir, Artifact{Name: string(rune('a'+i)) + ".whl"}); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	m, err := Load(dir)
	if err != nil || len(m.Artifacts) != 20 {
		t.Fatalf("%d artifacts, %v", len(m.Artifacts), err)
	}
}

func TestRecordRefusesPaths(t *testing.T) {
	if err := Record(context.Background(), t.TempDir(), Artifact{Name: "../x.whl"}); err == nil {
		t.Fatal("want an error for a name with a path")
	}
}

func TestLoadErrors(t *testing.T) {
	dir := t.TempDir()
	m, err := Load(dir)
	if err != nil || len(m.Artifacts) != 0 {
		t.Fatalf("missing manifest: %+v, %v", m, err)
	}
	for name, content := range map[string]string{
		"not json":     "{",
		"newer format": `{"format_version": 99, "artifacts": []}`,
	} {
		t.Run(name, func(t *testing.T) {
			if err := os.MkdirAll(filepath.Join(dir, Sub), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(ManifestPath(dir), []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
			if _, err := Load(dir); !errors.Is(err, ErrFormat) {
				t.Errorf("err = %v, want ErrFormat", err)
			}
		})
	}
}

func TestHash(t *testing.T) {
	path := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(path, []byte("abc"), 0o644); err != nil {
		t.Fatal(err)
	}
	sum, n, err := Hash(path)
	if err != nil || n != 3 || sum != "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" {
		t.Errorf("Hash = %s, %d, %v", sum, n, err)
	}
}

func TestLayout(t *testing.T) {
	for _, c := range []struct{ name, kind, path, kindOf string }{
		{name: "greet-1.0-py3-none-any.whl", kind: KindWheel, path: "greet-1.0-py3-none-any.whl", kindOf: KindWheel},
		{name: "greet-1.0.tar.gz", kind: KindSdist, path: "greet-1.0.tar.gz", kindOf: KindSdist},
		{name: "greet-1.0-linux-x86_64.tar.gz", kind: KindArchive, path: ".pyrelease/greet-1.0-linux-x86_64.tar.gz", kindOf: KindArchive},
		{name: "greet-1.0-linux-x86_64-installer.run", kind: KindInstaller, path: ".pyrelease/greet-1.0-linux-x86_64-installer.run", kindOf: KindInstaller},
	} {
		if got := PathFor(c.kind, c.name); got != c.path {
			t.Errorf("PathFor(%s, %s) = %s, want %s", c.kind, c.name, got, c.path)
		}
		if got := KindOf(c.name); got != c.kindOf {
			t.Errorf("KindOf(%s) = %s, want %s", c.name, got, c.kindOf)
		}
	}
	if ModeFor(KindInstaller, "x.run") != 0o755 || ModeFor(KindInstaller, "x.dmg") != 0o644 || ModeFor(KindWheel, "x.whl") != 0o644 {
		t.Error("installers are programs (but a .dmg is an image), the rest data")
	}
	// Record fills the path from the kind: wheels and sdists at the top
	// of dist/, the rest in .pyrelease/, beside the manifest.
	dir := t.TempDir()
	if err := Record(context.Background(), dir, Artifact{Name: "g-1.0-linux-x86_64.tar.gz", Kind: KindArchive}, Artifact{Name: "g-1.0.tar.gz", Kind: KindSdist}); err != nil {
		t.Fatal(err)
	}
	m, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if a, _ := m.Find("g-1.0-linux-x86_64.tar.gz"); a.Path != ".pyrelease/g-1.0-linux-x86_64.tar.gz" {
		t.Errorf("archive path %q", a.Path)
	}
	if a, _ := m.Find("g-1.0.tar.gz"); a.Path != "g-1.0.tar.gz" {
		t.Errorf("sdist path %q", a.Path)
	}
	if _, err := os.Stat(filepath.Join(dir, ".pyrelease", "artifacts.json")); err != nil {
		t.Errorf("the manifest is not in dist/.pyrelease: %v", err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("dist/ holds %v, want only .pyrelease", entries)
	}
}
