package targets

import (
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pyrelease/pyrelease/targets/config"
	"github.com/pyrelease/pyrelease/targets/internal/clilog"
	"github.com/pyrelease/pyrelease/targets/wheel"
)

// An extra the wheel does not provide is refused, naming where it was
// set and what the wheel provides; PEP 685 spellings of one match.
func TestCheckExtras(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "pyproject.toml"), []byte("[project]\nname = \"httpx\"\nversion = \"1.0\"\n[tool.pyrelease]\nextras = [\"CLI\"]\n"), 0o644)
	meta, err := wheel.ParseMetadata([]byte("Metadata-Version: 2.1\nName: httpx\nVersion: 1.0\nProvides-Extra: cli\nProvides-Extra: http2\n\n"))
	if err != nil {
		t.Fatal(err)
	}
	whl := &wheel.Info{Path: "dist/httpx-1.0-py3-none-any.whl", Metadata: meta}
	for _, c := range []struct {
		env  map[string]string
		want string // "" = accepted
	}{
		{},
		{env: map[string]string{"PYRELEASE_EXTRAS": "socks"}, want: `config: PYRELEASE_EXTRAS: "socks" is not an extra of httpx-1.0-py3-none-any.whl (it provides "cli", "http2")`},
	} {
		cfg, err := config.LoadEnv(dir, func(k string) string { return c.env[k] })
		if err != nil {
			t.Fatal(err)
		}
		p := &project{cfg: cfg, log: clilog.New(&strings.Builder{}, slog.LevelInfo)}
		available, err := p.checkExtras(whl)
		if c.want == "" {
			if err != nil || len(available) != 2 {
				t.Errorf("extras = [\"CLI\"]: %v, %v", available, err)
			}
			continue
		}
		if err == nil || err.Error() != c.want {
			t.Errorf("err = %v\nwant %s", err, c.want)
		}
	}
	cfg, _ := config.LoadEnv(dir, func(string) string { return "" })
	cfg.Extras = []string{"socks"}
	p := &project{cfg: cfg}
	if _, err := p.checkExtras(whl); err == nil || !strings.HasPrefix(err.Error(), "config: "+cfg.File+": [tool.pyrelease] extras: \"socks\"") {
		t.Errorf("from the file: %v", err)
	}
}
