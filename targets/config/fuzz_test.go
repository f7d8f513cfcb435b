package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzLoad feeds arbitrary bytes as pyproject.toml: loading must not panic,
// and must give either a Config or an error naming the file.
func FuzzLoad(f *testing.F) {
	for _, seed := range []string{
		"",
		header,
		header + "[tool.pyrelease]\nversion-scheme = \"file\"\nversion-file = [\"a.py\", { path = \"b\", pattern = '(x)' }]\n",
		"[tool.pyrelease]\npush = \"yes\"\n",
		"[tool.pyrelease.bdist]\nx = 1\n",
		"[[tool.pyrelease.version-file]]\npath = \"a\"\n",
		"[project]\nname = 1\n",
		"a = \"\x00\"",
		"[tool]\npyrelease = [1]\n",
		"x = 1979-05-27T07:32:00Z\n[tool.pyrelease]\nchangelog = 1979-05-27\n",
		header + "[tool.pyrelease.snapshot]\nstore = \"s3://b/p?region=x\"\nkeep = 2\nendpoint = \"http://127.0.0.1:9000\"\npath-style = false\n",
		header + "[tool.pyrelease.snapshot]\nexpect = [\"a-{version}.tar.gz\", { pattern = \"a-{python}-{platform}.whl\", python = [\"cp312\"], platform = \"any\" }]\n",
		header + "[[tool.pyrelease.snapshot.expect]]\npattern = \"[\"\n",
		header + "[tool.pyrelease.snapshot]\nfetch-from = \"file://\"\nallow-hosts = [\"a/b\"]\npart-size = 0\n",
	} {
		f.Add([]byte(seed))
	}
	// One directory per fuzzing process: inputs run one after another, and
	// a fresh directory per input costs more than the load itself.
	dir := f.TempDir()
	file := filepath.Join(dir, "pyproject.toml")
	f.Fuzz(func(t *testing.T, data []byte) {
		if err := os.WriteFile(file, data, 0o644); err != nil {
			t.Fatal(err)
		}
		c, err := LoadEnv(dir, nil)
		if err != nil {
			for line := range strings.SplitSeq(err.Error(), "\n") {
				if !strings.HasPrefix(line, "config: "+file) {
					t.Fatalf("error line %q does not start with the file", line)
				}
			}
			return
		}
		if c.File != file || c.Dir != dir {
			t.Fatalf("File, Dir = %q, %q", c.File, c.Dir)
		}
		if err := c.Validate(); err != nil {
			t.Fatalf("loaded config does not validate: %v", err)
		}
	})
}

// BenchmarkLoad measures what every target pays before doing its work.
func BenchmarkLoad(b *testing.B) {
	dir, _ := project(b, header+`version = "1.0"
[tool.black]
line-length = 88
[tool.pyrelease]
version-scheme = "file"
version-file = ["src/demo_pkg/__init__.py", { path = "setup.cfg", pattern = '^version = (\S+)$' }]
tag-format = "v{version}"
push = true
`)
	for b.Loop() {
		if _, err := LoadEnv(dir, nil); err != nil {
			b.Fatal(err)
		}
	}
}
