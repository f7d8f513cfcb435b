package config

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"strings"
)

// DeclaredVersionFile is a file the build backend reads the version from,
// as the project's own backend settings declare it.
type DeclaredVersionFile struct {
	Path  string // relative to the project directory
	Plain bool   // the whole file is the version (setuptools' file:), not Python
	From  string // the setting that names it, for messages
}

// DeclaredVersionFile finds the file the backend's settings say holds the
// version, so a build stamps the file the backend reads without a
// version-file setting: hatchling's [tool.hatch.version] path, pdm's
// [tool.pdm.version] path (source "file"), setuptools' dynamic version
// attr or file (in pyproject.toml, or setup.cfg's attr: and file:), and
// flit's module. An attr names a module, found as setuptools finds it in
// the project, in src/ or in the package-dir the project sets. ok is
// false when no setting names a file that exists.
func (c *Config) DeclaredVersionFile() (f DeclaredVersionFile, ok bool) {
	tool, _ := c.doc["tool"].(map[string]any)
	table := func(m map[string]any, keys ...string) map[string]any {
		for _, k := range keys {
			m, _ = m[k].(map[string]any)
		}
		return m
	}
	exists := func(rel string) bool {
		if rel == "" || outsideDir(c.Dir, rel) || filepath.IsAbs(rel) {
			return false
		}
		fi, err := os.Stat(filepath.Join(c.Dir, rel))
		return err == nil && fi.Mode().IsRegular()
	}
	if p, _ := table(tool, "hatch", "version")["path"].(string); exists(p) {
		return DeclaredVersionFile{Path: p, From: "[tool.hatch.version] path"}, true
	}
	if pdm := table(tool, "pdm", "version"); pdm["source"] == "file" {
		if p, _ := pdm["path"].(string); exists(p) {
			return DeclaredVersionFile{Path: p, From: "[tool.pdm.version] path"}, true
		}
	}
	setupCfg, _ := os.ReadFile(filepath.Join(c.Dir, "setup.cfg"))
	setuptools := table(tool, "setuptools")
	roots := packageRoots(setuptools, setupCfg)
	if v := table(setuptools, "dynamic", "version"); v != nil {
		if attr, _ := v["attr"].(string); attr != "" {
			if p := attrModule(attr, roots, exists); p != "" {
				return DeclaredVersionFile{Path: p, From: "[tool.setuptools.dynamic] version attr"}, true
			}
		}
		if p := firstString(v["file"]); exists(p) {
			return DeclaredVersionFile{Path: p, Plain: true, From: "[tool.setuptools.dynamic] version file"}, true
		}
	}
	if setupCfg != nil {
		if v := setupCfgValue(setupCfg, "metadata", "version"); v != "" {
			switch {
			case strings.HasPrefix(v, "attr:"):
				if p := attrModule(strings.TrimSpace(strings.TrimPrefix(v, "attr:")), roots, exists); p != "" {
					return DeclaredVersionFile{Path: p, From: "setup.cfg [metadata] version = attr:"}, true
				}
			case strings.HasPrefix(v, "file:"):
				p, _, _ := strings.Cut(strings.TrimSpace(strings.TrimPrefix(v, "file:")), ",")
				if p = strings.TrimSpace(p); exists(p) {
					return DeclaredVersionFile{Path: p, Plain: true, From: "setup.cfg [metadata] version = file:"}, true
				}
			}
		}
	}
	if name, _ := table(tool, "flit", "module")["name"].(string); name != "" {
		for _, root := range []string{"", "src"} {
			if p := filepath.Join(root, filepath.FromSlash(strings.ReplaceAll(name, ".", "/")), "__init__.py"); exists(p) {
				return DeclaredVersionFile{Path: p, From: "[tool.flit.module] name"}, true
			}
		}
	}
	return DeclaredVersionFile{}, false
}

// packageRoots are the directories setuptools looks for top-level packages
// in: the project, src/, and the root package-dir of pyproject.toml or
// setup.cfg (its content, nil when there is none).
func packageRoots(setuptools map[string]any, setupCfg []byte) []string {
	roots := []string{"", "src"}
	if pd, _ := setuptools["package-dir"].(map[string]any); pd != nil {
		if r, _ := pd[""].(string); r != "" {
			roots = append([]string{filepath.FromSlash(r)}, roots...)
		}
	}
	// package_dir = =src, or on its own lines.
	for _, line := range strings.Split(setupCfgValue(setupCfg, "options", "package_dir"), "\n") {
		if k, v, ok := strings.Cut(line, "="); ok && strings.TrimSpace(k) == "" && strings.TrimSpace(v) != "" {
			roots = append([]string{filepath.FromSlash(strings.TrimSpace(v))}, roots...)
		}
	}
	return roots
}

// attrModule is the file of the module an attr: names (pkg.mod.__version__
// is pkg/mod.py or pkg/mod/__init__.py), or "".
func attrModule(attr string, roots []string, exists func(string) bool) string {
	i := strings.LastIndexByte(attr, '.')
	if i <= 0 || !ValidModule(attr) {
		return ""
	}
	mod := filepath.FromSlash(strings.ReplaceAll(attr[:i], ".", "/"))
	for _, root := range roots {
		for _, p := range []string{filepath.Join(root, mod+".py"), filepath.Join(root, mod, "__init__.py")} {
			if exists(p) {
				return p
			}
		}
	}
	return ""
}

func firstString(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case []any:
		if len(v) == 1 {
			s, _ := v[0].(string)
			return s
		}
	}
	return ""
}

// setupCfgValue is a key's value in a setup.cfg section as configparser
// reads it: continuation lines (indented) joined with newlines.
func setupCfgValue(data []byte, section, key string) string {
	sc := bufio.NewScanner(bytes.NewReader(data))
	current, value, in := "", []string(nil), false
	for sc.Scan() {
		line := sc.Text()
		trimmed := strings.TrimSpace(line)
		indented := line != "" && (line[0] == ' ' || line[0] == '\t')
		switch {
		case in && indented && trimmed != "":
			value = append(value, trimmed)
			continue
		case trimmed == "" || trimmed[0] == '#' || trimmed[0] == ';':
			continue
		}
		if in {
			break
		}
		if strings.HasPrefix(trimmed, "[") && strings.HasSuffix(trimmed, "]") {
			current = strings.TrimSpace(trimmed[1 : len(trimmed)-1])
			continue
		}
		if current != section || indented {
			continue
		}
		k, v, ok := strings.Cut(trimmed, "=")
		if i := strings.IndexByte(trimmed, ':'); i >= 0 && (!ok || i < len(k)) {
			k, v, ok = trimmed[:i], trimmed[i+1:], true
		}
		if ok && strings.TrimSpace(k) == key {
			in = true
			if v = strings.TrimSpace(v); v != "" {
				value = append(value, v)
			}
		}
	}
	return strings.Join(value, "\n")
}
