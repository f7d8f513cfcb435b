package config

import (
	"errors"
	"fmt"
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

func TestBdistPyInstaller(t *testing.T) {
	tests := map[string]struct {
		value string // TOML value of the key; "" leaves it out
		want  string
		is    error
	}{
		"unset":           {want: ""},
		"version":         {value: `"6.22.3"`, want: "pyinstaller==6.22.3"},
		"post release":    {value: `"6.11.1.post1"`, want: "pyinstaller==6.11.1.post1"},
		"pre-release":     {value: `" 7.0.0rc1 "`, want: "pyinstaller==7.0.0rc1"},
		"range":           {value: `"pyinstaller>=6.10,<7"`, want: "pyinstaller>=6.10,<7"},
		"pinned":          {value: `"PyInstaller == 6.22.3"`, want: "PyInstaller == 6.22.3"},
		"compatible":      {value: `"pyinstaller~=6.22"`, want: "pyinstaller~=6.22"},
		"bare name":       {value: `"pyinstaller"`, want: "pyinstaller"},
		"with marker":     {value: `"pyinstaller>=6; python_version >= '3.8'"`, want: "pyinstaller>=6; python_version >= '3.8'"},
		"direct url":      {value: `"pyinstaller @ file:///wheels/pyinstaller-6.22.3-py3-none-manylinux2014_x86_64.whl"`, want: "pyinstaller @ file:///wheels/pyinstaller-6.22.3-py3-none-manylinux2014_x86_64.whl"},
		"another name":    {value: `"nuitka>=2"`, is: ErrInvalid},
		"a word":          {value: `"latest"`, is: ErrInvalid},
		"trailing comma":  {value: `"pyinstaller>=6,"`, is: ErrInvalid},
		"two specs glued": {value: `"pyinstaller>=6<7"`, is: ErrInvalid},
		"empty":           {value: `""`, is: ErrInvalid},
		"a number":        {value: `6`, is: ErrType},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			text := bdistProject
			if tc.value != "" {
				text += "[tool.pyrelease.bdist]\npyinstaller = " + tc.value + "\n"
			}
			c, err := loadText(t, text)
			if tc.is != nil {
				if !errors.Is(err, tc.is) || !strings.Contains(err.Error(), "[tool.pyrelease.bdist] pyinstaller") || !strings.Contains(err.Error(), "pyproject.toml") {
					t.Fatalf("err = %v, want %v naming the file and [tool.pyrelease.bdist] pyinstaller", err, tc.is)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if c.Bdist.PyInstaller != tc.want {
				t.Errorf("PyInstaller = %q, want %q", c.Bdist.PyInstaller, tc.want)
			}
		})
	}
}

// Every documented key is one the decoder takes, and every key it takes
// is documented.
func TestBdistKeysMatchDecoder(t *testing.T) {
	var top, tool strings.Builder
	top.WriteString(bdistProject + "[tool.pyrelease.bdist]\n")
	tool.WriteString("[tool.pyrelease.bdist.tools.mitmproxy]\n")
	values := map[string]string{"freezer": `"zipapp"`, "pyinstaller": `"6.22.3"`, "groups": `{ m = ["mitmproxy"] }`, "installers": `["run"]`,
		"entry-point": `"m:main"`, "excludes": `["tkinter"]`, "hooks-dir": `"h"`, "icon": `"i.ico"`, "data": `["a:b"]`, "args": `["--strip"]`}
	for _, k := range BdistKeys {
		name, isTool := strings.CutPrefix(k.Name, "tools.NAME.")
		v, ok := values[name]
		if !ok {
			t.Fatalf("no test value for %s", k.Name)
		}
		if k.Env != "" {
			t.Errorf("%s has a variable, which nothing reads", k.Name)
		}
		if isTool {
			fmt.Fprintf(&tool, "%s = %s\n", name, v)
		} else {
			fmt.Fprintf(&top, "%s = %s\n", name, v)
		}
	}
	if len(BdistKeys) != len(values) {
		t.Errorf("%d keys documented, %d known", len(BdistKeys), len(values))
	}
	if _, err := loadText(t, top.String()+tool.String()); err != nil {
		t.Fatal(err)
	}
}
