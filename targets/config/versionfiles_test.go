package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCheckVersionFiles(t *testing.T) {
	tests := map[string]struct {
		file string
		env  map[string]string
		want string // "" when the files are there
	}{
		"none configured": {file: header},
		"there":           {file: header + "[tool.pyrelease]\nversion-file = \"v.py\"\n"},
		"missing, from the file": {
			file: header + "[tool.pyrelease]\nversion-file = [\"v.py\", \"versoin.py\"]\n",
			want: `pyproject.toml: [tool.pyrelease] version-file: "versoin.py" does not exist (expected a file holding the version, relative to `,
		},
		"missing, from the environment": {
			file: header, env: map[string]string{"PYRELEASE_VERSION_FILE": "nope.py"},
			want: `config: PYRELEASE_VERSION_FILE: "nope.py" does not exist`,
		},
		"a directory": {
			file: header + "[tool.pyrelease]\nversion-file = \"pkg\"\n",
			want: `"pkg" is not a regular file`,
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			dir, _ := project(t, tc.file)
			if err := os.WriteFile(filepath.Join(dir, "v.py"), []byte("VERSION = \"1.0\"\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.Mkdir(filepath.Join(dir, "pkg"), 0o755); err != nil {
				t.Fatal(err)
			}
			c, err := LoadEnv(dir, env(tc.env))
			if err != nil {
				t.Fatal(err)
			}
			err = c.CheckVersionFiles()
			if tc.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want it to contain %q", err, tc.want)
			}
		})
	}
}
