package targets

import (
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"
)

func TestStaleBuild(t *testing.T) {
	built := func(version string, replaced bool) *debug.BuildInfo {
		m := &debug.Module{Path: modulePath, Version: version}
		if replaced {
			m.Replace = &debug.Module{Path: "../pyrelease"}
		}
		return &debug.BuildInfo{Main: debug.Module{Path: "example.com/greet/build"},
			Deps: []*debug.Module{{Path: "github.com/magefile/mage", Version: "v1.17.2"}, m}}
	}
	const head = "module example.com/greet/build\n\ngo 1.26\n\ntool github.com/magefile/mage\n\n"
	for name, c := range map[string]struct {
		info  *debug.BuildInfo
		gomod string
		stale bool
	}{
		"same version":             {info: built("v0.4.0", false), gomod: head + "require github.com/pyrelease/pyrelease v0.4.0\n"},
		"updated":                  {info: built("v0.3.0", false), gomod: head + "require github.com/pyrelease/pyrelease v0.4.0\n", stale: true},
		"downgraded, in a block":   {info: built("v0.4.0", false), gomod: head + "require (\n\tgithub.com/magefile/mage v1.17.2 // indirect\n\tgithub.com/pyrelease/pyrelease v0.3.1\n)\n", stale: true},
		"pseudo-version":           {info: built("v0.4.1-0.20261201120000-0123456789ab", false), gomod: head + "require github.com/pyrelease/pyrelease v0.4.1-0.20261202120000-ba9876543210\n", stale: true},
		"replaced in go.mod":       {info: built("v0.3.0", false), gomod: head + "require github.com/pyrelease/pyrelease v0.4.0\nreplace github.com/pyrelease/pyrelease => ../pyrelease\n"},
		"built from a replacement": {info: built("v0.3.0", true), gomod: head + "require github.com/pyrelease/pyrelease v0.4.0\n"},
		"not required":             {info: built("v0.3.0", false), gomod: head},
		"this module itself":       {info: &debug.BuildInfo{Main: debug.Module{Path: modulePath}}, gomod: "module github.com/pyrelease/pyrelease\n\ngo 1.26\n"},
		"unreadable go.mod":        {info: built("v0.3.0", false), gomod: "module {\n"},
	} {
		t.Run(name, func(t *testing.T) {
			err := staleBuild(c.info, "/src/greet/go.mod", []byte(c.gomod))
			if !c.stale {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatal("a stale build was let run")
			}
			for _, want := range []string{"/src/greet/go.mod", "go tool mage -f", "built with github.com/pyrelease/pyrelease v0."} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q lacks %q", err, want)
				}
			}
		})
	}
}

func TestFindGoMod(t *testing.T) {
	root := t.TempDir()
	sub := filepath.Join(root, "a", "b")
	if err := os.MkdirAll(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "go.mod"), []byte("module x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	path, data, err := findGoMod(sub)
	if err != nil || path != filepath.Join(root, "go.mod") || string(data) != "module x\n" {
		t.Fatalf("findGoMod = %q, %q, %v; want the root's go.mod", path, data, err)
	}
}
