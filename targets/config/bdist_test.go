package config

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

const bdistProject = `[project]
name = "mitmproxy"
[project.scripts]
mitmproxy = "mitmproxy.tools.main:mitmproxy"
mitmdump = "mitmproxy.tools.main:mitmdump"
pathoc = "pathod.pathoc_cmdline:go_pathoc"
`

func loadText(t *testing.T, text string) (*Config, error) {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "pyproject.toml"), []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return LoadEnv(dir, nil)
}

func TestBdistDefaults(t *testing.T) {
	c, err := loadText(t, bdistProject)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{"mitmproxy": {"mitmdump", "mitmproxy", "pathoc"}}
	if !reflect.DeepEqual(c.Bdist.Groups, want) || c.Bdist.Freezer != "pyinstaller" {
		t.Errorf("Bdist = %+v", c.Bdist)
	}
	if c.Bdist.Tools["pathoc"].EntryPoint != "pathod.pathoc_cmdline:go_pathoc" {
		t.Errorf("entry point not taken from [project.scripts]: %+v", c.Bdist.Tools)
	}
}

func TestBdistGroupsAndTools(t *testing.T) {
	c, err := loadText(t, bdistProject+`
[tool.pyrelease.bdist]
freezer = "zipapp"
installers = ["run", "exe"]
groups = { mitmproxy = ["mitmproxy", "mitmdump"], pathod = ["pathoc", "pathod"] }
[tool.pyrelease.bdist.tools.mitmproxy]
excludes = ["tkinter"]
icon = "release/icon.ico"
[tool.pyrelease.bdist.tools.pathod]
entry-point = "pathod.pathod_cmdline:go_pathod"
`)
	if err != nil {
		t.Fatal(err)
	}
	b := c.Bdist
	if b.Freezer != "zipapp" || !reflect.DeepEqual(b.Installers, []string{"run", "exe"}) || len(b.Groups) != 2 {
		t.Errorf("Bdist = %+v", b)
	}
	if b.Tools["mitmproxy"].EntryPoint != "mitmproxy.tools.main:mitmproxy" || b.Tools["mitmproxy"].Icon != "release/icon.ico" {
		t.Errorf("mitmproxy = %+v", b.Tools["mitmproxy"])
	}
	if b.Tools["pathod"].EntryPoint != "pathod.pathod_cmdline:go_pathod" {
		t.Errorf("pathod = %+v", b.Tools["pathod"])
	}
}

func TestBdistBad(t *testing.T) {
	tests := map[string]struct {
		toml string
		is   error
		want string
	}{
		"unknown tool in a group": {
			toml: "[tool.pyrelease.bdist]\ngroups = { mitmproxy = [\"mitmweb\"] }\n",
			is:   ErrInvalid, want: `groups.mitmproxy: expected tools listed in [project.scripts]`,
		},
		"unknown freezer": {
			toml: "[tool.pyrelease.bdist]\nfreezer = \"nuitka\"\n",
			is:   ErrInvalid, want: `freezer: expected "pyinstaller" or "zipapp"`,
		},
		"unknown installer": {
			toml: "[tool.pyrelease.bdist]\ninstallers = [\"msi\"]\n",
			is:   ErrInvalid, want: `installers: expected "run", "exe" or "dmg", got "msi"`,
		},
		"unknown key": {
			toml: "[tool.pyrelease.bdist]\nfreezers = \"zipapp\"\n",
			is:   ErrUnknownKey, want: `unknown key "freezers" in [tool.pyrelease.bdist]`,
		},
		"unknown tool key": {
			toml: "[tool.pyrelease.bdist.tools.mitmproxy]\nicons = \"x.ico\"\n",
			is:   ErrUnknownKey, want: `unknown key "icons" in [tool.pyrelease.bdist.tools.mitmproxy]`,
		},
		"excludes not a list": {
			toml: "[tool.pyrelease.bdist.tools.mitmproxy]\nexcludes = 3\n",
			is:   ErrType, want: "tools.mitmproxy.excludes: expected an array of strings",
		},
		"empty group": {
			toml: "[tool.pyrelease.bdist]\ngroups = { x = [] }\n",
			is:   ErrInvalid, want: "groups.x: expected at least one tool",
		},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := loadText(t, bdistProject+tt.toml)
			if !errors.Is(err, tt.is) || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), "pyproject.toml") {
				t.Errorf("err = %v\nwant %v containing %q and the file", err, tt.is, tt.want)
			}
		})
	}
}
