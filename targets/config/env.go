package config

import (
	"fmt"
	"strings"
)

// applyEnv lets PYRELEASE_* variables override the file, so a CI job can
// change one setting without a commit. An empty variable counts as unset:
// getenv cannot tell the two apart. Values are trimmed of surrounding space.
func (c *Config) applyEnv(getenv func(string) string) error {
	for _, k := range Keys {
		raw := strings.TrimSpace(getenv(k.Env))
		if raw == "" {
			continue
		}
		if err := c.setFromEnv(k, raw); err != nil {
			return err
		}
		if c.envs == nil {
			c.envs = map[string]string{}
		}
		c.envs[k.Name] = k.Env
	}
	return nil
}

func (c *Config) setFromEnv(k Key, raw string) error {
	switch k.Name {
	case keyVersionScheme:
		c.VersionScheme = raw
	case keyTagPattern:
		c.TagPattern = raw
	case keyTagFormat:
		c.TagFormat = raw
	case keyVersionFormat:
		c.VersionFormat = raw
	case keyChangelog:
		c.Changelog = raw
	case keyRemote:
		c.Remote = raw
	case keyPush, keyIsolation, keyRepair:
		b, ok := parseBool(raw)
		if !ok {
			return &ValueError{Env: k.Env, Want: "true, false, 1, 0, yes or no", Got: quoteShort(raw), Err: ErrInvalid}
		}
		switch k.Name {
		case keyPush:
			c.Push = b
		case keyRepair:
			c.Repair = b
		default:
			c.Isolation, c.IsolationSet = b, true
		}
	case keyPython:
		c.Python = raw
	case keyInstaller:
		c.Installer = raw
	case keyTools:
		c.Tools = nil
		for t := range strings.SplitSeq(raw, ",") {
			if t = strings.TrimSpace(t); t != "" {
				c.Tools = append(c.Tools, t)
			}
		}
	case keyExtras:
		c.Extras = nil
		for e := range strings.SplitSeq(raw, ",") {
			if e = strings.TrimSpace(e); e != "" {
				c.Extras = append(c.Extras, e)
			}
		}
	case keySmokeCommand:
		c.SmokeCommand = strings.Fields(raw)
	case keyRepairCommand:
		c.RepairCommand = strings.Fields(raw)
	case keyVersionFile:
		// Paths only: a pattern needs the file's table syntax.
		var files []VersionFile
		for p := range strings.SplitSeq(raw, ",") {
			if p = cleanPath(p); p != "" {
				files = append(files, VersionFile{Path: p})
			}
		}
		if len(files) == 0 {
			return &ValueError{Env: k.Env, Want: "a comma-separated list of paths", Got: quoteShort(raw), Err: ErrInvalid}
		}
		c.VersionFiles = files
	default:
		// A key added to Keys without env support must not pass silently;
		// TestEveryKeyHasEnvOverride catches it first.
		return fmt.Errorf("config: environment variable %s: not supported for key %q (a pyrelease bug)", k.Env, k.Name)
	}
	return nil
}

// parseBool accepts the spellings CI systems and shell scripts use, in any
// case.
func parseBool(s string) (value, ok bool) {
	switch strings.ToLower(s) {
	case "true", "1", "yes":
		return true, true
	case "false", "0", "no":
		return false, true
	}
	return false, false
}
