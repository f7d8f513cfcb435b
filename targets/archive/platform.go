package archive

import "strings"

// Platform is the platform tag of archive names, built from Go's runtime
// values: "linux-x86_64", "osx-arm64", "windows-x86_64". Operating systems
// use the names Python users know (darwin is "osx"); machines use the
// uname-style names of Python wheels and PyInstaller, except that 64-bit
// ARM is "arm64" everywhere so that one download script fits all systems.
// Values this table does not know pass through unchanged.
func Platform(goos, goarch string) string {
	osName := goos
	if goos == "darwin" {
		osName = "osx"
	}
	machine := goarch
	switch goarch {
	case "amd64":
		machine = "x86_64"
	case "386":
		machine = "i686"
	case "arm":
		machine = "armv7l"
	}
	return osName + "-" + machine
}

// Name is the archive file name of a group of tools: "{group}-{version}-
// {platform}.tar.gz", or ".zip" for Windows, where zip is what Explorer opens.
func Name(group, version, platform string) string {
	ext := ".tar.gz"
	if strings.HasPrefix(platform, "windows") {
		ext = ".zip"
	}
	return group + "-" + version + "-" + platform + ext
}

// NamePlatform returns the platform of an archive named by Name for
// version: "greet-1.2.0-windows-x86_64.zip" gives "windows-x86_64". Groups
// may hold dashes, so the version finds the platform. It reports false for
// any other name.
func NamePlatform(name, version string) (string, bool) {
	stem, ok := strings.CutSuffix(name, ".tar.gz")
	if !ok {
		if stem, ok = strings.CutSuffix(name, ".zip"); !ok {
			return "", false
		}
	}
	i := strings.LastIndex(stem, "-"+version+"-")
	if i <= 0 || version == "" {
		return "", false
	}
	platform := stem[i+len(version)+2:]
	if platform == "" || Name(stem[:i], version, platform) != name {
		return "", false
	}
	return platform, true
}
