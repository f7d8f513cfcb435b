package config

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// Where a project's name was found, for messages.
const (
	NameFromProject  = "[project] name"
	NameFromPoetry   = "[tool.poetry] name"
	NameFromSetupCfg = "setup.cfg [metadata] name"
	NameFromSetupPy  = "setup.py name="
)

// staticName finds the name of a project without a [project] table where
// the usual layouts write it: Poetry's table, setup.cfg, or a literal in
// setup.py's setup() call. It runs no Python; the built wheel's METADATA
// stays the name of record, and the build checks they agree.
func staticName(dir string, doc map[string]any) (name, from string) {
	if tool, _ := doc["tool"].(map[string]any); tool != nil {
		if poetry, _ := tool["poetry"].(map[string]any); poetry != nil {
			if n, _ := poetry["name"].(string); strings.TrimSpace(n) != "" {
				return strings.TrimSpace(n), NameFromPoetry
			}
		}
	}
	if data, err := os.ReadFile(filepath.Join(dir, "setup.cfg")); err == nil {
		if n := setupCfgName(data); n != "" {
			return n, NameFromSetupCfg
		}
	}
	if data, err := os.ReadFile(filepath.Join(dir, "setup.py")); err == nil {
		if m := setupPyName.FindSubmatch(data); m != nil {
			return string(m[2]), NameFromSetupPy
		}
	}
	return "", ""
}

// setupPyName matches name="..." as a keyword argument of setup(): a
// literal only, since anything computed needs Python to know.
var setupPyName = regexp.MustCompile(`(?m)(?:^|[(,\s])name\s*=\s*(['"])([A-Za-z0-9][A-Za-z0-9._-]*)(['"])\s*[,)\n]`)

// setupCfgName reads name from the [metadata] section, as configparser
// would for a plain value.
func setupCfgName(data []byte) string {
	if v := setupCfgValue(data, "metadata", "name"); !strings.HasPrefix(v, "attr:") && !strings.HasPrefix(v, "file:") && !strings.Contains(v, "\n") {
		return v
	}
	return ""
}
