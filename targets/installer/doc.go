// Package installer wraps a project's frozen one-file binaries into an
// installer a user can run without Python: a self-extracting .run made by
// makeself on Linux, a Windows .exe made by NSIS (makensis runs on Linux
// too), and a .dmg made by hdiutil on macOS.
//
// Installers are named {project}-{version}-{platform}-installer.{kind}, next
// to the archives of the same binaries, so a release lists them together.
//
// Both the .run and the .exe install per user and need no administrator:
// the .run into PREFIX/bin (PREFIX defaults to ~/.local, whose bin is on
// most users' PATH), the .exe into %LOCALAPPDATA%\Programs\{project} with
// an uninstaller registered for the current user only. A tool that a
// machine-wide install needs can still be unpacked from either by an
// administrator; asking for elevation by default would block CI runners and
// locked-down desktops alike.
package installer
