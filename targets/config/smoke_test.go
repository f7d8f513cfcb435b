package config

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestSmokeTable(t *testing.T) {
	c, err := loadText(t, `[project]
name = "taskq"
[tool.pyrelease]
tools = []
[tool.pyrelease.smoke]
offline = true
find-links = ["wheelhouse", "https://example.org/wheels/"]
imports = []
[tool.pyrelease.smoke.commands]
taskq = ["--help"]
taskq-daemon = false
taskq-noargs = []
`)
	if err != nil {
		t.Fatal(err)
	}
	want := Smoke{Offline: true, FindLinks: []string{"wheelhouse", "https://example.org/wheels/"}, Imports: []string{},
		Commands: map[string][]string{"taskq": {"--help"}, "taskq-daemon": nil, "taskq-noargs": {}}}
	if !reflect.DeepEqual(c.Smoke, want) {
		t.Errorf("Smoke = %#v\nwant %#v", c.Smoke, want)
	}
	if c.Tools == nil || len(c.Tools) != 0 {
		t.Errorf("tools = [] decoded as %#v: want empty, not unset", c.Tools)
	}
	// Unset is nil, which means "the defaults": every script, every package.
	c, err = loadText(t, "[project]\nname = \"x\"\n")
	if err != nil {
		t.Fatal(err)
	}
	if c.Tools != nil || c.Smoke.Imports != nil || c.Smoke.Commands != nil {
		t.Errorf("defaults: tools %#v, smoke %#v", c.Tools, c.Smoke)
	}
}

func TestSmokeTableBad(t *testing.T) {
	for name, tc := range map[string]struct {
		toml string
		is   error
		want string
	}{
		"command true":    {toml: "[tool.pyrelease.smoke.commands]\ntaskq = true\n", is: ErrInvalid, want: "commands.taskq: expected an array of arguments, or false to not run the tool"},
		"command string":  {toml: "[tool.pyrelease.smoke.commands]\ntaskq = 3\n", is: ErrType, want: "commands.taskq: expected an array of arguments"},
		"bad module":      {toml: "[tool.pyrelease.smoke]\nimports = [\"my-pkg\"]\n", is: ErrInvalid, want: `imports[0]: expected a module name such as mypkg or mypkg.sub, got "my-pkg"`},
		"offline string":  {toml: "[tool.pyrelease.smoke]\noffline = \"yes\"\n", is: ErrType, want: "offline: expected a boolean (true or false, unquoted)"},
		"empty find-link": {toml: "[tool.pyrelease.smoke]\nfind-links = [\"\"]\n", is: ErrInvalid, want: "find-links[0]: expected a directory or a URL"},
		"unknown key":     {toml: "[tool.pyrelease.smoke]\nimport = [\"x\"]\n", is: ErrUnknownKey, want: `unknown key "import" in [tool.pyrelease.smoke]`},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := loadText(t, "[project]\nname = \"taskq\"\n"+tc.toml)
			if !errors.Is(err, tc.is) || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "pyproject.toml") {
				t.Errorf("err = %v\nwant %v containing %q and the file", err, tc.is, tc.want)
			}
		})
	}
}

func TestSmokeEnvironment(t *testing.T) {
	c, err := loadTextEnv(t, "[project]\nname = \"x\"\n", map[string]string{
		"PYRELEASE_SMOKE_OFFLINE": "yes", "PYRELEASE_SMOKE_FIND_LINKS": "a, b,",
	})
	if err != nil {
		t.Fatal(err)
	}
	if !c.Smoke.Offline || !reflect.DeepEqual(c.Smoke.FindLinks, []string{"a", "b"}) {
		t.Errorf("Smoke = %#v", c.Smoke)
	}
	if _, err := loadTextEnv(t, "[project]\nname = \"x\"\n", map[string]string{"PYRELEASE_SMOKE_OFFLINE": "maybe"}); err == nil || !strings.Contains(err.Error(), "PYRELEASE_SMOKE_OFFLINE") {
		t.Errorf("a bad variable: err = %v, want one naming it", err)
	}
}

func loadTextEnv(t *testing.T, text string, env map[string]string) (*Config, error) {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "pyproject.toml"), []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return LoadEnv(dir, func(k string) string { return env[k] })
}
