package config

import (
	"maps"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// The documentation is generated from Keys, so Keys must list exactly what
// the decoder accepts.
func TestKeysMatchDecoder(t *testing.T) {
	var documented []string
	for _, k := range Keys {
		documented = append(documented, k.Name)
	}
	decoded := slices.Sorted(maps.Keys(setters()))
	if got := slices.Sorted(slices.Values(documented)); !slices.Equal(got, decoded) {
		t.Errorf("Keys document %v, decoder accepts %v", got, decoded)
	}
	if len(documented) != len(decoded) {
		t.Errorf("Keys has %d entries for %d decoded keys (duplicates?)", len(documented), len(decoded))
	}
	for _, table := range KnownTables {
		if slices.Contains(decoded, table) {
			t.Errorf("%q is both a key and a reserved table", table)
		}
	}
}

func TestKeysAreDocumented(t *testing.T) {
	envs := map[string]bool{}
	for i, k := range slices.Concat(Keys, SnapshotKeys, ReleaseKeys, SmokeKeys) {
		prefix := "PYRELEASE_"
		if slices.Contains(SmokeKeys, k) {
			prefix = "PYRELEASE_SMOKE_" // "offline" alone would not say what goes offline
		}
		if k.Env == "" && i >= len(Keys) {
			// Keys of the sub-tables may be file-only.
		} else if want := prefix + strings.ToUpper(strings.ReplaceAll(k.Name, "-", "_")); k.Env != want {
			t.Errorf("%s: Env = %q, want %q", k.Name, k.Env, want)
		}
		if k.Env != "" && envs[k.Env] {
			t.Errorf("%s: Env %s used twice", k.Name, k.Env)
		}
		envs[k.Env] = true
		if k.Type == "" {
			t.Errorf("%s: no Type", k.Name)
		}
		if !strings.HasSuffix(k.Doc, ".") || strings.Count(k.Doc, ". ") > 0 {
			t.Errorf("%s: Doc should be one sentence: %q", k.Name, k.Doc)
		}
	}
}

// Key.Default is documentation; check it says what loading an empty file
// really gives.
func TestKeysDefaultsMatchLoad(t *testing.T) {
	c, err := parse("pyproject.toml", nil)
	if err != nil {
		t.Fatal(err)
	}
	effective := map[string]string{
		keyVersionScheme: c.VersionScheme,
		keyVersionFile:   strconv.Itoa(len(c.VersionFiles)),
		keyTagPattern:    c.TagPattern,
		keyTagFormat:     c.TagFormat,
		keyVersionFormat: c.VersionFormat,
		keyChangelog:     c.Changelog,
		keyPush:          strconv.FormatBool(c.Push),
		keyRemote:        c.Remote,
		keyPython:        c.Python,
		keyIsolation:     map[bool]string{true: strconv.FormatBool(c.Isolation)}[c.IsolationSet],
		keyInstaller:     c.Installer,
		keyRepair:        strconv.FormatBool(c.Repair),
		keyRepairCommand: strings.Join(c.RepairCommand, " "),
		keyTools:         strings.Join(c.Tools, " "),
		keySmokeCommand:  strings.Join(c.SmokeCommand, " "),
		keyExtras:        strings.Join(c.Extras, " "),
	}
	for _, k := range Keys {
		got, ok := effective[k.Name]
		if !ok {
			t.Errorf("%s: test does not know how to read this key's default", k.Name)
			continue
		}
		if k.Name == keyVersionFile {
			// No files by default; the documented default is empty.
			if got != "0" || k.Default != "" {
				t.Errorf("%s: %s files by default, documented %q", k.Name, got, k.Default)
			}
			continue
		}
		if got != k.Default {
			t.Errorf("%s: default is %q, documented %q", k.Name, got, k.Default)
		}
	}
}

// Every documented variable must be read, and read into its own key.
func TestEveryKeyHasEnvOverride(t *testing.T) {
	samples := map[string]string{
		keyVersionScheme: "file", keyVersionFile: "x.py", keyTagPattern: "t*", keyTagFormat: "t{version}",
		keyVersionFormat: "semver", keyChangelog: "none", keyPush: "true", keyRemote: "r",
		keyPython: "/usr/bin/python3", keyIsolation: "yes", keyTools: "greet, other", keySmokeCommand: "--help -v",
		keyRepair: "no", keyRepairCommand: "delvewheel repair -w {dest_dir} {wheel}", keyInstaller: "uv",
		keyExtras: "cli, http2",
	}
	for _, k := range Keys {
		t.Run(k.Name, func(t *testing.T) {
			c, err := parse("pyproject.toml", nil)
			if err != nil {
				t.Fatal(err)
			}
			before := *c
			if err := c.applyEnv(env(map[string]string{k.Env: samples[k.Name]})); err != nil {
				t.Fatal(err)
			}
			if c.envs[k.Name] != k.Env {
				t.Errorf("envs = %v, want %s recorded for %s", c.envs, k.Env, k.Name)
			}
			c.envs = nil
			if c.VersionScheme == before.VersionScheme && len(c.VersionFiles) == len(before.VersionFiles) &&
				c.TagPattern == before.TagPattern && c.TagFormat == before.TagFormat &&
				c.VersionFormat == before.VersionFormat && c.Changelog == before.Changelog &&
				c.Push == before.Push && c.Remote == before.Remote && c.Python == before.Python &&
				c.Isolation == before.Isolation && slices.Equal(c.Tools, before.Tools) &&
				slices.Equal(c.SmokeCommand, before.SmokeCommand) && c.Repair == before.Repair &&
				slices.Equal(c.RepairCommand, before.RepairCommand) && c.Installer == before.Installer &&
				slices.Equal(c.Extras, before.Extras) {
				t.Errorf("%s=%s changed nothing", k.Env, samples[k.Name])
			}
		})
	}
}

func TestClosest(t *testing.T) {
	names := []string{"version-scheme", "version-file", "tag-pattern", "tag-format", "push", "remote"}
	tests := map[string]struct {
		key, want string
	}{
		"typo":         {key: "version-schema", want: "version-scheme"},
		"underscores":  {key: "VERSION_FILE", want: "version-file"},
		"short":        {key: "psh", want: "push"},
		"plural":       {key: "version-files", want: "version-file"},
		"nothing near": {key: "upload-url", want: ""},
		"too short":    {key: "x", want: ""},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got := ""
			if i := closest(tc.key, names); i >= 0 {
				got = names[i]
			}
			if got != tc.want {
				t.Errorf("closest(%q) = %q, want %q", tc.key, got, tc.want)
			}
		})
	}
}
