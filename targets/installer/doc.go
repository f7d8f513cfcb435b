// Package installer wraps a project's frozen one-file binaries into an
// installer: a self-extracting .run made by makeself for Linux, a Windows
// .exe made by NSIS (makensis runs on Linux too), and a .dmg made by
// hdiutil on macOS.
//
// Installers are named {project}-{version}-{platform}-installer.{kind}, next
// to the archives of the same binaries, so a release lists them together.
// An installer holds the programs of its own platform only: Build refuses
// a platform that is not the kind's, and files whose first bytes say they
// are for another system (CheckBinaries), so that an .exe made on Linux
// wraps the Windows build of the tools, never the Linux one. The .run and
// the .dmg also take zipapps and scripts, which need a python3 (or sh) on
// the user's machine; the .exe takes Windows programs only, as Windows has
// no Python of its own.
//
// Both the .run and the .exe install per user and need no administrator:
// the .run into PREFIX/bin (PREFIX defaults to ~/.local, whose bin is on
// most users' PATH), the .exe into %LOCALAPPDATA%\Programs\{project} with
// an uninstaller registered for the current user only. A tool that a
// machine-wide install needs can still be unpacked from either by an
// administrator; asking for elevation by default would block CI runners and
// locked-down desktops alike.
package installer
