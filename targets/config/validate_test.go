package config

import (
	"errors"
	"regexp"
	"strings"
	"testing"
)

// Validate is also called on Configs built or changed in code, which have no
// file or environment to blame.
func TestValidateInCode(t *testing.T) {
	valid := func() Config {
		return Config{VersionScheme: "pep440", VersionFormat: "pep440", Remote: "origin"}
	}
	tests := map[string]struct {
		change func(c *Config)
		want   string // "" = valid
	}{
		"defaults":         {change: func(*Config) {}},
		"file scheme ok":   {change: func(c *Config) { c.VersionScheme = "file"; c.VersionFiles = []VersionFile{{Path: "v.py"}} }},
		"empty scheme":     {change: func(c *Config) { c.VersionScheme = "" }, want: `config: version-scheme: expected one of "pep440", "file", got ""`},
		"bad format":       {change: func(c *Config) { c.VersionFormat = "PEP440" }, want: `config: version-format: expected one of`},
		"tag format":       {change: func(c *Config) { c.TagFormat = "release" }, want: `config: tag-format: expected a tag name containing "{version}"`},
		"tag pattern":      {change: func(c *Config) { c.TagPattern = `v\` }, want: `config: tag-pattern: expected a glob`},
		"good tag pattern": {change: func(c *Config) { c.TagPattern = "release-[0-9]*" }},
		"no remote":        {change: func(c *Config) { c.Remote = "" }, want: `config: remote: expected a git remote name`},
		"installer":        {change: func(c *Config) { c.Installer = "conda" }, want: `config: installer: expected one of "auto", "pip", "uv", got "conda"`},
		"extras":           {change: func(c *Config) { c.Extras = []string{"cli", "http2", "Socks_5.x"} }},
		"extra with space": {change: func(c *Config) { c.Extras = []string{"c li"} }, want: `config: extras[0]: expected an extra's name`},
		"extra dash first": {change: func(c *Config) { c.Extras = []string{"-cli"} }, want: `got "-cli"`},
		"repair command":   {change: func(c *Config) { c.RepairCommand = []string{"delvewheel", "repair", "-w", "{dest_dir}", "{wheel}"} }},
		"repair command without wheel": {
			change: func(c *Config) { c.RepairCommand = []string{"fixup", "{dest_dir}"} },
			want:   `config: repair-command: expected a command with {wheel} and {dest_dir} among its arguments`,
		},
		"pattern groups": {
			change: func(c *Config) {
				c.VersionFiles = []VersionFile{{Path: "a"}, {Path: "b", Pattern: regexp.MustCompile(`(a)(b)`)}}
			},
			want: `config: version-file[1].pattern: expected a regexp with one capture group around the version, got "(a)(b)"`,
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			c := valid()
			tc.change(&c)
			err := c.Validate()
			if tc.want == "" {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Validate = %v, want %q", err, tc.want)
			}
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("error is not ErrInvalid")
			}
			var ve *ValueError
			if !errors.As(err, &ve) || ve.File != "" || ve.Env != "" {
				t.Errorf("ValueError = %+v, want one without file or env", ve)
			}
		})
	}
}
