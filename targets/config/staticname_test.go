package config

import (
	"os"
	"path/filepath"
	"testing"
)

// A project without [project] is named where its layout writes the name.
func TestLoadNamesProjectsWithoutAProjectTable(t *testing.T) {
	tests := map[string]struct {
		files      map[string]string
		name, from string
	}{
		"setup.cfg": {
			files: map[string]string{
				"setup.cfg": "[metadata]\nname = oldstyle-tool\nversion = attr: oldstyle_tool.__version__\n\n[options]\ninstall_requires =\n    click\n",
				"setup.py":  "from setuptools import setup\nsetup()\n",
			},
			name: "oldstyle-tool", from: NameFromSetupCfg,
		},
		"setup.py literal": {
			files: map[string]string{"setup.py": "from setuptools import setup\n\nsetup(\n    name=\"Legacy.Tool\",\n    version=\"1.0\",\n)\n"},
			name:  "Legacy.Tool", from: NameFromSetupPy,
		},
		"setup.py computed": {
			files: map[string]string{"setup.py": "from setuptools import setup\nNAME = 'x'\nsetup(name=NAME)\n"},
		},
		"poetry": {
			files: map[string]string{"pyproject.toml": "[tool.poetry]\nname = \"poetic\"\nversion = \"0.1.0\"\n"},
			name:  "poetic", from: NameFromPoetry,
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			if _, ok := tc.files["pyproject.toml"]; !ok {
				tc.files["pyproject.toml"] = "[tool.pyrelease]\n"
			}
			for f, text := range tc.files {
				if err := os.WriteFile(filepath.Join(dir, f), []byte(text), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			c, err := LoadEnv(dir, nil)
			if err != nil {
				t.Fatal(err)
			}
			if c.Project.Name != tc.name || c.Project.NameFrom != tc.from {
				t.Errorf("Project name %q from %q; want %q from %q", c.Project.Name, c.Project.NameFrom, tc.name, tc.from)
			}
		})
	}
}
