package installer

import "strings"

// The installer kinds, which are also their file extensions.
const (
	KindRun = "run" // makeself self-extracting shell archive
	KindEXE = "exe" // NSIS Windows installer
	KindDMG = "dmg" // macOS disk image
)

// KindFor returns the installer kind usual for an archive platform name
// ("linux-x86_64" -> "run"), or "" when the platform's OS is not known.
func KindFor(platform string) string {
	os, _, _ := strings.Cut(strings.ToLower(platform), "-")
	switch {
	case strings.HasPrefix(os, "linux"), strings.HasPrefix(os, "manylinux"), strings.HasPrefix(os, "musllinux"):
		return KindRun
	case strings.HasPrefix(os, "win"):
		return KindEXE
	case os == "osx", os == "macos", os == "darwin", strings.HasPrefix(os, "macosx"):
		return KindDMG
	}
	return ""
}

// Name returns the installer's file name,
// {project}-{version}-{platform}-installer.{kind}. An empty kind is derived
// from the platform; when that fails too, the name has no extension and
// Build is the one to report the error.
func Name(project, version, platform, kind string) string {
	if kind == "" {
		kind = KindFor(platform)
	}
	name := project + "-" + version + "-" + platform + "-installer"
	if kind == "" {
		return name
	}
	return name + "." + kind
}
