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
		"nothing": {env: []string{"HOME=/home/me", "PIP_DISABLE_PIP_VERSION_CHECK=1", "PIP_NO_INPUT=1", "PIP_CONFIG_FILE=" + os.DevNull}},
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
			got, err := UVSettings(c.env)
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) {
					t.Fatalf("UVSettings = %v, %v; want an error with %q", got, err, c.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got.Args, c.args) || !slices.Equal(got.Env, c.uvs) {
				t.Errorf("UVSettings = %q, %q\nwant %q, %q", got.Args, got.Env, c.args, c.uvs)
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
	got := PipConfigFiles([]string{"HOME=" + home, "VIRTUAL_ENV=" + venv, "XDG_CONFIG_DIRS=" + t.TempDir()})
	for _, want := range []string{user, filepath.Join(venv, "pip.conf")} {
		if !slices.Contains(got, want) {
			t.Errorf("PipConfigFiles = %q, want %s among them", got, want)
		}
	}
	if got := PipConfigFiles([]string{"HOME=" + home, "PIP_CONFIG_FILE=" + os.DevNull}); got != nil {
		t.Errorf("with PIP_CONFIG_FILE=%s, PipConfigFiles = %q, want none: pip reads none then", os.DevNull, got)
	}
}
