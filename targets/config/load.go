package config

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/BurntSushi/toml"
)

// fileName is the only file pyrelease reads its settings from.
const fileName = "pyproject.toml"

// Load reads dir/pyproject.toml, applies PYRELEASE_* overrides from the
// process environment, and validates the result.
func Load(dir string) (*Config, error) {
	return LoadEnv(dir, os.Getenv)
}

// LoadEnv is Load with the environment given as a lookup function, so tests
// and callers with their own environment do not touch the process's. A nil
// getenv means no overrides.
func LoadEnv(dir string, getenv func(string) string) (*Config, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("config: %s: %w", dir, err)
	}
	file := filepath.Join(abs, fileName)
	data, err := os.ReadFile(file)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("config: %s: %w", file, ErrNoProject)
	}
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	c, err := parse(file, data)
	if err != nil {
		return nil, err
	}
	c.Dir = abs
	if c.Project.Name == "" {
		c.Project.Name, c.Project.NameFrom = staticName(abs, c.doc)
	}
	if getenv != nil {
		if err := c.applyEnv(getenv); err != nil {
			return nil, err
		}
		if err := c.applySnapshotEnv(getenv); err != nil {
			return nil, err
		}
		if err := c.applyReleaseEnv(getenv); err != nil {
			return nil, err
		}
		if err := c.applySmokeEnv(getenv); err != nil {
			return nil, err
		}
		if err := c.applyEnvOnly(getenv); err != nil {
			return nil, err
		}
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return c, nil
}

// parse decodes pyproject.toml's content into a Config with defaults filled
// in. It does no I/O; file is only used in messages and Config.File.
func parse(file string, data []byte) (*Config, error) {
	if err := checkNesting(file, data); err != nil {
		return nil, err
	}
	doc := map[string]any{}
	if _, err := toml.Decode(string(data), &doc); err != nil {
		return nil, syntaxError(file, err)
	}
	c := &Config{
		File:          file,
		VersionScheme: "pep440",
		VersionFormat: "pep440",
		Remote:        "origin",
		Installer:     InstallerAuto,
		SmokeCommand:  []string{"--version"},
		Repair:        true,
	}
	c.doc = doc
	if err := decodeProject(file, doc, &c.Project); err != nil {
		return nil, err
	}
	if c.Project.Name != "" {
		c.Project.NameFrom = NameFromProject
	}
	tool, err := toolTable(file, doc)
	if err != nil {
		return nil, err
	}
	if tool != nil {
		c.Tool = tool
		if err := decodeTool(file, tool, c); err != nil {
			return nil, err
		}
	}
	if err := decodeBdist(file, c.Tool["bdist"], c); err != nil {
		return nil, err
	}
	if err := decodeSmoke(file, c.Tool["smoke"], c); err != nil {
		return nil, err
	}
	if err := decodeRelease(file, c.Tool["release"], c); err != nil {
		return nil, err
	}
	if err := decodeSnapshot(file, c.Tool["snapshot"], c); err != nil {
		return nil, err
	}
	return c, nil
}

// syntaxError turns the TOML parser's error into one line with the file's
// position, without the parser's multi-line excerpt.
func syntaxError(file string, err error) error {
	var pe toml.ParseError
	if errors.As(err, &pe) {
		return &SyntaxError{File: file, Line: pe.Position.Line, Column: pe.Position.Col, Msg: oneLine(pe.Message)}
	}
	return &SyntaxError{File: file, Msg: oneLine(strings.TrimPrefix(err.Error(), "toml: "))}
}

// oneLine keeps a message on one log line whatever the input contained.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// toolTable returns [tool.pyrelease], or nil when the file has none.
func toolTable(file string, doc map[string]any) (map[string]any, error) {
	raw, ok := doc["tool"]
	if !ok {
		return nil, nil
	}
	tool, ok := raw.(map[string]any)
	if !ok {
		return nil, &ValueError{File: file, Key: "tool", Want: "a table", Got: describe(raw), Err: ErrType}
	}
	raw, ok = tool["pyrelease"]
	if !ok {
		return nil, nil
	}
	t, ok := raw.(map[string]any)
	if !ok {
		return nil, &ValueError{File: file, Table: "tool", Key: "pyrelease", Want: "a table", Got: describe(raw), Err: ErrType}
	}
	return t, nil
}

// decodeProject reads the [project] keys pyrelease uses and ignores the rest:
// PEP 621 has many keys that are the build backend's concern.
func decodeProject(file string, doc map[string]any, p *Project) error {
	raw, ok := doc["project"]
	if !ok {
		return nil
	}
	t, ok := raw.(map[string]any)
	if !ok {
		return &ValueError{File: file, Key: "project", Want: "a table", Got: describe(raw), Err: ErrType}
	}
	bad := func(key, want string, v any) error {
		return &ValueError{File: file, Table: "project", Key: key, Want: want, Got: describe(v), Err: ErrType}
	}
	if v, ok := t["name"]; ok {
		s, ok := v.(string)
		if !ok {
			return bad("name", "a string", v)
		}
		p.Name = s
	}
	if p.Name == "" {
		// PEP 621 requires it, and everything pyrelease publishes is named by it.
		return &ValueError{File: file, Table: "project", Key: "name", Want: "a non-empty project name (PEP 621 requires one)", Got: "none", Err: ErrInvalid}
	}
	if v, ok := t["version"]; ok {
		s, ok := v.(string)
		if !ok {
			return bad("version", "a string", v)
		}
		p.Version = s
	}
	if v, ok := t["requires-python"]; ok {
		s, ok := v.(string)
		if !ok {
			return bad("requires-python", "a string", v)
		}
		p.RequiresPython = s
	}
	if v, ok := t["dynamic"]; ok {
		list, ok := v.([]any)
		if !ok {
			return bad("dynamic", "an array of strings", v)
		}
		for i, e := range list {
			s, ok := e.(string)
			if !ok {
				return bad(fmt.Sprintf("dynamic[%d]", i), "a string", e)
			}
			p.Dynamic = append(p.Dynamic, s)
		}
	}
	if v, ok := t["scripts"]; ok {
		m, ok := v.(map[string]any)
		if !ok {
			return bad("scripts", "a table of strings", v)
		}
		p.Scripts = make(map[string]string, len(m))
		for _, name := range sortedKeys(m) {
			e := m[name]
			s, ok := e.(string)
			if !ok {
				return &ValueError{File: file, Table: "project.scripts", Key: name, Want: "a string (an entry point such as \"pkg.cli:main\")", Got: describe(e), Err: ErrType}
			}
			p.Scripts[name] = s
		}
	}
	return nil
}
