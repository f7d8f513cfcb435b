package config

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func TestNormalizedName(t *testing.T) {
	tests := map[string]struct{ name, want string }{
		"plain":       {name: "requests", want: "requests"},
		"case":        {name: "Django", want: "django"},
		"underscore":  {name: "typing_extensions", want: "typing-extensions"},
		"dot":         {name: "zope.interface", want: "zope-interface"},
		"runs":        {name: "Friendly-._Bard", want: "friendly-bard"},
		"double dash": {name: "a--b", want: "a-b"},
		"empty":       {name: "", want: ""},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			c := Config{Project: Project{Name: tc.name}}
			if got := c.NormalizedName(); got != tc.want {
				t.Errorf("NormalizedName(%q) = %q, want %q", tc.name, got, tc.want)
			}
		})
	}
}

func TestDefaultVersionFiles(t *testing.T) {
	tests := map[string]struct {
		name  string
		files []string // created, slash-separated
		dirs  []string // created as directories
		want  []string // slash-separated, in order
	}{
		"src layout version.py": {
			name: "My.Tool", files: []string{"src/my_tool/version.py", "src/my_tool/__init__.py"},
			want: []string{"src/my_tool/version.py", "src/my_tool/__init__.py"},
		},
		"flat layout all candidates": {
			name: "my-tool", files: []string{"my_tool/__init__.py", "my_tool/_version.py", "my_tool/version.py"},
			want: []string{"my_tool/version.py", "my_tool/__init__.py", "my_tool/_version.py"},
		},
		"other package ignored":   {name: "a", files: []string{"b/__init__.py"}, want: nil},
		"directory is not a file": {name: "a", dirs: []string{"a/version.py"}, want: nil},
		"no name":                 {name: "", files: []string{"_/__init__.py"}, want: nil},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			for _, f := range tc.files {
				p := filepath.Join(dir, filepath.FromSlash(f))
				if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(p, []byte("__version__ = \"1\"\n"), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			for _, d := range tc.dirs {
				if err := os.MkdirAll(filepath.Join(dir, filepath.FromSlash(d)), 0o755); err != nil {
					t.Fatal(err)
				}
			}
			c := Config{Dir: dir, Project: Project{Name: tc.name}}
			var want []string
			for _, w := range tc.want {
				want = append(want, filepath.FromSlash(w))
			}
			if got := c.DefaultVersionFiles(); !slices.Equal(got, want) {
				t.Errorf("DefaultVersionFiles = %q, want %q", got, want)
			}
		})
	}
}

func TestNormalizeName(t *testing.T) {
	for in, want := range map[string]string{"Foo.Bar": "foo-bar", "foo__-.bar": "foo-bar", "foo": "foo", "My_Project": "my-project"} {
		if got := NormalizeName(in); got != want {
			t.Errorf("NormalizeName(%q) = %q, want %q", in, got, want)
		}
	}
}
