package targets

import (
	"bytes"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pyrelease/pyrelease/targets/config"
	"github.com/pyrelease/pyrelease/targets/internal/clilog"
)

// The choice of installer, with a uv on PATH that is never run: auto takes
// uv only where it would install what pip would, uv asked for explicitly
// says why it cannot be, and pip is pip.
func TestInstallerUV(t *testing.T) {
	bin := t.TempDir()
	uv := filepath.Join(bin, "uv")
	if err := os.WriteFile(uv, []byte("#!/bin/sh\nexit 1\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	home := t.TempDir()
	withConf := t.TempDir()
	if err := os.MkdirAll(filepath.Join(withConf, ".config", "pip"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(withConf, ".config", "pip", "pip.conf"), []byte("[global]\nindex-url = http://mirror.invalid/simple\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	withPre := t.TempDir()
	if err := os.MkdirAll(filepath.Join(withPre, ".config", "pip"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(withPre, ".config", "pip", "pip.conf"), []byte("[install]\npre = yes\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	noConf := []string{"HOME=" + home, "PIP_CONFIG_FILE=" + os.DevNull}
	for name, c := range map[string]struct {
		installer string
		path      string // PATH
		env       []string
		want      string // "uv", "" (pip)
		err       string
	}{
		"auto, index in variables":    {installer: config.InstallerAuto, path: bin, env: append(noConf, "PIP_INDEX_URL=http://127.0.0.1:1/simple", "PIP_CERT=/etc/ssl/ca.pem"), want: "uv"},
		"empty is auto":               {installer: "", path: bin, env: noConf, want: "uv"},
		"auto, no uv":                 {installer: config.InstallerAuto, path: t.TempDir(), env: noConf},
		"auto, a pip.conf uv follows": {installer: config.InstallerAuto, path: bin, env: []string{"HOME=" + withConf, "XDG_CONFIG_DIRS=" + t.TempDir()}, want: "uv"},
		"auto, a pip.conf uv cannot":  {installer: config.InstallerAuto, path: bin, env: []string{"HOME=" + withPre, "XDG_CONFIG_DIRS=" + t.TempDir()}},
		"auto, a setting uv lacks":    {installer: config.InstallerAuto, path: bin, env: append(noConf, "PIP_PRE=1")},
		"pip":                         {installer: config.InstallerPip, path: bin, env: noConf},
		"uv":                          {installer: config.InstallerUV, path: bin, env: noConf, want: "uv"},
		"uv, none on PATH":            {installer: config.InstallerUV, path: t.TempDir(), env: noConf, err: `installer = "uv": no uv on PATH`},
		"uv, a setting uv lacks":      {installer: config.InstallerUV, path: bin, env: append(noConf, "PIP_PRE=1"), err: "PIP_PRE is set, and uv has no equivalent of it here"},
		"uv, PIP_CONFIG_FILE a file":  {installer: config.InstallerUV, path: bin, env: []string{"HOME=" + home, "PIP_CONFIG_FILE=" + filepath.Join(withPre, ".config", "pip", "pip.conf")}, err: "PIP_PRE is set, and uv has no equivalent of it here (pip reads "},
	} {
		t.Run(name, func(t *testing.T) {
			t.Setenv("PATH", c.path)
			var log bytes.Buffer
			p := &project{cfg: &config.Config{Installer: c.installer}, log: clilog.New(&log, slog.LevelDebug)}
			got, err := p.installerUV(c.env)
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) || !strings.Contains(err.Error(), `installer = "pip"`) {
					t.Fatalf("installerUV = %q, %v; want an error saying %q and what to set instead", got, err, c.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if want := map[string]string{"uv": uv}[c.want]; got != want {
				t.Errorf("installerUV = %q, want %q\n%s", got, want, log.String())
			}
		})
	}
}
