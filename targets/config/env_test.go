package config

import (
	"errors"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestLoadEnvOverrides(t *testing.T) {
	const file = header + `[tool.pyrelease]
version-scheme = "file"
version-file = [{ path = "a.py", pattern = 'V = "(.*)"' }]
tag-pattern = "v*"
tag-format = "v{version}"
version-format = "pep440"
changelog = "CHANGES.md"
push = true
remote = "origin"
`
	tests := map[string]struct {
		env   map[string]string
		check func(t *testing.T, c *Config)
	}{
		"no variables keeps the file": {
			env: nil,
			check: func(t *testing.T, c *Config) {
				if c.VersionScheme != "file" || c.TagPattern != "v*" || !c.Push || c.Changelog != "CHANGES.md" {
					t.Errorf("got %+v", c)
				}
			},
		},
		"empty variables are unset": {
			env: map[string]string{"PYRELEASE_PUSH": "", "PYRELEASE_VERSION_SCHEME": "  "},
			check: func(t *testing.T, c *Config) {
				if c.VersionScheme != "file" || !c.Push {
					t.Errorf("got %+v", c)
				}
			},
		},
		"every variable wins over the file": {
			env: map[string]string{
				"PYRELEASE_VERSION_SCHEME": "pep440",
				"PYRELEASE_VERSION_FILE":   " b.py, src/c/version.py ,,",
				"PYRELEASE_TAG_PATTERN":    "pkg/v*",
				"PYRELEASE_TAG_FORMAT":     "pkg/v{version}",
				"PYRELEASE_VERSION_FORMAT": "semver",
				"PYRELEASE_CHANGELOG":      "none",
				"PYRELEASE_PUSH":           "no",
				"PYRELEASE_REMOTE":         "upstream",
			},
			check: func(t *testing.T, c *Config) {
				if c.VersionScheme != "pep440" || c.TagPattern != "pkg/v*" || c.TagFormat != "pkg/v{version}" ||
					c.VersionFormat != "semver" || c.Changelog != "none" || c.Push || c.Remote != "upstream" {
					t.Errorf("got %+v", c)
				}
				want := []VersionFile{{Path: "b.py"}, {Path: filepath.Join("src", "c", "version.py")}}
				if !reflect.DeepEqual(c.VersionFiles, want) {
					t.Errorf("VersionFiles = %+v, want %+v", c.VersionFiles, want)
				}
			},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			dir, _ := project(t, file)
			c, err := LoadEnv(dir, env(tc.env))
			if err != nil {
				t.Fatal(err)
			}
			tc.check(t, c)
		})
	}
}

func TestLoadEnvPush(t *testing.T) {
	tests := map[string]struct {
		value string
		want  bool
	}{
		"true": {value: "true", want: true}, "TRUE": {value: "TRUE", want: true},
		"1": {value: "1", want: true}, "yes": {value: "Yes", want: true},
		"false": {value: "false", want: false}, "0": {value: "0", want: false},
		"no": {value: "no", want: false}, "padded": {value: " true\n", want: true},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			// The file says the opposite, so the variable must be what decides.
			dir, _ := project(t, header+"[tool.pyrelease]\npush = "+map[bool]string{true: "false", false: "true"}[tc.want]+"\n")
			c, err := LoadEnv(dir, env(map[string]string{"PYRELEASE_PUSH": tc.value}))
			if err != nil {
				t.Fatal(err)
			}
			if c.Push != tc.want {
				t.Errorf("Push = %v, want %v", c.Push, tc.want)
			}
		})
	}
}

func TestLoadEnvBad(t *testing.T) {
	tests := map[string]struct {
		file string
		env  map[string]string
		want []string
	}{
		"push not a boolean": {
			env:  map[string]string{"PYRELEASE_PUSH": "maybe"},
			want: []string{`config: environment variable PYRELEASE_PUSH: expected true, false, 1, 0, yes or no, got "maybe"`},
		},
		"version file list of nothing": {
			env:  map[string]string{"PYRELEASE_VERSION_FILE": " , ,"},
			want: []string{`config: environment variable PYRELEASE_VERSION_FILE: expected a comma-separated list of paths`},
		},
		"scheme from env is validated": {
			env:  map[string]string{"PYRELEASE_VERSION_SCHEME": "svn"},
			want: []string{`config: environment variable PYRELEASE_VERSION_SCHEME: expected one of "pep440", "file", got "svn"`},
		},
		"format from env is validated": {
			env:  map[string]string{"PYRELEASE_VERSION_FORMAT": "calver"},
			want: []string{`environment variable PYRELEASE_VERSION_FORMAT: expected one of`},
		},
		"tag format from env is validated": {
			env:  map[string]string{"PYRELEASE_TAG_FORMAT": "v"},
			want: []string{`environment variable PYRELEASE_TAG_FORMAT: expected a tag name containing "{version}"`},
		},
		"tag pattern from env is validated": {
			env:  map[string]string{"PYRELEASE_TAG_PATTERN": "["},
			want: []string{`environment variable PYRELEASE_TAG_PATTERN: expected a glob`},
		},
		"absolute version file from env": {
			env:  map[string]string{"PYRELEASE_VERSION_FILE": "/abs.py"},
			want: []string{`environment variable PYRELEASE_VERSION_FILE: expected a path relative to the project directory, got "/abs.py"`},
		},
		"file value is blamed on the file while env is fine": {
			file: "[tool.pyrelease]\ntag-format = \"v\"\n",
			env:  map[string]string{"PYRELEASE_REMOTE": "up"},
			want: []string{`pyproject.toml: [tool.pyrelease] tag-format: expected`},
		},
		"repair command from env is validated": {
			env:  map[string]string{"PYRELEASE_REPAIR_COMMAND": "delvewheel repair {wheel}"},
			want: []string{`environment variable PYRELEASE_REPAIR_COMMAND: expected a command with {wheel} and {dest_dir} among its arguments`},
		},
		"file scheme from env without files": {
			env:  map[string]string{"PYRELEASE_VERSION_SCHEME": "file"},
			want: []string{`environment variable PYRELEASE_VERSION_SCHEME: expected a version-file`},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			dir, _ := project(t, header+tc.file)
			_, err := LoadEnv(dir, env(tc.env))
			if err == nil {
				t.Fatal("LoadEnv succeeded")
			}
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("error %q is not ErrInvalid", err)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q\ndoes not contain %q", err, w)
				}
			}
		})
	}
}

func TestLoadUsesProcessEnvironment(t *testing.T) {
	dir, _ := project(t, header)
	t.Setenv("PYRELEASE_REMOTE", "from-env")
	c, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if c.Remote != "from-env" {
		t.Errorf("Remote = %q, want from-env", c.Remote)
	}
}
