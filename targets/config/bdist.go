package config

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// Bdist is [tool.pyrelease.bdist]: which tools are frozen, how, and which
// archive each goes into.
//
//	[tool.pyrelease.bdist]
//	freezer = "pyinstaller"                 # or "zipapp" (pure-Python tools)
//	pyinstaller = "6.22.3"                  # or a requirement: "pyinstaller>=6.10,<7"
//	groups = { mitmproxy = ["mitmproxy", "mitmdump"], pathod = ["pathoc", "pathod"] }
//	installers = ["run", "exe"]
//
//	[tool.pyrelease.bdist.tools.mitmproxy]
//	entry-point = "mitmproxy.tools.main:mitmproxy"
//	excludes = ["tkinter"]
//	hooks-dir = "release/hooks"
//	icon = "release/icon.ico"
//	data = ["mitmproxy/addons:mitmproxy/addons"]
//	args = ["--log-level", "WARN"]
type Bdist struct {
	Freezer    string              // "pyinstaller" (default) or "zipapp"
	Groups     map[string][]string // archive name -> tools; default: the project name -> every console script
	Installers []string            // installer kinds to build: "run", "exe", "dmg"; default: by platform
	Tools      map[string]BdistTool
	// PyInstaller is the requirement pip installs PyInstaller by into the
	// freeze environment, such as "pyinstaller==6.22.3"; "" means the
	// release the freezer is tested with.
	PyInstaller string
}

// BdistTool is one tool's freezing settings; every field is optional.
type BdistTool struct {
	EntryPoint string   // "module:function" or a script; default from [project.scripts]
	Excludes   []string // modules left out
	HooksDir   string   // PyInstaller hooks directory, relative to the project
	Icon       string   // icon file, relative to the project
	Data       []string // "src:dest" data files
	Args       []string // extra freezer arguments
}

// BdistKeys documents [tool.pyrelease.bdist] and, as tools.NAME.KEY, each
// tool's table, in the order the documentation shows them. None has an
// environment variable.
var BdistKeys = []Key{
	{
		Name: "freezer", Type: "string", Default: "pyinstaller",
		Doc: `"pyinstaller" makes one-file binaries that carry their interpreter; "zipapp" makes standard-library .pyz archives for pure-Python tools, which need a python3 where they run.`,
	},
	{
		Name: "pyinstaller", Type: "string", Default: "6.22.3",
		Doc: `The PyInstaller pip installs from your index into the freeze environment: a version ("6.22.3") or a requirement on pyinstaller ("pyinstaller>=6.10,<7"); another value makes another environment.`,
	},
	{
		Name: "groups", Type: "table of arrays of strings", Default: "",
		Doc: `Archive name to the tools it holds; unset means one archive named after the project with every console script.`,
	},
	{
		Name: "installers", Type: "array of strings", Default: "",
		Doc: `Installer kinds mage installer builds: "run", "exe", "dmg"; unset means the platform's own.`,
	},
	{
		Name: "tools.NAME.entry-point", Type: "string", Default: "",
		Doc: `module:function, or a script relative to the project, the tool runs; unset means its console script.`,
	},
	{
		Name: "tools.NAME.excludes", Type: "array of strings", Default: "",
		Doc: `Modules PyInstaller leaves out of the tool (--exclude-module).`,
	},
	{
		Name: "tools.NAME.hooks-dir", Type: "string", Default: "",
		Doc: `Directory of PyInstaller hooks for the tool (--additional-hooks-dir), relative to the project.`,
	},
	{
		Name: "tools.NAME.icon", Type: "string", Default: "",
		Doc: `Icon of the Windows or macOS binary (--icon), relative to the project.`,
	},
	{
		Name: "tools.NAME.data", Type: "array of strings", Default: "",
		Doc: `Files or directories bundled with the tool as "source:destination" (--add-data), the source relative to the project, the destination inside the bundle (sys._MEIPASS).`,
	},
	{
		Name: "tools.NAME.args", Type: "array of strings", Default: "",
		Doc: `More PyInstaller arguments for the tool.`,
	},
}

// Freezers and installer kinds accepted in [tool.pyrelease.bdist].
var (
	freezers       = []string{"pyinstaller", "zipapp"}
	installerKinds = []string{"run", "exe", "dmg"}
)

const bdistTable = toolTableName + ".bdist"

// decodeBdist reads [tool.pyrelease.bdist] strictly and fills defaults
// from [project.scripts].
func decodeBdist(file string, raw any, c *Config) error {
	b := Bdist{Freezer: "pyinstaller", Tools: map[string]BdistTool{}}
	table, _ := raw.(map[string]any)
	for _, key := range sortedKeys(table) {
		v := table[key]
		var err error
		switch key {
		case "freezer":
			if s, ok := v.(string); ok && slices.Contains(freezers, s) {
				b.Freezer = s
			} else {
				err = &ValueError{Key: key, Want: `"pyinstaller" or "zipapp"`, Got: describe(v), Err: ErrInvalid}
			}
		case "pyinstaller":
			b.PyInstaller, err = pyinstallerRequirement(v)
		case "installers":
			b.Installers, err = stringList(key, v)
			for _, k := range b.Installers {
				if err == nil && !slices.Contains(installerKinds, k) {
					err = &ValueError{Key: key, Want: `"run", "exe" or "dmg"`, Got: fmt.Sprintf("%q", k), Err: ErrInvalid}
				}
			}
		case "groups":
			b.Groups, err = decodeGroups(v)
		case "tools":
			b.Tools, err = decodeBdistTools(file, v)
		default:
			return unknownKey(file, "["+bdistTable+"]", key, []string{"freezer", "groups", "installers", "pyinstaller", "tools"})
		}
		if err != nil {
			if e, ok := err.(*ValueError); ok && e.File == "" {
				e.File, e.Table = file, bdistTable
			}
			return err
		}
	}
	if len(b.Groups) == 0 && len(c.Project.Scripts) > 0 {
		b.Groups = map[string][]string{c.Project.Name: sortedKeys(c.Project.Scripts)}
	}
	for _, group := range sortedKeys(b.Groups) {
		for _, tool := range b.Groups[group] {
			_, script := c.Project.Scripts[tool]
			t, configured := b.Tools[tool]
			// Without [project.scripts] (setup.py, Poetry, dynamic scripts)
			// the built wheel's entry points decide, at bdist time.
			if !script && (!configured || t.EntryPoint == "") && c.Project.Scripts != nil {
				return &ValueError{File: file, Table: bdistTable, Key: "groups." + group,
					Want: "tools listed in [project.scripts] or given an entry-point under [tool.pyrelease.bdist.tools]",
					Got:  fmt.Sprintf("unknown tool %q", tool), Err: ErrInvalid}
			}
			if t.EntryPoint == "" && script {
				t.EntryPoint = c.Project.Scripts[tool]
				b.Tools[tool] = t
			}
		}
	}
	c.Bdist = b
	return nil
}

func decodeGroups(v any) (map[string][]string, error) {
	table, ok := v.(map[string]any)
	if !ok {
		return nil, &ValueError{Key: "groups", Want: "a table of archive name = [tools]", Got: describe(v), Err: ErrType}
	}
	groups := make(map[string][]string, len(table))
	for _, name := range sortedKeys(table) {
		tools, err := stringList("groups."+name, table[name])
		if err != nil {
			return nil, err
		}
		if len(tools) == 0 {
			return nil, &ValueError{Key: "groups." + name, Want: "at least one tool", Got: "[]", Err: ErrInvalid}
		}
		groups[name] = tools
	}
	return groups, nil
}

func decodeBdistTools(file string, v any) (map[string]BdistTool, error) {
	table, ok := v.(map[string]any)
	if !ok {
		return nil, &ValueError{Key: "tools", Want: "a table of tool tables", Got: describe(v), Err: ErrType}
	}
	tools := make(map[string]BdistTool, len(table))
	for _, name := range sortedKeys(table) {
		settings, ok := table[name].(map[string]any)
		if !ok {
			return nil, &ValueError{Key: "tools." + name, Want: "a table", Got: describe(table[name]), Err: ErrType}
		}
		var t BdistTool
		for _, key := range sortedKeys(settings) {
			v := settings[key]
			where := "tools." + name + "." + key
			var err error
			switch key {
			case "entry-point":
				t.EntryPoint, err = stringValue(where, v)
			case "hooks-dir":
				t.HooksDir, err = stringValue(where, v)
			case "icon":
				t.Icon, err = stringValue(where, v)
			case "excludes":
				t.Excludes, err = stringList(where, v)
			case "data":
				t.Data, err = stringList(where, v)
			case "args":
				t.Args, err = stringList(where, v)
			default:
				return nil, unknownKey(file, "["+bdistTable+".tools."+name+"]", key,
					[]string{"entry-point", "excludes", "hooks-dir", "icon", "data", "args"})
			}
			if err != nil {
				return nil, err
			}
		}
		tools[name] = t
	}
	return tools, nil
}

func stringValue(key string, v any) (string, error) {
	s, ok := v.(string)
	if !ok {
		return "", &ValueError{Key: key, Want: "a string", Got: describe(v), Err: ErrType}
	}
	return s, nil
}

// stringList takes an array of strings, or one string as a list of one.
func stringList(key string, v any) ([]string, error) {
	var list []string
	if err := listSetter(key, func(*Config) *[]string { return &list })(nil, v); err != nil {
		return nil, err
	}
	return list, nil
}

// A PyInstaller version as the pyinstaller key takes it ("6.22.3",
// "6.11.1.post1", "7.0.0rc1"), and a requirement on the pyinstaller project
// in PEP 508 form: the name (any case, - _ . alike), extras, then version
// specifiers or a direct reference.
var (
	pyinstallerVersion = regexp.MustCompile(`^[0-9]+(\.[0-9]+)*((a|b|rc)[0-9]+)?(\.post[0-9]+)?(\.dev[0-9]+)?$`)
	pyinstallerReq     = regexp.MustCompile(`(?i)^py[-_.]?installer\s*(\[[A-Za-z0-9_.,\s-]*\])?\s*((===?|~=|!=|<=?|>=?)\s*[0-9A-Za-z*.+!]+(\s*,\s*(===?|~=|!=|<=?|>=?)\s*[0-9A-Za-z*.+!]+)*|@\s*\S+)?\s*(;.*)?$`)
)

// pyinstallerRequirement turns the pyinstaller key into a requirement pip
// takes: a bare version pins it.
func pyinstallerRequirement(v any) (string, error) {
	s, ok := v.(string)
	if !ok {
		return "", &ValueError{Key: "pyinstaller", Want: `a PyInstaller version such as "6.22.3" or a requirement such as "pyinstaller>=6.10,<7"`, Got: describe(v), Err: ErrType}
	}
	s = strings.TrimSpace(s)
	switch {
	case pyinstallerVersion.MatchString(s):
		return "pyinstaller==" + s, nil
	case pyinstallerReq.MatchString(s):
		return s, nil
	}
	return "", &ValueError{Key: "pyinstaller", Want: `a PyInstaller version such as "6.22.3" or a requirement on pyinstaller such as "pyinstaller>=6.10,<7"`, Got: fmt.Sprintf("%q", s), Err: ErrInvalid}
}
