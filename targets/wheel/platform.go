package wheel

import "strings"

// LinuxTag returns the first platform tag of a wheel's file name that only
// says "Linux on this machine" (linux_x86_64), or "" when it has none. Such
// a wheel names no glibc or musl baseline and no bundled libraries, so
// PyPI refuses it: auditwheel repairs it into a manylinux or musllinux one.
// PyPI still takes linux_armv6l and linux_armv7l (Raspberry Pi wheels), so
// those are not reported.
func LinuxTag(name WheelName) string {
	for _, p := range name.PlatformTags {
		if strings.HasPrefix(p, "linux_") && p != "linux_armv6l" && p != "linux_armv7l" {
			return p
		}
	}
	return ""
}

// linuxOnly reports whether a wheel is for Linux with no baseline at all
// (linux_*): what auditwheel repairs, Raspberry Pi wheels included.
func linuxOnly(name WheelName) bool {
	for _, p := range name.PlatformTags {
		if strings.HasPrefix(p, "linux_") {
			return true
		}
	}
	return false
}

// pure reports whether a wheel runs on any platform (py3-none-any): there
// is nothing in it to repair.
func pure(name WheelName) bool {
	for _, p := range name.PlatformTags {
		if p != "any" {
			return false
		}
	}
	return true
}
