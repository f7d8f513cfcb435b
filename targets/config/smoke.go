package config

import (
	"fmt"
	"strings"
)

// Smoke is [tool.pyrelease.smoke]: how the smoke test installs a wheel and
// what it runs. The wheel itself always comes from dist/; its dependencies
// come from wherever pip would get them (PIP_INDEX_URL, pip.conf, a
// mirror), or, offline, only from find-links.
//
//	[tool.pyrelease.smoke]
//	offline = true                  # dependencies only from find-links and dist/
//	find-links = ["wheelhouse"]     # extra pip --find-links, relative to the project
//	imports = ["mypkg", "mypkg_ext"]
//
//	[tool.pyrelease.smoke.commands]
//	mytool = ["--help"]             # run with these arguments instead of smoke-command
//	mytool-daemon = false           # never run
type Smoke struct {
	Offline   bool     // pip --no-index: dependencies only from FindLinks and dist/
	FindLinks []string // extra pip --find-links, as written (paths relative to the project, or URLs)
	// Imports are the modules imported in the fresh venv; nil means every
	// top-level package of the wheel, empty means none.
	Imports []string
	// Commands maps a tool to the arguments it runs with instead of
	// smoke-command; a nil value means the tool is not run.
	Commands map[string][]string
}

const smokeTable = toolTableName + ".smoke"

// Names of the [tool.pyrelease.smoke] keys.
const (
	smokeKeyOffline   = "offline"
	smokeKeyFindLinks = "find-links"
	smokeKeyImports   = "imports"
	smokeKeyCommands  = "commands"
)

// SmokeKeys lists every [tool.pyrelease.smoke] setting in the order the
// documentation shows them.
var SmokeKeys = []Key{
	{
		Name: smokeKeyOffline, Env: "PYRELEASE_SMOKE_OFFLINE", Type: "boolean", Default: "false",
		Doc: `Whether the smoke test installs the wheel's dependencies only from find-links and dist/ (pip --no-index); otherwise they come from the index pip is configured with (PIP_INDEX_URL, pip.conf).`,
	},
	{
		Name: smokeKeyFindLinks, Env: "PYRELEASE_SMOKE_FIND_LINKS", Type: "array of strings", Default: "",
		Doc: `Extra places pip finds dependencies in (pip --find-links): directories relative to the project, or URLs; the variable takes a comma-separated list.`,
	},
	{
		Name: smokeKeyImports, Type: "array of strings", Default: "",
		Doc: `Modules the smoke test imports in the fresh venv, comparing each one's __version__ with the build's when it has one; empty means every top-level package of the wheel but tests and docs, and [] means none.`,
	},
	{
		Name: smokeKeyCommands, Type: "table of arrays of strings or false", Default: "",
		Doc: `Per tool, the arguments the smoke test runs it with instead of smoke-command (only exit status 0 is required then), or false to not run it.`,
	},
}

func smokeSetters() map[string]func(s *Smoke, v any) error {
	return map[string]func(s *Smoke, v any) error{
		smokeKeyOffline: func(s *Smoke, v any) error {
			b, ok := v.(bool)
			if !ok {
				return &ValueError{Key: smokeKeyOffline, Want: "a boolean (true or false, unquoted)", Got: describe(v), Err: ErrType}
			}
			s.Offline = b
			return nil
		},
		smokeKeyFindLinks: func(s *Smoke, v any) error {
			if str, ok := v.(string); ok { // from the environment
				v = splitList(str)
			}
			list, err := stringList(smokeKeyFindLinks, v)
			if err != nil {
				return err
			}
			for i, l := range list {
				if strings.TrimSpace(l) == "" {
					return &ValueError{Key: fmt.Sprintf("%s[%d]", smokeKeyFindLinks, i), Want: "a directory or a URL", Got: `""`, Err: ErrInvalid}
				}
			}
			s.FindLinks = list
			return nil
		},
		smokeKeyImports: func(s *Smoke, v any) error {
			list, err := stringList(smokeKeyImports, v)
			if err != nil {
				return err
			}
			for i, m := range list {
				if !ValidModule(m) {
					return &ValueError{Key: fmt.Sprintf("%s[%d]", smokeKeyImports, i), Want: "a module name such as mypkg or mypkg.sub", Got: quoteShort(m), Err: ErrInvalid}
				}
			}
			if list == nil {
				list = []string{}
			}
			s.Imports = list
			return nil
		},
		smokeKeyCommands: func(s *Smoke, v any) error {
			table, ok := v.(map[string]any)
			if !ok {
				return &ValueError{Key: smokeKeyCommands, Want: "a table of tool = [arguments] or tool = false", Got: describe(v), Err: ErrType}
			}
			s.Commands = make(map[string][]string, len(table))
			for _, tool := range sortedKeys(table) {
				key := smokeKeyCommands + "." + tool
				switch e := table[tool].(type) {
				case bool:
					if e {
						return &ValueError{Key: key, Want: "an array of arguments, or false to not run the tool", Got: "true", Err: ErrInvalid}
					}
					s.Commands[tool] = nil
				default:
					args, err := stringList(key, e)
					if err != nil {
						return &ValueError{Key: key, Want: "an array of arguments, or false to not run the tool", Got: describe(e), Err: ErrType}
					}
					if args == nil {
						args = []string{}
					}
					s.Commands[tool] = args
				}
			}
			return nil
		},
	}
}

// splitList splits a comma-separated variable, dropping empty items.
func splitList(s string) []any {
	var out []any
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

// ValidModule accepts dotted Python identifiers (ASCII; the names a wheel's
// top level can have in practice).
func ValidModule(m string) bool {
	if m == "" {
		return false
	}
	for _, part := range strings.Split(m, ".") {
		if part == "" || (part[0] >= '0' && part[0] <= '9') {
			return false
		}
		for _, r := range part {
			if !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
				return false
			}
		}
	}
	return true
}

// smokeTableDef is [tool.pyrelease.smoke] for the decoder.
func smokeTableDef() subTable[Smoke] {
	return subTable[Smoke]{name: smokeTable, keys: SmokeKeys, set: smokeSetters(), bools: []string{smokeKeyOffline}}
}

// decodeSmoke reads [tool.pyrelease.smoke] strictly.
func decodeSmoke(file string, raw any, c *Config) error {
	var s Smoke
	if err := smokeTableDef().decode(file, raw, &s); err != nil {
		return err
	}
	c.Smoke = s
	return nil
}

// applySmokeEnv lets the PYRELEASE_SMOKE_* variables override the file.
func (c *Config) applySmokeEnv(getenv func(string) string) error {
	return smokeTableDef().applyEnv(getenv, &c.Smoke)
}
