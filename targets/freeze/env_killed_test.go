package freeze

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pyrelease/pyrelease/targets/internal/dev/testenv"
)

// A freeze killed while it created the environment leaves its folder
// beside the environment's place in the cache; the next creation removes
// it, and leaves the environments of other projects alone.
func TestFreezeRemovesWhatAKilledCreationLeft(t *testing.T) {
	testenv.Require(t, "sh")
	dir := t.TempDir()
	whl := filepath.Join(t.TempDir(), "greet-2.0-py3-none-any.whl")
	if err := os.WriteFile(whl, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	cache := t.TempDir()
	freeze := func() *fakePyInstaller {
		fake := &fakePyInstaller{}
		_, err := Freeze(context.Background(), Options{
			Dir: dir, OutDir: t.TempDir(), Python: "/usr/bin/python3", Version: "2.0", Wheel: whl, CacheDir: cache,
			PyInstaller: "pyinstaller>=6.10,<7", Mtime: time.Unix(1700000000, 0),
			Tools:  []Tool{{Name: "greet", EntryPoint: "greet.cli:main"}},
			runner: fake.run,
		})
		if err != nil {
			t.Fatal(err)
		}
		return fake
	}
	venvs := freeze().commands("venv")
	if len(venvs) != 1 {
		t.Fatalf("venv commands %q, want one", venvs)
	}
	final := strings.Split(venvs[0][len(venvs[0])-1], ".tmp-")[0]
	// As a kill leaves it: no finished environment, a half-made one.
	if err := os.RemoveAll(final); err != nil {
		t.Fatal(err)
	}
	killed := final + ".tmp-123456"
	other := filepath.Join(cache, "other-0123456789ab.tmp-1")
	for _, d := range []string{killed, other} {
		if err := os.MkdirAll(filepath.Join(d, "lib"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	freeze()
	if _, err := os.Stat(killed); !os.IsNotExist(err) {
		t.Errorf("%s is still there (stat: %v)", killed, err)
	}
	if _, err := os.Stat(other); err != nil {
		t.Errorf("another project's folder went: %v", err)
	}
	if _, err := os.Stat(filepath.Join(final, envMark)); err != nil {
		t.Errorf("no freeze environment after the second freeze: %v", err)
	}
}
