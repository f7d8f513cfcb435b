package config

import (
	"os"
	"path/filepath"
	"testing"
)

func TestDeclaredVersionFile(t *testing.T) {
	tests := map[string]struct {
		files map[string]string // path: content; pyproject.toml gets a [project] name first
		want  DeclaredVersionFile
		none  bool
	}{
		"setuptools attr in src, as requests": {
			files: map[string]string{
				"pyproject.toml":                    "[tool.setuptools.dynamic]\nversion = {attr = \"requests.__version__.__version__\"}\n",
				"src/requests/__version__.py":       "__version__ = \"2.34.2\"\n",
				"src/requests/__init__.py":          "",
				"requests_shadow/__version__.py":    "",
				"src/requests/__version__/x.py":     "",
				"src/requests/__version__.pyi":      "",
				"src/requests/other/__init__.py":    "",
				"src/requests/other/__version__.py": "",
			},
			want: DeclaredVersionFile{Path: "src/requests/__version__.py", From: "[tool.setuptools.dynamic] version attr"},
		},
		"setuptools attr of a package": {
			files: map[string]string{"pyproject.toml": "[tool.setuptools.dynamic]\nversion = {attr = \"pkg.VERSION\"}\n", "pkg/__init__.py": "VERSION = \"1\"\n"},
			want:  DeclaredVersionFile{Path: "pkg/__init__.py", From: "[tool.setuptools.dynamic] version attr"},
		},
		"setuptools attr under package-dir": {
			files: map[string]string{"pyproject.toml": "[tool.setuptools.package-dir]\n\"\" = \"lib\"\n[tool.setuptools.dynamic]\nversion = {attr = \"pkg.__version__\"}\n", "lib/pkg/__init__.py": ""},
			want:  DeclaredVersionFile{Path: "lib/pkg/__init__.py", From: "[tool.setuptools.dynamic] version attr"},
		},
		"setuptools file": {
			files: map[string]string{"pyproject.toml": "[tool.setuptools.dynamic]\nversion = {file = \"VERSION\"}\n", "VERSION": "1.2.0\n"},
			want:  DeclaredVersionFile{Path: "VERSION", Plain: true, From: "[tool.setuptools.dynamic] version file"},
		},
		"setup.cfg attr with package_dir, as httpie": {
			files: map[string]string{"pyproject.toml": "", "setup.cfg": "[metadata]\nname = httpie\nversion = attr: httpie.__version__\n\n[options]\npackage_dir =\n    =src\n", "src/httpie/__init__.py": ""},
			want:  DeclaredVersionFile{Path: "src/httpie/__init__.py", From: "setup.cfg [metadata] version = attr:"},
		},
		"setup.cfg file": {
			files: map[string]string{"pyproject.toml": "", "setup.cfg": "[metadata]\nversion = file: src/VERSION.txt\n", "src/VERSION.txt": "3\n"},
			want:  DeclaredVersionFile{Path: "src/VERSION.txt", Plain: true, From: "setup.cfg [metadata] version = file:"},
		},
		"hatch path, as httpx": {
			files: map[string]string{"pyproject.toml": "[tool.hatch.version]\npath = \"httpx/__version__.py\"\n", "httpx/__version__.py": ""},
			want:  DeclaredVersionFile{Path: "httpx/__version__.py", From: "[tool.hatch.version] path"},
		},
		"pdm file source": {
			files: map[string]string{"pyproject.toml": "[tool.pdm.version]\nsource = \"file\"\npath = \"src/x/__init__.py\"\n", "src/x/__init__.py": ""},
			want:  DeclaredVersionFile{Path: "src/x/__init__.py", From: "[tool.pdm.version] path"},
		},
		"flit module": {
			files: map[string]string{"pyproject.toml": "[tool.flit.module]\nname = \"ns.mod\"\n", "src/ns/mod/__init__.py": ""},
			want:  DeclaredVersionFile{Path: "src/ns/mod/__init__.py", From: "[tool.flit.module] name"},
		},
		"hatch vcs source":       {files: map[string]string{"pyproject.toml": "[tool.hatch.version]\nsource = \"vcs\"\n"}, none: true},
		"attr of a missing file": {files: map[string]string{"pyproject.toml": "[tool.setuptools.dynamic]\nversion = {attr = \"gone.__version__\"}\n"}, none: true},
		"path out of the project": {
			files: map[string]string{"pyproject.toml": "[tool.hatch.version]\npath = \"../outside.py\"\n"}, none: true,
		},
		"attr not a module": {files: map[string]string{"pyproject.toml": "[tool.setuptools.dynamic]\nversion = {attr = \"../x.y\"}\n"}, none: true},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			root := t.TempDir()
			dir := filepath.Join(root, "proj")
			os.WriteFile(filepath.Join(root, "outside.py"), []byte("__version__ = \"1\"\n"), 0o644)
			for p, content := range tc.files {
				if p == "pyproject.toml" {
					content = "[project]\nname = \"x\"\ndynamic = [\"version\"]\n" + content
				}
				path := filepath.Join(dir, filepath.FromSlash(p))
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			c, err := Load(dir)
			if err != nil {
				t.Fatal(err)
			}
			got, ok := c.DeclaredVersionFile()
			if tc.none {
				if ok {
					t.Fatalf("DeclaredVersionFile = %+v, want none", got)
				}
				return
			}
			tc.want.Path = filepath.FromSlash(tc.want.Path)
			if !ok || got != tc.want {
				t.Errorf("DeclaredVersionFile = %+v, %v; want %+v", got, ok, tc.want)
			}
		})
	}
}
