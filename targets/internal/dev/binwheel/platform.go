package binwheel

import "fmt"

// Platform is the wheel platform tag for a Go target, for a static binary
// (CGO_ENABLED=0): it needs no C library, so the oldest manylinux tag
// installers still take fits Linux; macOS is 12.0 because Go's linker
// writes that minimum into every binary since Go 1.25.
func Platform(goos, goarch string) (string, error) {
	tag, ok := platforms[goos+"/"+goarch]
	if !ok {
		return "", fmt.Errorf("%w: no wheel platform tag for %s/%s; expected one of linux, darwin, windows on amd64 or arm64", ErrOptions, goos, goarch)
	}
	return tag, nil
}

// Script is the installed name of a program for goos.
func Script(name, goos string) string {
	if goos == "windows" {
		return name + ".exe"
	}
	return name
}

var platforms = map[string]string{
	"linux/amd64":   "manylinux_2_17_x86_64.manylinux2014_x86_64",
	"linux/arm64":   "manylinux_2_17_aarch64.manylinux2014_aarch64",
	"darwin/amd64":  "macosx_12_0_x86_64",
	"darwin/arm64":  "macosx_12_0_arm64",
	"windows/amd64": "win_amd64",
	"windows/arm64": "win_arm64",
}
