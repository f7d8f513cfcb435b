package pyenv

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestUVSettings(t *testing.T) {
	for name, c := range map[string]struct {
		env       []string
		args, uvs []string
		err       string
	}{
		"nothing":                                {env: []string{"HOME=/home/me", "PIP_DISABLE_PIP_VERSION_CHECK=1", "PIP_NO_INPUT=1", "PIP_CONFIG_FILE=" + os.DevNull}},
		"nothing an install into a venv goes by": {env: []string{"PIP_BREAK_SYSTEM_PACKAGES=1", "PIP_CACHE_DIR=/var/cache/pip"}},
		"index and mirrors": {
			env:  []string{"PIP_INDEX_URL=https://mirror.example/simple", "PIP_EXTRA_INDEX_URL=https://a.example/simple https://b.example/simple", "PIP_FIND_LINKS=/opt/wheels  /srv/w"},
			args: []string{"--index-url", "https://mirror.example/simple", "--extra-index-url", "https://a.example/simple", "--extra-index-url", "https://b.example/simple", "--find-links", "/opt/wheels", "--find-links", "/srv/w"},
		},
		"empty lists": {env: []string{"PIP_EXTRA_INDEX_URL=", "PIP_FIND_LINKS="}},
		"offline and no cache": {
			env:  []string{"PIP_NO_INDEX=yes", "PIP_NO_CACHE_DIR=1", "pip_trusted_host=mirror.example"},
			args: []string{"--no-index", "--no-cache", "--allow-insecure-host", "mirror.example"},
		},
		"false booleans":       {env: []string{"PIP_NO_INDEX=0", "PIP_NO_CACHE_DIR=off"}},
		"certificate, timeout": {env: []string{"PIP_CERT=/etc/ssl/certs/ca.pem", "PIP_DEFAULT_TIMEOUT=180"}, uvs: []string{"SSL_CERT_FILE=/etc/ssl/certs/ca.pem", "UV_HTTP_TIMEOUT=180"}},
		"config file":          {env: []string{"PIP_CONFIG_FILE=/etc/pip.conf"}, err: "PIP_CONFIG_FILE=/etc/pip.conf is a pip configuration file"},
		"pre-releases":         {env: []string{"PIP_PRE=1"}, err: "PIP_PRE is set"},
		"only binaries":        {env: []string{"PIP_ONLY_BINARY=:all:"}, err: "PIP_ONLY_BINARY is set"},
	} {
		t.Run(name, func(t *testing.T) {
			got, err := uvSettings(c.env)
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) {
					t.Fatalf("uvSettings = %v, %v; want an error with %q", got, err, c.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got.Args, c.args) || !slices.Equal(got.Env, c.uvs) {
				t.Errorf("uvSettings = %q, %q\nwant %q, %q", got.Args, got.Env, c.args, c.uvs)
			}
		})
	}
}

func TestPipConfigFiles(t *testing.T) {
	home := t.TempDir()
	user := filepath.Join(home, ".config", "pip", "pip.conf")
	venv := t.TempDir()
	for _, f := range []string{user, filepath.Join(venv, "pip.conf")} {
		if err := os.MkdirAll(filepath.Dir(f), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(f, []byte("[global]\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got := pipConfigFiles([]string{"HOME=" + home, "VIRTUAL_ENV=" + venv, "XDG_CONFIG_DIRS=" + t.TempDir()})
	for _, want := range []string{user, filepath.Join(venv, "pip.conf")} {
		if !slices.Contains(got, want) {
			t.Errorf("pipConfigFiles = %q, want %s among them", got, want)
		}
	}
	if got := pipConfigFiles([]string{"HOME=" + home, "PIP_CONFIG_FILE=" + os.DevNull}); got != nil {
		t.Errorf("with PIP_CONFIG_FILE=%s, pipConfigFiles = %q, want none: pip reads none then", os.DevNull, got)
	}
}

func TestReadPipConfig(t *testing.T) {
	path := filepath.Join(t.TempDir(), "pip.conf")
	conf := "# a mirror\n[global]\nindex-url = https://mirror.example/simple\ntimeout: 60\nextra-index-url =\n    https://a.example/simple\n    https://b.example/simple\n\n[install]\nfind_links = /opt/wheels\n[freeze]\ntimeout = 5\n"
	if err := os.WriteFile(path, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := readPipConfig(path)
	if err != nil {
		t.Fatal(err)
	}
	want := [][2]string{{"INDEX_URL", "https://mirror.example/simple"}, {"TIMEOUT", "60"}, {"EXTRA_INDEX_URL", "https://a.example/simple https://b.example/simple"}, {"FIND_LINKS", "/opt/wheels"}}
	if !slices.Equal(got, want) {
		t.Errorf("readPipConfig = %q\nwant %q", got, want)
	}
	if err := os.WriteFile(path, []byte("[global]\n  stray\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := readPipConfig(path); err == nil || !strings.Contains(err.Error(), path+":2: a continued value with no key") {
		t.Errorf("a stray line: %v", err)
	}
}

// pip's configuration files are translated too; the variables win over
// them, and a key uv cannot follow names the files.
func TestUVSettingsForConfigFiles(t *testing.T) {
	dir := t.TempDir()
	user := filepath.Join(dir, "home", ".config", "pip", "pip.conf")
	named := filepath.Join(dir, "named.conf")
	os.MkdirAll(filepath.Dir(user), 0o755)
	os.WriteFile(user, []byte("[global]\nindex-url = https://user.example/simple\nfind-links = /opt/user\n"), 0o644)
	os.WriteFile(named, []byte("[install]\nindex-url = https://named.example/simple\n"), 0o644)
	env := []string{"HOME=" + filepath.Join(dir, "home"), "XDG_CONFIG_DIRS=" + filepath.Join(dir, "none"), "PIP_CONFIG_FILE=" + named, "PIP_FIND_LINKS=/opt/env"}
	got, err := UVSettings(env)
	if err != nil {
		t.Fatal(err)
	}
	joined := strings.Join(got.Args, " ")
	for _, want := range []string{"--index-url https://named.example/simple", "--find-links /opt/env"} {
		if !strings.Contains(joined, want) {
			t.Errorf("args %q lack %q", got.Args, want)
		}
	}
	for _, not := range []string{"user.example", "/opt/user"} {
		if strings.Contains(joined, not) {
			t.Errorf("args %q keep %q, which a later file or a variable overrides", got.Args, not)
		}
	}
	os.WriteFile(named, []byte("[install]\npre = true\n"), 0o644)
	if _, err := UVSettings(env); err == nil || !strings.Contains(err.Error(), "PIP_PRE is set") || !strings.Contains(err.Error(), named) {
		t.Errorf("an untranslatable key: %v", err)
	}
}
