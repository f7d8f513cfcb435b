package wheel

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestParseBuildSystem(t *testing.T) {
	tests := map[string]struct {
		toml      string
		want      BuildSystem
		wantField string // the field a BuildSystemError names; "" means success
	}{
		"full table": {
			toml: "[build-system]\nrequires = [\"hatchling>=1.10\", \"wheel\"]\nbuild-backend = \"hatchling.build\"\n",
			want: BuildSystem{Requires: []string{"hatchling>=1.10", "wheel"}, Backend: "hatchling.build"},
		},
		"no table is pip's legacy default": {
			toml: "[project]\nname = \"x\"\n",
			want: BuildSystem{Requires: []string{"setuptools>=40.8.0"}, Backend: "setuptools.build_meta:__legacy__"},
		},
		"requires without backend keeps the requires": {
			toml: "[build-system]\nrequires = [\"setuptools>=64\"]\n",
			want: BuildSystem{Requires: []string{"setuptools>=64"}, Backend: "setuptools.build_meta:__legacy__"},
		},
		"object reference and backend-path": {
			toml: "[build-system]\nrequires = []\nbuild-backend = \"backend:impl.hooks\"\nbackend-path = [\"_build\", \"tools/b\"]\n",
			want: BuildSystem{Requires: []string{}, Backend: "backend:impl.hooks", BackendPath: []string{"_build", "tools/b"}},
		},
		"pdm-backend versioning from git by its own setting": {
			toml: "[build-system]\nrequires = [\"pdm-backend\"]\nbuild-backend = \"pdm.backend\"\n[tool.pdm.version]\nsource = \"scm\"\nwrite_to = \"pkg/VERSION\"\n",
			want: BuildSystem{Requires: []string{"pdm-backend"}, Backend: "pdm.backend", SCMSource: "pdm-backend"},
		},
		"pdm-backend with a file version": {
			toml: "[build-system]\nrequires = [\"pdm-backend\"]\nbuild-backend = \"pdm.backend\"\n[tool.pdm.version]\nsource = \"file\"\npath = \"src/x/__init__.py\"\n",
			want: BuildSystem{Requires: []string{"pdm-backend"}, Backend: "pdm.backend"},
		},
		"missing requires":       {toml: "[build-system]\nbuild-backend = \"x\"\n", wantField: "[build-system].requires"},
		"requires not a list":    {toml: "[build-system]\nrequires = \"setuptools\"\n", wantField: "[build-system].requires"},
		"requires item not text": {toml: "[build-system]\nrequires = [1]\n", wantField: "[build-system].requires"},
		"requires an option":     {toml: "[build-system]\nrequires = [\"--index-url=x\"]\n", wantField: "[build-system].requires"},
		"backend not a name":     {toml: "[build-system]\nrequires = []\nbuild-backend = \"a b\"\n", wantField: "[build-system].build-backend"},
		"backend not a string":   {toml: "[build-system]\nrequires = []\nbuild-backend = 3\n", wantField: "[build-system].build-backend"},
		"backend-path absolute":  {toml: "[build-system]\nrequires = []\nbackend-path = [\"/etc\"]\n", wantField: "[build-system].backend-path"},
		"backend-path escapes":   {toml: "[build-system]\nrequires = []\nbackend-path = [\"a/../../x\"]\n", wantField: "[build-system].backend-path"},
		"syntax error":           {toml: "[build-system\n", wantField: "syntax"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got, err := parseBuildSystem("p/pyproject.toml", []byte(tc.toml))
			if tc.wantField != "" {
				var be *BuildSystemError
				if !errors.As(err, &be) || be.Field != tc.wantField || !errors.Is(err, ErrBadBuildSystem) {
					t.Fatalf("err = %v, want a BuildSystemError on %s", err, tc.wantField)
				}
				if !strings.HasPrefix(err.Error(), "wheel: p/pyproject.toml: "+tc.wantField+": ") {
					t.Errorf("message %q does not name the file and field", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestReadBuildSystemWithoutPyproject(t *testing.T) {
	dir := t.TempDir()
	if _, err := ReadBuildSystem(dir); !errors.Is(err, ErrNotProject) {
		t.Fatalf("empty dir: err = %v, want ErrNotProject", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "setup.py"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := ReadBuildSystem(dir)
	if err != nil || got.Backend != legacyBackend || !reflect.DeepEqual(got.Requires, []string{legacyRequires}) {
		t.Fatalf("setup.py only: %+v, %v", got, err)
	}
}

// FuzzParseBuildSystem checks that whatever parses is usable: a backend
// the hook runner can split, requirements pip reads as requirements, and
// backend-path entries inside the project.
func FuzzParseBuildSystem(f *testing.F) {
	f.Add("[build-system]\nrequires = [\"hatchling\"]\nbuild-backend = \"hatchling.build\"\n")
	f.Add("[build-system]\nrequires = []\nbuild-backend = \"b:o\"\nbackend-path = [\".\"]\n")
	f.Add("[project]\nname = 1\n")
	f.Fuzz(func(t *testing.T, doc string) {
		bs, err := parseBuildSystem("pyproject.toml", []byte(doc))
		if err != nil {
			if !errors.Is(err, ErrBadBuildSystem) {
				t.Fatalf("error %v is not ErrBadBuildSystem", err)
			}
			return
		}
		if !backendPattern.MatchString(bs.Backend) || backendModule(bs.Backend) == "" {
			t.Fatalf("backend %q", bs.Backend)
		}
		for _, r := range bs.Requires {
			if strings.HasPrefix(strings.TrimSpace(r), "-") || checkRequirement(r) != nil {
				t.Fatalf("requirement %q", r)
			}
		}
		for _, p := range bs.BackendPath {
			rel := filepath.Clean(filepath.FromSlash(p))
			if filepath.IsAbs(rel) || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
				t.Fatalf("backend-path %q leaves the project", p)
			}
		}
	})
}
