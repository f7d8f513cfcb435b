package installer

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// Format is what a file to install is, as told by its first bytes.
type Format string

// The formats a frozen tool comes in.
const (
	FormatPE      Format = "pe"      // a Windows program (PyInstaller on Windows)
	FormatELF     Format = "elf"     // a Linux program
	FormatMachO   Format = "mach-o"  // a macOS program
	FormatZipapp  Format = "zipapp"  // a Python zip application: needs a Python to run
	FormatScript  Format = "script"  // a #! script
	FormatUnknown Format = "unknown" // none of the above
)

// describe names the format in an error message.
func (f Format) describe() string {
	switch f {
	case FormatPE:
		return "a Windows program"
	case FormatELF:
		return "a Linux (ELF) program"
	case FormatMachO:
		return "a macOS (Mach-O) program"
	case FormatZipapp:
		return "a zipapp"
	case FormatScript:
		return "a script"
	}
	return "not a program"
}

// machO are the first four bytes of Mach-O files, thin (both byte orders,
// 32 and 64 bit) and universal.
var machO = [][]byte{
	{0xfe, 0xed, 0xfa, 0xce}, {0xfe, 0xed, 0xfa, 0xcf},
	{0xce, 0xfa, 0xed, 0xfe}, {0xcf, 0xfa, 0xed, 0xfe},
	{0xca, 0xfe, 0xba, 0xbe},
}

// zipLocal starts a zip archive's first entry.
var zipLocal = []byte("PK\x03\x04")

// sniffLen is how much of a file Sniff reads: a #! line and what follows.
const sniffLen = 512

// Sniff tells the format of a file from its first bytes. A zipapp is a
// zip archive, bare or behind a #! line (as python -m zipapp -p writes
// it); a .pyz is one whatever its bytes.
func Sniff(path string) (Format, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	head := make([]byte, sniffLen)
	n, err := io.ReadFull(f, head)
	if err != nil && err != io.ErrUnexpectedEOF && err != io.EOF {
		return "", err
	}
	head = head[:n]
	if strings.EqualFold(filepath.Ext(path), ".pyz") {
		return FormatZipapp, nil
	}
	return sniffBytes(head), nil
}

func sniffBytes(head []byte) Format {
	switch {
	case bytes.HasPrefix(head, []byte("MZ")):
		return FormatPE
	case bytes.HasPrefix(head, []byte("\x7fELF")):
		return FormatELF
	case bytes.HasPrefix(head, zipLocal):
		return FormatZipapp
	case bytes.HasPrefix(head, []byte("#!")):
		if i := bytes.IndexByte(head, '\n'); i >= 0 && bytes.HasPrefix(head[i+1:], zipLocal) {
			return FormatZipapp
		}
		return FormatScript
	}
	for _, m := range machO {
		if bytes.HasPrefix(head, m) {
			return FormatMachO
		}
	}
	return FormatUnknown
}

// accepts says which formats an installer of each kind holds. An installer
// holds programs of its own platform only. The .run and the .dmg also
// take scripts and zipapps, which run wherever a python3 is on PATH
// (every usual Linux, a Mac with Python installed). The .exe takes Windows
// programs only: Windows has no Python of its own, and a .pyz runs there
// only through a Python the user installed, while the .exe promises tools
// that run without one.
var accepts = map[string][]Format{
	KindRun: {FormatELF, FormatScript, FormatZipapp},
	KindDMG: {FormatMachO, FormatScript, FormatZipapp},
	KindEXE: {FormatPE},
}

// platformOS names the platforms an installer kind is for, in messages.
var platformOS = map[string]string{KindRun: "Linux", KindDMG: "macOS", KindEXE: "Windows"}

// CheckBinaries returns a *PlatformError for the first of binaries an
// installer of kind cannot hold: a program of another platform (the Linux
// build of a tool in an .exe), or a zipapp in an .exe. Build checks this
// too; a caller that builds several installers checks them all first, so
// that a refusal leaves nothing half made.
func CheckBinaries(kind string, binaries []string) error {
	ok, known := accepts[kind]
	if !known {
		return fmt.Errorf("installer: Kind %q: %w: want run, exe or dmg", kind, ErrUnknownKind)
	}
	for _, b := range binaries {
		f, err := Sniff(b)
		if err != nil {
			return &OptionsError{Field: "Binaries", Value: b, Reason: "not readable: " + err.Error()}
		}
		if !slices.Contains(ok, f) {
			return &PlatformError{Kind: kind, File: b, Format: f}
		}
	}
	return nil
}

// checkPlatform refuses a platform that is not the kind's own: an
// installer is named for, and holds, the programs of one platform. A
// platform of an OS KindFor does not know (freebsd-amd64) may take a .run,
// the one kind that is not tied to an OS of its own.
func checkPlatform(kind, platform string) error {
	own := KindFor(platform)
	if own == kind || (own == "" && kind == KindRun) {
		return nil
	}
	return &PlatformError{Kind: kind, Platform: platform}
}
