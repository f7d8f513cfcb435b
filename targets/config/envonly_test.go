package config

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestLoadEnvPlatform(t *testing.T) {
	tests := map[string]struct {
		env     string
		want    string
		wantErr string
	}{
		"unset":           {env: "", want: ""},
		"blank is unset":  {env: "  ", want: ""},
		"override":        {env: "linux-arm64", want: "linux-arm64"},
		"trimmed":         {env: " osx-arm64\n", want: "osx-arm64"},
		"manylinux style": {env: "linux-musl_x86_64", want: "linux-musl_x86_64"},
		"a slash":         {env: "linux/arm64", wantErr: `config: environment variable PYRELEASE_PLATFORM: expected an {os}-{machine} tag of letters, digits, '.', '_' and '-', such as linux-x86_64, got "linux/arm64"`},
		"no machine":      {env: "linux", wantErr: `PYRELEASE_PLATFORM: expected an {os}-{machine} tag`},
		"a path":          {env: "../x-y", wantErr: `got "../x-y"`},
		"a space":         {env: "linux x86-64", wantErr: `got "linux x86-64"`},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			dir, _ := project(t, header)
			c, err := LoadEnv(dir, env(map[string]string{EnvPlatform: tc.env}))
			if tc.wantErr != "" {
				if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want ErrInvalid containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || c.Platform != tc.want {
				t.Fatalf("Platform = %q, %v; want %q", c.Platform, err, tc.want)
			}
		})
	}
}

func TestLoadEnvGitToken(t *testing.T) {
	tests := map[string]struct {
		env  map[string]string
		want string
	}{
		"none":                 {env: nil, want: ""},
		"ours":                 {env: map[string]string{EnvGitToken: "tok-a"}, want: "tok-a"},
		"GitHub's":             {env: map[string]string{"GITHUB_TOKEN": "tok-b"}, want: "tok-b"},
		"ours wins":            {env: map[string]string{EnvGitToken: "tok-a", "GITHUB_TOKEN": "tok-b"}, want: "tok-a"},
		"a blank one is unset": {env: map[string]string{EnvGitToken: " ", "GITHUB_TOKEN": "tok-b"}, want: "tok-b"},
		"trimmed as pasted in": {env: map[string]string{EnvGitToken: "tok-a\n"}, want: "tok-a"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			dir, _ := project(t, header)
			c, err := LoadEnv(dir, env(tc.env))
			if err != nil {
				t.Fatal(err)
			}
			if got := c.GitToken.Reveal(); got != tc.want {
				t.Errorf("GitToken = %q, want %q", got, tc.want)
			}
			for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
				if s := fmt.Sprintf(verb, *c); tc.want != "" && strings.Contains(s, tc.want) {
					t.Errorf("%s of the config shows the token: %s", verb, s)
				}
			}
		})
	}
}

// Every environment-only setting is documented, with its variable.
func TestEnvKeysDocumented(t *testing.T) {
	for _, v := range []string{EnvPlatform, EnvGitToken} {
		found := false
		for _, k := range EnvKeys {
			if k.Env == v && k.Doc != "" && k.Name == "" {
				found = true
			}
		}
		if !found {
			t.Errorf("%s is not in EnvKeys", v)
		}
	}
}
