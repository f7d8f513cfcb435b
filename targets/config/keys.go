package config

// Key documents one [tool.pyrelease] setting. Keys is the single list the
// user documentation is generated from, and a test keeps it in step with
// what the decoder accepts.
type Key struct {
	Name    string // key in [tool.pyrelease]
	Env     string // environment variable that overrides it
	Type    string // TOML type(s) accepted, for the reference table
	Default string // effective value when neither file nor environment set it; "" = unset
	Doc     string // one sentence for the reference table
}

// Names of the [tool.pyrelease] keys, so a typo in the code is a compile error.
const (
	keyVersionScheme = "version-scheme"
	keyVersionFile   = "version-file"
	keyTagPattern    = "tag-pattern"
	keyTagFormat     = "tag-format"
	keyVersionFormat = "version-format"
	keyChangelog     = "changelog"
	keyPush          = "push"
	keyRemote        = "remote"
	keyPython        = "python"
	keyIsolation     = "isolation"
	keyInstaller     = "installer"
	keyRepair        = "repair"
	keyRepairCommand = "repair-command"
	keyTools         = "tools"
	keySmokeCommand  = "smoke-command"
	keyExtras        = "extras"
)

// Keys lists every [tool.pyrelease] setting in the order the documentation
// shows them.
var Keys = []Key{
	{
		Name: keyVersionScheme, Env: "PYRELEASE_VERSION_SCHEME", Type: "string", Default: "pep440",
		Doc: `Where the version comes from: "pep440" derives it from the latest git tag, "file" reads it from the version files.`,
	},
	{
		Name: keyVersionFile, Env: "PYRELEASE_VERSION_FILE", Type: "string or array of strings and {path, pattern} tables", Default: "",
		Doc: `Files holding the version, as paths relative to the project directory or tables whose pattern is a Go regexp with one capture group around the version (the variable takes a comma-separated list of paths).`,
	},
	{
		Name: keyTagPattern, Env: "PYRELEASE_TAG_PATTERN", Type: "string", Default: "",
		Doc: `Glob in git describe --match style that selects the release tags, such as "pkg/v*"; empty means every tag that reads as a version.`,
	},
	{
		Name: keyTagFormat, Env: "PYRELEASE_TAG_FORMAT", Type: "string", Default: "",
		Doc: `How bump names a new tag, containing "{version}" (for example "v{version}"); empty means following the existing tags.`,
	},
	{
		Name: keyVersionFormat, Env: "PYRELEASE_VERSION_FORMAT", Type: "string", Default: "pep440",
		Doc: `How versions are written: "pep440" or "semver".`,
	},
	{
		Name: keyChangelog, Env: "PYRELEASE_CHANGELOG", Type: "string or boolean", Default: "",
		Doc: `Path of the changelog; empty means auto-detect, and "none" (or false) disables changelog handling.`,
	},
	{
		Name: keyPush, Env: "PYRELEASE_PUSH", Type: "boolean", Default: "false",
		Doc: `Whether bump pushes the release commit and tag (the variable takes true/false/1/0/yes/no).`,
	},
	{
		Name: keyRemote, Env: "PYRELEASE_REMOTE", Type: "string", Default: "origin",
		Doc: `Git remote that bump pushes to.`,
	},
	{
		Name: keyPython, Env: "PYRELEASE_PYTHON", Type: "string", Default: "",
		Doc: `Python interpreter that builds (a name on PATH or a path); empty means the first of python3, /usr/bin/python3 and python that can import the build backend.`,
	},
	{
		Name: keyIsolation, Env: "PYRELEASE_ISOLATION", Type: "boolean", Default: "",
		Doc: `Whether wheel builds in a fresh venv with the build requirements installed by pip from your index; unset means only when no Python here can import the build backend, and false never (offline builds).`,
	},
	{
		Name: keyInstaller, Env: "PYRELEASE_INSTALLER", Type: "string", Default: "auto",
		Doc: `What installs the isolated build's requirements and the wheel for the smoke test: "pip" (the interpreter's), "uv", or "auto": uv when it is on PATH and every pip setting an install goes by, in PIP_* variables or pip.conf's [global] and [install], is one uv is given too (index-url, extra-index-url, find-links, no-index, trusted-host, cert, timeout, no-cache-dir), else pip.`,
	},
	{
		Name: keyRepair, Env: "PYRELEASE_REPAIR", Type: "boolean", Default: "true",
		Doc: `Whether wheel repairs a platform wheel before checking it: a linux_* wheel with auditwheel into a manylinux one (the index refuses linux_* wheels), or any platform wheel with repair-command; false ships what the backend built.`,
	},
	{
		Name: keyRepairCommand, Env: "PYRELEASE_REPAIR_COMMAND", Type: "array of strings", Default: "",
		Doc: `Command that repairs each platform wheel (not *-none-any) instead of auditwheel, with {wheel} and {dest_dir} among its arguments, such as ["delocate-wheel", "-w", "{dest_dir}", "{wheel}"]; it must write one wheel into {dest_dir} (the variable takes space-separated arguments).`,
	},
	{
		Name: keyTools, Env: "PYRELEASE_TOOLS", Type: "array of strings", Default: "",
		Doc: `Console scripts the smoke test runs after installing the wheel; unset means every console script the wheel declares, [] means none (the variable takes a comma-separated list).`,
	},
	{
		Name: keySmokeCommand, Env: "PYRELEASE_SMOKE_COMMAND", Type: "array of strings", Default: "--version",
		Doc: `Arguments each tool is run with by the smoke test; it must exit 0 and print the version (the variable takes space-separated arguments).`,
	},
	{
		Name: keyExtras, Env: "PYRELEASE_EXTRAS", Type: "array of strings", Default: "",
		Doc: `Optional extras of the project installed with its wheel wherever its tools run: the smoke test, PyInstaller's freeze environment and zipapps, as for a command line behind an extra (httpx[cli]); each must be a Provides-Extra of the wheel (the variable takes a comma-separated list).`,
	},
}

// KnownTables are the sub-tables of [tool.pyrelease], each with its own
// decoder; the top-level decoder leaves them alone.
var KnownTables = []string{"bdist", "forge", "release", "smoke", "snapshot"}

// Allowed values, shared by Validate and its error messages.
var (
	versionSchemes = []string{"pep440", "file"}
	versionFormats = []string{"pep440", "semver"}
	installers     = []string{InstallerAuto, InstallerPip, InstallerUV}
)

// The values of installer.
const (
	InstallerAuto = "auto"
	InstallerPip  = "pip"
	InstallerUV   = "uv"
)

// changelogNone is the changelog value that turns changelog handling off.
const changelogNone = "none"
