package config

import (
	"errors"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

func TestLoadGood(t *testing.T) {
	tests := map[string]struct {
		toml  string
		check func(t *testing.T, c *Config)
	}{
		"no tool table gives defaults": {
			toml: header + "version = \"1.2.3\"\n[tool.black]\nline-length = 88\n",
			check: func(t *testing.T, c *Config) {
				want := Config{VersionScheme: "pep440", VersionFormat: "pep440", Remote: "origin"}
				got := Config{VersionScheme: c.VersionScheme, VersionFormat: c.VersionFormat, Remote: c.Remote,
					TagPattern: c.TagPattern, TagFormat: c.TagFormat, Changelog: c.Changelog, Push: c.Push,
					VersionFiles: c.VersionFiles, Tool: c.Tool}
				if !reflect.DeepEqual(got, want) {
					t.Errorf("defaults = %+v, want %+v", got, want)
				}
				if c.Project.Version != "1.2.3" {
					t.Errorf("Project.Version = %q", c.Project.Version)
				}
			},
		},
		"project table": {
			toml: `[project]
name = "my.Pkg"
dynamic = ["version", "readme"]
requires-python = ">=3.9"
[project.scripts]
mytool = "my_pkg.cli:main"
other = "my_pkg.other:run"
`,
			check: func(t *testing.T, c *Config) {
				want := Project{
					Name: "my.Pkg", NameFrom: NameFromProject, Dynamic: []string{"version", "readme"}, RequiresPython: ">=3.9",
					Scripts: map[string]string{"mytool": "my_pkg.cli:main", "other": "my_pkg.other:run"},
				}
				if !reflect.DeepEqual(c.Project, want) {
					t.Errorf("Project = %+v, want %+v", c.Project, want)
				}
			},
		},
		"every key set": {
			toml: header + `[tool.pyrelease]
version-scheme = "file"
version-file = "src/demo_pkg/version.py"
tag-pattern = "pkg/v*"
tag-format = "pkg/v{version}"
version-format = "semver"
changelog = "docs/CHANGES.md"
push = true
remote = "upstream"
`,
			check: func(t *testing.T, c *Config) {
				if c.VersionScheme != "file" || c.TagPattern != "pkg/v*" || c.TagFormat != "pkg/v{version}" ||
					c.VersionFormat != "semver" || c.Changelog != "docs/CHANGES.md" || !c.Push || c.Remote != "upstream" {
					t.Errorf("got %+v", c)
				}
				want := []VersionFile{{Path: filepath.Join("src", "demo_pkg", "version.py")}}
				if !reflect.DeepEqual(c.VersionFiles, want) {
					t.Errorf("VersionFiles = %+v, want %+v", c.VersionFiles, want)
				}
			},
		},
		"version-file list of paths and tables": {
			toml: header + `[tool.pyrelease]
version-file = [
  "demo_pkg/__init__.py",
  { path = "setup.cfg", pattern = '^version = (\S+)$' },
  { path = "./docs/../conf.py" },
]
`,
			check: func(t *testing.T, c *Config) {
				if len(c.VersionFiles) != 3 {
					t.Fatalf("VersionFiles = %+v, want 3 entries", c.VersionFiles)
				}
				if got := c.VersionFiles[0]; got.Path != filepath.Join("demo_pkg", "__init__.py") || got.Pattern != nil {
					t.Errorf("[0] = %+v", got)
				}
				vf := c.VersionFiles[1]
				if vf.Path != "setup.cfg" || vf.PatternText != `^version = (\S+)$` || vf.Pattern == nil {
					t.Fatalf("[1] = %+v", vf)
				}
				if m := vf.Pattern.FindStringSubmatch("version = 1.0"); len(m) != 2 || m[1] != "1.0" {
					t.Errorf("pattern match = %q", m)
				}
				if got := c.VersionFiles[2].Path; got != "conf.py" {
					t.Errorf("[2].Path = %q, want cleaned conf.py", got)
				}
			},
		},
		"version-file as array of tables": {
			toml: header + `[[tool.pyrelease.version-file]]
path = "a.py"
[[tool.pyrelease.version-file]]
path = "b.toml"
pattern = 'v = "(.*)"'
`,
			check: func(t *testing.T, c *Config) {
				if len(c.VersionFiles) != 2 || c.VersionFiles[0].Path != "a.py" || c.VersionFiles[1].PatternText != `v = "(.*)"` {
					t.Errorf("VersionFiles = %+v", c.VersionFiles)
				}
			},
		},
		"empty version-file list": {
			toml: header + "[tool.pyrelease]\nversion-file = []\n",
			check: func(t *testing.T, c *Config) {
				if len(c.VersionFiles) != 0 {
					t.Errorf("VersionFiles = %+v", c.VersionFiles)
				}
			},
		},
		"changelog false disables": {
			toml: header + "[tool.pyrelease]\nchangelog = false\n",
			check: func(t *testing.T, c *Config) {
				if c.Changelog != "none" {
					t.Errorf("Changelog = %q, want none", c.Changelog)
				}
			},
		},
		"changelog true auto-detects": {
			toml: header + "[tool.pyrelease]\nchangelog = true\n",
			check: func(t *testing.T, c *Config) {
				if c.Changelog != "" {
					t.Errorf("Changelog = %q, want empty", c.Changelog)
				}
			},
		},
		"build settings": {
			toml: header + `[tool.pyrelease]
python = "/usr/bin/python3"
isolation = true
tools = ["greet", "greet-admin"]
smoke-command = "--help"
`,
			check: func(t *testing.T, c *Config) {
				if c.Python != "/usr/bin/python3" || !c.Isolation {
					t.Errorf("Python = %q, Isolation = %v", c.Python, c.Isolation)
				}
				if strings.Join(c.Tools, ",") != "greet,greet-admin" || strings.Join(c.SmokeCommand, ",") != "--help" {
					t.Errorf("Tools = %q, SmokeCommand = %q", c.Tools, c.SmokeCommand)
				}
			},
		},
		"repair settings": {
			toml: header + `[tool.pyrelease]
repair = false
repair-command = ["delocate-wheel", "--require-archs", "arm64", "-w", "{dest_dir}", "{wheel}"]
`,
			check: func(t *testing.T, c *Config) {
				if c.Repair || strings.Join(c.RepairCommand, " ") != "delocate-wheel --require-archs arm64 -w {dest_dir} {wheel}" {
					t.Errorf("Repair = %v, RepairCommand = %q", c.Repair, c.RepairCommand)
				}
			},
		},
		"repair by default": {
			toml: header,
			check: func(t *testing.T, c *Config) {
				if !c.Repair || c.RepairCommand != nil {
					t.Errorf("Repair = %v, RepairCommand = %q; want true and auditwheel", c.Repair, c.RepairCommand)
				}
			},
		},
		"release table": {
			toml: header + `[tool.pyrelease]
push = false
[tool.pyrelease.release]
repository = "testpypi"
index-url = "https://test.pypi.org/simple/"
verify-timeout = 60
`,
			check: func(t *testing.T, c *Config) {
				want := Release{Repository: "testpypi", IndexURL: "https://test.pypi.org/simple/", VerifyTimeout: 60}
				if c.Release != want {
					t.Errorf("Release = %+v, want %+v", c.Release, want)
				}
				if c.Tool["push"] != false {
					t.Errorf("Tool[push] = %#v", c.Tool["push"])
				}
			},
		},
		"release defaults": {
			toml: header,
			check: func(t *testing.T, c *Config) {
				if c.Release != (Release{VerifyTimeout: 600}) {
					t.Errorf("Release = %+v", c.Release)
				}
			},
		},
		"no project table": {
			toml: "[tool.pyrelease]\nremote = \"r\"\n",
			check: func(t *testing.T, c *Config) {
				if c.Project.Name != "" || c.Remote != "r" {
					t.Errorf("got %+v", c)
				}
			},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			dir, file := project(t, tc.toml)
			c, err := LoadEnv(dir, nil)
			if err != nil {
				t.Fatalf("LoadEnv: %v", err)
			}
			if c.Dir != dir || c.File != file {
				t.Errorf("Dir, File = %q, %q; want %q, %q", c.Dir, c.File, dir, file)
			}
			tc.check(t, c)
		})
	}
}

func TestLoadBad(t *testing.T) {
	tests := map[string]struct {
		toml string
		is   error
		want []string // substrings of the error besides the file path
	}{
		"unknown key with suggestion": {
			toml: "[tool.pyrelease]\nversion-schema = \"file\"\n",
			is:   ErrUnknownKey,
			want: []string{`unknown key "version-schema" in [tool.pyrelease] (did you mean "version-scheme"?)`, "valid keys: version-scheme, version-file,", "[tool.pyrelease.bdist]"},
		},
		"unknown key with underscores": {
			toml: "[tool.pyrelease]\ntag_format = \"v{version}\"\n",
			is:   ErrUnknownKey,
			want: []string{`"tag_format"`, `did you mean "tag-format"?`},
		},
		"unknown key far from any": {
			toml: "[tool.pyrelease]\nfrobnicate = 1\n",
			is:   ErrUnknownKey,
			want: []string{`unknown key "frobnicate" in [tool.pyrelease]; valid keys: `},
		},
		"unknown sub-table": {
			toml: "[tool.pyrelease.snapshots]\nx = 1\n",
			is:   ErrUnknownKey,
			want: []string{`"snapshots"`, `did you mean "snapshot"?`},
		},
		"reserved table not a table": {
			toml: "[tool.pyrelease]\nbdist = \"yes\"\n",
			is:   ErrType,
			want: []string{"[tool.pyrelease] bdist: expected a table, got string \"yes\""},
		},
		"extras with a requirement": {
			toml: "[tool.pyrelease]\nextras = [\"cli\", \"httpx[cli]\"]\n",
			is:   ErrInvalid,
			want: []string{`[tool.pyrelease] extras[1]: expected an extra's name, such as cli or http2 (letters, digits, -, _ and .), got "httpx[cli]"`},
		},
		"push as string": {
			toml: "[tool.pyrelease]\npush = \"yes\"\n",
			is:   ErrType,
			want: []string{`[tool.pyrelease] push: expected a boolean (true or false, unquoted), got string "yes"`},
		},
		"tools with a number": {
			toml: "[tool.pyrelease]\ntools = [\"greet\", 2]\n",
			is:   ErrType,
			want: []string{"[tool.pyrelease] tools[1]: expected a string, got integer 2"},
		},
		"isolation as string": {
			toml: "[tool.pyrelease]\nisolation = \"true\"\n",
			is:   ErrType,
			want: []string{`isolation: expected a boolean`},
		},
		"repair as string": {
			toml: "[tool.pyrelease]\nrepair = \"no\"\n",
			is:   ErrType,
			want: []string{`[tool.pyrelease] repair: expected a boolean (true or false, unquoted), got string "no"`},
		},
		"repair-command without dest_dir": {
			toml: "[tool.pyrelease]\nrepair-command = [\"delvewheel\", \"repair\", \"{wheel}\"]\n",
			is:   ErrInvalid,
			want: []string{`[tool.pyrelease] repair-command: expected a command with {wheel} and {dest_dir} among its arguments`, `got "delvewheel repair {wheel}"`},
		},
		"repair-command empty": {
			toml: "[tool.pyrelease]\nrepair-command = []\n",
			is:   ErrInvalid,
			want: []string{`[tool.pyrelease] repair-command: expected a command with {wheel} and {dest_dir}`, `got no command`},
		},
		"remote as integer": {
			toml: "[tool.pyrelease]\nremote = 3\n",
			is:   ErrType,
			want: []string{"[tool.pyrelease] remote: expected a string, got integer 3"},
		},
		"changelog as array": {
			toml: "[tool.pyrelease]\nchangelog = [\"a\"]\n",
			is:   ErrType,
			want: []string{`[tool.pyrelease] changelog: expected a path, "none" or false, got an array`},
		},
		"version-file as integer": {
			toml: "[tool.pyrelease]\nversion-file = 1\n",
			is:   ErrType,
			want: []string{"[tool.pyrelease] version-file: expected a path or an array", "got integer 1"},
		},
		"version-file entry wrong type": {
			toml: "[tool.pyrelease]\nversion-file = [\"a.py\", 2.5]\n",
			is:   ErrType,
			want: []string{"[tool.pyrelease] version-file[1]: expected a path or a {path, pattern} table, got float 2.5"},
		},
		"version-file table without path": {
			toml: "[tool.pyrelease]\nversion-file = [{ pattern = '(x)' }]\n",
			is:   ErrType,
			want: []string{"[tool.pyrelease] version-file[0].path: expected a string, got none"},
		},
		"version-file table unknown key": {
			toml: "[tool.pyrelease]\nversion-file = [{ path = \"a.py\", patern = '(x)' }]\n",
			is:   ErrUnknownKey,
			want: []string{`unknown key "patern" in [tool.pyrelease] version-file[0] (did you mean "pattern"?); valid keys: path, pattern`},
		},
		"bad regexp": {
			toml: "[tool.pyrelease]\nversion-file = [{ path = \"a.py\", pattern = 'v = ((.*)' }]\n",
			is:   ErrInvalid,
			want: []string{"[tool.pyrelease] version-file[0].pattern: expected a Go regexp with one capture group", `got "v = ((.*)"`, "missing closing )"},
		},
		"regexp without group": {
			toml: "[tool.pyrelease]\nversion-file = [{ path = \"a.py\", pattern = 'v = .*' }]\n",
			is:   ErrInvalid,
			want: []string{"version-file[0].pattern", "with 0 groups"},
		},
		"regexp with two groups": {
			toml: "[tool.pyrelease]\nversion-file = [{ path = \"a.py\", pattern = '(v) = (.*)' }]\n",
			is:   ErrInvalid,
			want: []string{"version-file[0].pattern", "with 2 groups"},
		},
		"version-scheme not allowed": {
			toml: "[tool.pyrelease]\nversion-scheme = \"git\"\n",
			is:   ErrInvalid,
			want: []string{`[tool.pyrelease] version-scheme: expected one of "pep440", "file", got "git"`},
		},
		"version-format not allowed": {
			toml: "[tool.pyrelease]\nversion-format = \"calver\"\n",
			is:   ErrInvalid,
			want: []string{`[tool.pyrelease] version-format: expected one of "pep440", "semver", got "calver"`},
		},
		"file scheme without files": {
			toml: "[tool.pyrelease]\nversion-scheme = \"file\"\n",
			is:   ErrInvalid,
			want: []string{"[tool.pyrelease] version-scheme: expected a version-file", "got no version-file"},
		},
		"tag-format without placeholder": {
			toml: "[tool.pyrelease]\ntag-format = \"v{ver}\"\n",
			is:   ErrInvalid,
			want: []string{`[tool.pyrelease] tag-format: expected a tag name containing "{version}"`, `got "v{ver}"`},
		},
		"tag-pattern malformed": {
			toml: "[tool.pyrelease]\ntag-pattern = \"v[0-9\"\n",
			is:   ErrInvalid,
			want: []string{`[tool.pyrelease] tag-pattern: expected a glob`, `got "v[0-9"`, "syntax error in pattern"},
		},
		"empty remote": {
			toml: "[tool.pyrelease]\nremote = \"\"\n",
			is:   ErrInvalid,
			want: []string{"[tool.pyrelease] remote: expected a git remote name"},
		},
		"absolute version file": {
			toml: "[tool.pyrelease]\nversion-file = \"/etc/version.py\"\n",
			is:   ErrInvalid,
			want: []string{"[tool.pyrelease] version-file: expected a path relative to the project directory"},
		},
		"empty version file": {
			toml: "[tool.pyrelease]\nversion-file = [\"a.py\", \"\"]\n",
			is:   ErrInvalid,
			want: []string{`[tool.pyrelease] version-file[1]: expected a file path, got ""`},
		},
		"pyrelease not a table": {
			toml: "[tool]\npyrelease = 1\n",
			is:   ErrType,
			want: []string{"[tool] pyrelease: expected a table, got integer 1"},
		},
		"project name wrong type": {
			toml: "[project]\nname = 1\n",
			is:   ErrType,
			want: []string{"[project] name: expected a string, got integer 1"},
		},
		"project without name": {
			toml: "[project]\nversion = \"1\"\n",
			is:   ErrInvalid,
			want: []string{"[project] name: expected a non-empty project name"},
		},
		"project dynamic entry": {
			toml: header + "dynamic = [\"version\", 1]\n",
			is:   ErrType,
			want: []string{"[project] dynamic[1]: expected a string, got integer 1"},
		},
		"project script": {
			toml: header + "[project.scripts]\ncli = true\n",
			is:   ErrType,
			want: []string{"[project.scripts] cli: expected a string", "got boolean true"},
		},
		"several problems are all reported": {
			toml: "[tool.pyrelease]\nversion-format = \"x\"\ntag-format = \"v\"\n",
			is:   ErrInvalid,
			want: []string{"version-format:", "tag-format:"},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			dir, file := project(t, tc.toml)
			c, err := LoadEnv(dir, nil)
			if err == nil {
				t.Fatalf("LoadEnv succeeded: %+v", c)
			}
			if !errors.Is(err, tc.is) {
				t.Errorf("error %q is not %v", err, tc.is)
			}
			msg := err.Error()
			t.Log(msg)
			if !strings.HasPrefix(msg, "config: "+file+": ") {
				t.Errorf("error %q does not start with config: and the file", msg)
			}
			for _, w := range tc.want {
				if !strings.Contains(msg, w) {
					t.Errorf("error %q\ndoes not contain %q", msg, w)
				}
			}
		})
	}
}

func TestLoadNoProject(t *testing.T) {
	dir := t.TempDir()
	_, err := LoadEnv(dir, nil)
	if !errors.Is(err, ErrNoProject) {
		t.Fatalf("err = %v, want ErrNoProject", err)
	}
	if want := filepath.Join(dir, "pyproject.toml"); !strings.Contains(err.Error(), want) {
		t.Errorf("error %q does not name %s", err, want)
	}
}

func TestLoadRelativeDir(t *testing.T) {
	dir, _ := project(t, header)
	t.Chdir(dir)
	c, err := LoadEnv(".", nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.Dir != dir {
		t.Errorf("Dir = %q, want absolute %q", c.Dir, dir)
	}
}

func TestLoadSyntaxError(t *testing.T) {
	tests := map[string]struct {
		toml       string
		line, col  int
		msgContain string
	}{
		"unterminated string": {toml: header + "version = \"1.0\n", line: 3, col: 15, msgContain: "strings cannot contain newlines"},
		"duplicate key":       {toml: header + "name = \"x\"\n", line: 3, msgContain: "name"},
		"missing value":       {toml: "[tool.pyrelease]\n\npush =\n", line: 3, msgContain: "expected value"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			dir, file := project(t, tc.toml)
			_, err := LoadEnv(dir, nil)
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("err = %v, want *SyntaxError", err)
			}
			if !errors.Is(err, ErrSyntax) {
				t.Errorf("err is not ErrSyntax")
			}
			if se.File != file || se.Line != tc.line || (tc.col != 0 && se.Column != tc.col) {
				t.Errorf("SyntaxError = %+v, want %s line %d col %d", se, file, tc.line, tc.col)
			}
			msg := err.Error()
			t.Log(msg)
			if strings.Contains(msg, "\n") {
				t.Errorf("error spans lines: %q", msg)
			}
			if !strings.HasPrefix(msg, "config: "+file+":"+strconv.Itoa(tc.line)+":") || !strings.Contains(msg, tc.msgContain) {
				t.Errorf("error = %q", msg)
			}
		})
	}
}
