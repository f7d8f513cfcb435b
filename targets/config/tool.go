package config

import (
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// toolIn is how messages name the [tool.pyrelease] table.
const (
	toolTableName = "tool.pyrelease"
	toolIn        = "[" + toolTableName + "]"
)

// setter stores one [tool.pyrelease] value into c. It reports a problem as a
// *ValueError whose Key may be refined (version-file[1].pattern); the caller
// adds the file and table.
type setter func(c *Config, v any) error

// setters is what the decoder accepts under [tool.pyrelease], keyed by name.
// A test checks it against Keys so the documentation cannot drift.
func setters() map[string]setter {
	return map[string]setter{
		keyVersionScheme: stringSetter(keyVersionScheme, func(c *Config) *string { return &c.VersionScheme }),
		keyTagPattern:    stringSetter(keyTagPattern, func(c *Config) *string { return &c.TagPattern }),
		keyTagFormat:     stringSetter(keyTagFormat, func(c *Config) *string { return &c.TagFormat }),
		keyVersionFormat: stringSetter(keyVersionFormat, func(c *Config) *string { return &c.VersionFormat }),
		keyRemote:        stringSetter(keyRemote, func(c *Config) *string { return &c.Remote }),
		keyVersionFile:   setVersionFiles,
		keyChangelog:     setChangelog,
		keyPush:          boolSetter(keyPush, func(c *Config) *bool { return &c.Push }),
		keyPython:        stringSetter(keyPython, func(c *Config) *string { return &c.Python }),
		keyIsolation: func(c *Config, v any) error {
			c.IsolationSet = true
			return boolSetter(keyIsolation, func(c *Config) *bool { return &c.Isolation })(c, v)
		},
		keyInstaller:     stringSetter(keyInstaller, func(c *Config) *string { return &c.Installer }),
		keyRepair:        boolSetter(keyRepair, func(c *Config) *bool { return &c.Repair }),
		keyRepairCommand: listSetter(keyRepairCommand, func(c *Config) *[]string { return &c.RepairCommand }),
		keyTools:         listSetter(keyTools, func(c *Config) *[]string { return &c.Tools }),
		keySmokeCommand:  listSetter(keySmokeCommand, func(c *Config) *[]string { return &c.SmokeCommand }),
		keyExtras:        listSetter(keyExtras, func(c *Config) *[]string { return &c.Extras }),
	}
}

// decodeTool applies every key of [tool.pyrelease] to c, in sorted order so
// the first error reported does not depend on map order.
func decodeTool(file string, tool map[string]any, c *Config) error {
	set := setters()
	for _, key := range sortedKeys(tool) {
		v := tool[key]
		if slices.Contains(KnownTables, key) {
			if _, ok := v.(map[string]any); !ok {
				return &ValueError{File: file, Table: toolTableName, Key: key, Want: "a table", Got: describe(v), Err: ErrType}
			}
			continue
		}
		s, ok := set[key]
		if !ok {
			return unknownKey(file, toolIn, key, validToolKeys())
		}
		if err := s(c, v); err != nil {
			switch e := err.(type) {
			case *ValueError:
				e.File, e.Table = file, toolTableName
			case *UnknownKeyError:
				e.File = file
			}
			return err
		}
	}
	return nil
}

// validToolKeys lists what may appear under [tool.pyrelease], for messages.
func validToolKeys() []string {
	valid := make([]string, 0, len(Keys)+len(KnownTables))
	for _, k := range Keys {
		valid = append(valid, k.Name)
	}
	for _, t := range KnownTables {
		valid = append(valid, "["+toolTableName+"."+t+"]")
	}
	return valid
}

func unknownKey(file, in, key string, valid []string) error {
	names := make([]string, len(valid))
	for i, v := range valid {
		names[i] = strings.TrimSuffix(strings.TrimPrefix(v, "["+toolTableName+"."), "]")
	}
	e := &UnknownKeyError{File: file, In: in, Key: key, Valid: valid}
	if i := closest(key, names); i >= 0 {
		e.Suggestion = names[i]
	}
	return e
}

func stringSetter(key string, field func(*Config) *string) setter {
	return func(c *Config, v any) error {
		s, ok := v.(string)
		if !ok {
			return &ValueError{Key: key, Want: "a string", Got: describe(v), Err: ErrType}
		}
		*field(c) = s
		return nil
	}
}

func boolSetter(key string, field func(*Config) *bool) setter {
	return func(c *Config, v any) error {
		b, ok := v.(bool)
		if !ok {
			return &ValueError{Key: key, Want: "a boolean (true or false, unquoted)", Got: describe(v), Err: ErrType}
		}
		*field(c) = b
		return nil
	}
}

// listSetter takes an array of strings, or one string as a list of one.
func listSetter(key string, field func(*Config) *[]string) setter {
	return func(c *Config, v any) error {
		switch v := v.(type) {
		case string:
			*field(c) = []string{v}
			return nil
		case []any:
			list := make([]string, 0, len(v))
			for i, item := range v {
				s, ok := item.(string)
				if !ok {
					return &ValueError{Key: fmt.Sprintf("%s[%d]", key, i), Want: "a string", Got: describe(item), Err: ErrType}
				}
				list = append(list, s)
			}
			*field(c) = list
			return nil
		}
		return &ValueError{Key: key, Want: "an array of strings", Got: describe(v), Err: ErrType}
	}
}

// setChangelog also takes booleans because `changelog = false` is the
// natural way to write "no changelog" in TOML.
func setChangelog(c *Config, v any) error {
	switch v := v.(type) {
	case string:
		c.Changelog = v
	case bool:
		c.Changelog = ""
		if !v {
			c.Changelog = changelogNone
		}
	default:
		return &ValueError{Key: keyChangelog, Want: `a path, "none" or false`, Got: describe(v), Err: ErrType}
	}
	return nil
}

// setVersionFiles accepts one path, or a list of paths and
// {path, pattern} tables.
func setVersionFiles(c *Config, v any) error {
	list, isList, ok := itemList(v)
	if !ok {
		return &ValueError{Key: keyVersionFile, Want: "a path or an array of paths and {path, pattern} tables", Got: describe(v), Err: ErrType}
	}
	c.VersionFiles = nil
	for i, e := range list {
		key := keyVersionFile
		if isList {
			key = fmt.Sprintf("%s[%d]", keyVersionFile, i)
		}
		vf, err := versionFile(key, e)
		if err != nil {
			return err
		}
		c.VersionFiles = append(c.VersionFiles, vf)
	}
	return nil
}

// itemList takes one string, an array, or an array of tables, as the
// list of its items; isList says whether items are named by index in
// messages (not for a lone string).
func itemList(v any) (list []any, isList, ok bool) {
	switch v := v.(type) {
	case string:
		return []any{v}, false, true
	case []any:
		return v, true, true
	case []map[string]any: // [[tool.pyrelease.x]] array-of-tables syntax
		for _, t := range v {
			list = append(list, t)
		}
		return list, true, true
	}
	return nil, false, false
}

// versionFileKeys are the keys of a version-file table.
var versionFileKeys = []string{"path", "pattern"}

func versionFile(key string, v any) (VersionFile, error) {
	switch v := v.(type) {
	case string:
		return VersionFile{Path: cleanPath(v)}, nil
	case map[string]any:
		for _, k := range sortedKeys(v) {
			if !slices.Contains(versionFileKeys, k) {
				// The caller fills in the file name.
				return VersionFile{}, unknownKey("", toolIn+" "+key, k, versionFileKeys)
			}
		}
		p, ok := v["path"].(string)
		if !ok {
			return VersionFile{}, &ValueError{Key: key + ".path", Want: "a string", Got: describeOrNone(v["path"]), Err: ErrType}
		}
		vf := VersionFile{Path: cleanPath(p)}
		raw, ok := v["pattern"]
		if !ok {
			return vf, nil
		}
		text, ok := raw.(string)
		if !ok {
			return VersionFile{}, &ValueError{Key: key + ".pattern", Want: "a string", Got: describe(raw), Err: ErrType}
		}
		re, err := compilePattern(text)
		if err != nil {
			ve := err.(*ValueError)
			ve.Key = key + ".pattern"
			return VersionFile{}, ve
		}
		vf.Pattern, vf.PatternText = re, text
		return vf, nil
	default:
		return VersionFile{}, &ValueError{Key: key, Want: "a path or a {path, pattern} table", Got: describe(v), Err: ErrType}
	}
}

// compilePattern insists on exactly one capture group: it is how the stamper
// knows which part of the match is the version.
func compilePattern(text string) (*regexp.Regexp, error) {
	const want = "a Go regexp with one capture group around the version"
	re, err := regexp.Compile(text)
	if err != nil {
		return nil, &ValueError{Want: want, Got: fmt.Sprintf("%q", text), Err: ErrInvalid, Cause: err}
	}
	if n := re.NumSubexp(); n != 1 {
		return nil, &ValueError{Want: want, Got: fmt.Sprintf("%q with %d groups (use (?:...) for groups that are not the version)", text, n), Err: ErrInvalid}
	}
	return re, nil
}

// cleanPath makes a configured path OS-native without resolving it; an empty
// path stays empty so Validate can report it.
func cleanPath(p string) string {
	p = strings.TrimSpace(p)
	if p == "" {
		return ""
	}
	return filepath.Clean(filepath.FromSlash(p))
}

// describe renders a decoded TOML value for an error message: its TOML type,
// and the value itself when it is short.
func describe(v any) string {
	switch v := v.(type) {
	case string:
		return "string " + quoteShort(v)
	case bool:
		return fmt.Sprintf("boolean %t", v)
	case int64:
		return fmt.Sprintf("integer %d", v)
	case float64:
		return fmt.Sprintf("float %g", v)
	case []any:
		return "an array"
	case []map[string]any:
		return "an array of tables"
	case map[string]any:
		return "a table"
	case time.Time:
		return "a datetime"
	case nil:
		return "nothing"
	}
	// Local dates and times decode to the toml package's own types.
	return "a date or time"
}

func describeOrNone(v any) string {
	if v == nil {
		return "none"
	}
	return describe(v)
}

// quoteShort quotes s, cut to a length that keeps the message on one line.
func quoteShort(s string) string {
	const limit = 60
	if utf8.RuneCountInString(s) > limit {
		s = string([]rune(s)[:limit]) + "..."
	}
	return fmt.Sprintf("%q", s)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
