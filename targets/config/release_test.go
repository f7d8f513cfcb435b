package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestReleaseErrors(t *testing.T) {
	for name, c := range map[string]struct {
		toml string
		env  map[string]string
		want []string
	}{
		"unknown key":       {toml: "[tool.pyrelease.release]\nrepositry = \"pypi\"\n", want: []string{`unknown key "repositry" in [tool.pyrelease.release]`, "repository"}},
		"empty repository":  {toml: "[tool.pyrelease.release]\nrepository = \" \"\n", want: []string{"repository", `"pypi", "testpypi", an upload URL or a .pypirc section`}},
		"bad index url":     {toml: "[tool.pyrelease.release]\nindex-url = \"ftp://x/simple\"\n", want: []string{"index-url", "an http or https URL"}},
		"password in url":   {toml: "[tool.pyrelease.release]\nindex-url = \"https://u:hunter2@x/simple/\"\n", want: []string{"index-url", "without credentials"}},
		"negative timeout":  {toml: "[tool.pyrelease.release]\nverify-timeout = -1\n", want: []string{"verify-timeout", "from 0 to 86400"}},
		"timeout as string": {toml: "[tool.pyrelease.release]\nverify-timeout = \"10m\"\n", want: []string{"verify-timeout"}},
		"env timeout":       {toml: "", env: map[string]string{"PYRELEASE_VERIFY_TIMEOUT": "soon"}, want: []string{"PYRELEASE_VERIFY_TIMEOUT", "seconds"}},
		"env index url":     {toml: "", env: map[string]string{"PYRELEASE_INDEX_URL": "nope"}, want: []string{"PYRELEASE_INDEX_URL", "http or https"}},
		"branch as ref":     {toml: "[tool.pyrelease.release]\nrelease-branch = \"refs/heads/pypi-release\"\n", want: []string{"branch", "without refs/heads/"}},
		"branch with space": {toml: "[tool.pyrelease.release]\nrelease-branch = \"pypi release\"\n", want: []string{"branch", "a branch name"}},
		"branch not string": {toml: "[tool.pyrelease.release]\nrelease-branch = true\n", want: []string{"branch", "a string"}},
		"env branch":        {toml: "", env: map[string]string{"PYRELEASE_RELEASE_BRANCH": "a..b"}, want: []string{"PYRELEASE_RELEASE_BRANCH", "a branch name"}},
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "pyproject.toml"), []byte("[project]\nname = \"greet\"\n"+c.toml), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := LoadEnv(dir, func(k string) string { return c.env[k] })
			if err == nil {
				t.Fatal("loaded")
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			if strings.Contains(err.Error(), "hunter2") {
				t.Errorf("error shows the password: %q", err)
			}
		})
	}
}

func TestReleaseEnvOverrides(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "pyproject.toml"), []byte("[project]\nname = \"greet\"\n[tool.pyrelease.release]\nrepository = \"testpypi\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"PYRELEASE_REPOSITORY": "http://127.0.0.1:3000/api/packages/me/pypi", "PYRELEASE_INDEX_URL": "http://127.0.0.1:3000/api/packages/me/pypi/simple/", "PYRELEASE_VERIFY_TIMEOUT": "30",
		"PYRELEASE_RELEASE_BRANCH": "pypi-release"}
	c, err := LoadEnv(dir, func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	want := Release{Repository: env["PYRELEASE_REPOSITORY"], IndexURL: env["PYRELEASE_INDEX_URL"], VerifyTimeout: 30, Branch: "pypi-release"}
	if c.Release != want {
		t.Errorf("Release = %+v, want %+v", c.Release, want)
	}
}

func TestReleaseKeysMatchDecoder(t *testing.T) {
	set := releaseSetters()
	if len(set) != len(ReleaseKeys) {
		t.Errorf("%d setters, %d documented keys", len(set), len(ReleaseKeys))
	}
	for _, k := range ReleaseKeys {
		if set[k.Name] == nil {
			t.Errorf("documented key %q is not decoded", k.Name)
		}
	}
}

func TestReleaseBranch(t *testing.T) {
	for name, c := range map[string]struct {
		toml string
		want string
	}{
		"unset":  {toml: "", want: ""},
		"set":    {toml: "[tool.pyrelease.release]\nrelease-branch = \"pypi-release\"\n", want: "pypi-release"},
		"nested": {toml: "[tool.pyrelease.release]\nrelease-branch = \"release/pypi\"\n", want: "release/pypi"},
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "pyproject.toml"), []byte("[project]\nname = \"greet\"\n"+c.toml), 0o644); err != nil {
				t.Fatal(err)
			}
			cfg, err := LoadEnv(dir, func(string) string { return "" })
			if err != nil {
				t.Fatal(err)
			}
			if cfg.Release.Branch != c.want {
				t.Errorf("Branch = %q, want %q", cfg.Release.Branch, c.want)
			}
		})
	}
}
