package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func loadForgeProject(t *testing.T, toml string) *Config {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "pyproject.toml"), []byte("[project]\nname = \"greet\"\n"+toml), 0o644); err != nil {
		t.Fatal(err)
	}
	c, err := LoadEnv(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestForge(t *testing.T) {
	const table = "[tool.pyrelease.forge]\n"
	for name, c := range map[string]struct {
		toml string
		env  map[string]string
		want Forge
	}{
		"github actions alone": {
			env:  map[string]string{"GITHUB_ACTIONS": "true", "GITHUB_API_URL": "https://api.example.test/", "GITHUB_REPOSITORY": "me/greet"},
			want: Forge{Kind: ForgeGitHub, URL: "https://api.example.test", Repository: "me/greet"},
		},
		"gitea actions sets github variables too": {
			env:  map[string]string{"GITHUB_ACTIONS": "true", "GITEA_ACTIONS": "true", "GITHUB_API_URL": "http://127.0.0.1:3000/api/v1", "GITHUB_REPOSITORY": "me/greet"},
			want: Forge{Kind: ForgeGitea, URL: "http://127.0.0.1:3000/api/v1", Repository: "me/greet"},
		},
		"gitlab ci": {
			env:  map[string]string{"GITLAB_CI": "true", "CI_API_V4_URL": "https://gl.example.test/api/v4", "CI_PROJECT_ID": "42", "GITHUB_REPOSITORY": "not/this"},
			want: Forge{Kind: ForgeGitLab, URL: "https://gl.example.test/api/v4", Repository: "42"},
		},
		"the file wins over ci": {
			toml: table + "kind = \"gitea\"\nurl = \"https://git.example.test/api/v1\"\nrepository = \"org/greet\"\ndraft = true\n",
			env:  map[string]string{"GITHUB_ACTIONS": "true", "GITHUB_API_URL": "https://api.example.test", "GITHUB_REPOSITORY": "me/greet"},
			want: Forge{Kind: ForgeGitea, URL: "https://git.example.test/api/v1", Repository: "org/greet", Draft: true},
		},
		"variables win over the file": {
			toml: table + "kind = \"gitea\"\nurl = \"https://git.example.test/api/v1\"\nrepository = \"org/greet\"\n",
			env:  map[string]string{"PYRELEASE_FORGE_REPOSITORY": "other/greet", "PYRELEASE_FORGE_DRAFT": "yes"},
			want: Forge{Kind: ForgeGitea, URL: "https://git.example.test/api/v1", Repository: "other/greet", Draft: true},
		},
		"gitlab project path": {
			toml: table + "kind = \"gitlab\"\nurl = \"https://gl.example.test/api/v4\"\nrepository = \"group/sub/greet\"\n",
			want: Forge{Kind: ForgeGitLab, URL: "https://gl.example.test/api/v4", Repository: "group/sub/greet"},
		},
	} {
		t.Run(name, func(t *testing.T) {
			got, err := loadForgeProject(t, c.toml).Forge(func(k string) string { return c.env[k] })
			if err != nil {
				t.Fatal(err)
			}
			if got != c.want {
				t.Errorf("Forge = %+v, want %+v", got, c.want)
			}
		})
	}
}

func TestForgeErrors(t *testing.T) {
	const table = "[tool.pyrelease.forge]\n"
	for name, c := range map[string]struct {
		toml string
		env  map[string]string
		err  error
		want []string
	}{
		"no ci, no table":   {err: ErrInvalid, want: []string{"[tool.pyrelease.forge] kind", `"github", "gitlab" or "gitea"`}},
		"unknown kind":      {toml: table + "kind = \"bitbucket\"\n", err: ErrInvalid, want: []string{"kind", `"bitbucket"`}},
		"typo":              {toml: table + "repo = \"a/b\"\n", err: ErrUnknownKey, want: []string{`"repo"`, "repository"}},
		"no url":            {toml: table + "kind = \"gitea\"\nrepository = \"a/b\"\n", err: ErrInvalid, want: []string{"url", "GITHUB_API_URL is unset"}},
		"no repository":     {toml: table + "kind = \"gitlab\"\nurl = \"https://x.test/api/v4\"\n", err: ErrInvalid, want: []string{"repository", "CI_PROJECT_ID is unset"}},
		"password in url":   {toml: table + "url = \"https://u:hunter2@x.test/api/v1\"\n", err: ErrInvalid, want: []string{"url", "without credentials"}},
		"bad ci url":        {env: map[string]string{"GITHUB_ACTIONS": "true", "GITHUB_API_URL": "ftp://x"}, err: ErrInvalid, want: []string{"GITHUB_API_URL", "http or https"}},
		"number for github": {toml: table + "kind = \"github\"\nurl = \"https://x.test\"\nrepository = \"42\"\n", err: ErrInvalid, want: []string{"repository", `"owner/name"`}},
		"gitlab draft":      {toml: table + "kind = \"gitlab\"\nurl = \"https://x.test/api/v4\"\nrepository = \"42\"\ndraft = true\n", err: ErrInvalid, want: []string{"draft", "no drafts"}},
		"draft as string":   {toml: table + "draft = \"yes\"\n", err: ErrType, want: []string{"draft", "boolean"}},
		"env draft":         {env: map[string]string{"PYRELEASE_FORGE_DRAFT": "maybe"}, err: ErrInvalid, want: []string{"PYRELEASE_FORGE_DRAFT"}},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := loadForgeProject(t, c.toml).Forge(func(k string) string { return c.env[k] })
			if !errors.Is(err, c.err) {
				t.Fatalf("err = %v, want %v", err, c.err)
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

func TestForgeKeysMatchDecoder(t *testing.T) {
	set := forgeSetters()
	if len(set) != len(ForgeKeys) {
		t.Errorf("%d setters, %d documented keys", len(set), len(ForgeKeys))
	}
	for _, k := range ForgeKeys {
		if set[k.Name] == nil {
			t.Errorf("documented key %q is not decoded", k.Name)
		}
		if want := "PYRELEASE_FORGE_" + strings.ToUpper(k.Name); k.Env != want {
			t.Errorf("%s: Env = %q, want %q", k.Name, k.Env, want)
		}
		if !strings.HasSuffix(k.Doc, ".") {
			t.Errorf("%s: Doc should be a sentence: %q", k.Name, k.Doc)
		}
	}
}
