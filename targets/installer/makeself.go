package installer

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"text/template"
	"time"

	"github.com/pyrelease/pyrelease/targets/internal/atomicfile"
	"github.com/pyrelease/pyrelease/targets/internal/run"
)

// installScript is what makeself runs after extracting the payload, from
// inside the extraction directory. It copies each tool beside its final
// name first and renames it into place, so upgrading a tool that is
// running does not fail with "text file busy".
//
// Its options reach it only after "--": makeself's own stub reads every
// option before that, and stops at one it does not know (--prefix) with
// "Unrecognized flag". So the usage shows the "--", with the installer's
// real name.
var installScript = template.Must(template.New("install.sh").Parse(`#!/bin/sh
# Installs {{.Project}} {{.Version}}: copies its programs into PREFIX/bin.
# Run through the installer: ./{{.Installer}} -- --prefix DIR (default ~/.local).
set -eu
usage() {
	echo "usage: ./{{.Installer}} [--quiet] -- [--prefix DIR]   (DIR defaults to ~/.local)"
	echo "Options of this script go after --; before it, the installer's own (./{{.Installer}} --help)."
}
prefix=
while [ $# -gt 0 ]; do
	case "$1" in
	--prefix)
		[ $# -ge 2 ] || { usage >&2; exit 2; }
		prefix=$2
		shift 2
		;;
	--prefix=*)
		prefix=${1#--prefix=}
		shift
		;;
	-h | --help)
		usage
		exit 0
		;;
	*)
		echo "install.sh: unknown argument: $1" >&2
		usage >&2
		exit 2
		;;
	esac
done
if [ -z "$prefix" ]; then
	[ -n "${HOME:-}" ] || { echo "install.sh: HOME is not set: pass --prefix DIR" >&2; exit 2; }
	prefix=$HOME/.local
fi
case "$prefix" in
/*) ;;
*) prefix=${USER_PWD:-$PWD}/$prefix ;;
esac
mkdir -p "$prefix/bin"
for tool in{{range .Tools}} {{.}}{{end}}; do
	cp "bin/$tool" "$prefix/bin/.$tool.new"
	chmod 0755 "$prefix/bin/.$tool.new"
	mv -f "$prefix/bin/.$tool.new" "$prefix/bin/$tool"
done
echo "{{.Project}} {{.Version}} installed into $prefix/bin"
`))

// scriptData fills installScript. Tools are already shell-quoted; Project,
// Version and Installer only appear inside comments and a double-quoted
// echo, so they are stripped of what would end either.
type scriptData struct {
	Project, Version, Installer string
	Tools                       []string
}

// InstallScript returns the install.sh the .run installer named installer
// (its file name) runs for the given tools (base names of the binaries).
// It is exported so that the exact script a release ships can be reviewed
// and tested on its own.
func InstallScript(project, version, installer string, tools []string) string {
	d := scriptData{Project: echoSafe(project), Version: echoSafe(version), Installer: echoSafe(installer)}
	for _, t := range tools {
		d.Tools = append(d.Tools, shQuote(t))
	}
	var b strings.Builder
	if err := installScript.Execute(&b, d); err != nil {
		panic(err) // the template and its data are ours: a failure is a bug
	}
	return b.String()
}

// HelpHeader is what the .run installer named installer prints above
// makeself's own help for --help: what it installs, and the forms that
// pass options to the install script, after "--".
func HelpHeader(project, version, installer string) string {
	return fmt.Sprintf(`%[1]s %[2]s installer: installs %[1]s's programs into PREFIX/bin (PREFIX defaults to ~/.local).
Install options go after --; the installer's own options, listed below, go before it:
  ./%[3]s -- --prefix DIR
  ./%[3]s --quiet -- --prefix DIR
  ./%[3]s -- --help
`, project, version, installer)
}

// echoSafe drops what could end a comment line or a double-quoted shell
// string, or expand inside one.
func echoSafe(s string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case '"', '$', '`', '\\', '\n', '\r':
			return -1
		}
		return r
	}, s)
}

// shQuote quotes s for a POSIX shell.
func shQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// makeselfArgs builds makeself's command line. Paths are relative to the
// directory makeself runs in because makeself records its own command line
// in the archive: absolute temporary paths would make every build differ.
func makeselfArgs(label, payload, out, helpHeader string, epoch time.Time) []string {
	sec := strconv.FormatInt(epoch.Unix(), 10)
	return []string{
		"--quiet", "--nox11", "--nowait", "--noprogress",
		"--packaging-date", epoch.UTC().Format(time.UnixDate),
		"--help-header", helpHeader,
		// makeself lists the files sorted itself; these make the tar
		// headers independent of who built it, when and with what umask.
		"--tar-extra", "--mtime=@" + sec + " --owner=0 --group=0 --numeric-owner --sort=name",
		payload, out, label, "./install.sh",
	}
}

// buildRun stages the payload in work and runs makeself there.
func buildRun(ctx context.Context, o Options, work, name string) (string, error) {
	epoch, err := o.epoch()
	if err != nil {
		return "", err
	}
	dir := filepath.Join(work, "run")
	if err := os.RemoveAll(dir); err != nil {
		return "", fmt.Errorf("installer: %w", err)
	}
	payload := filepath.Join(dir, "payload")
	if err := os.MkdirAll(filepath.Join(payload, "bin"), 0o755); err != nil {
		return "", fmt.Errorf("installer: %w", err)
	}
	var tools []string
	for _, b := range o.Binaries {
		tool := filepath.Base(b)
		if err := atomicfile.Copy(b, filepath.Join(payload, "bin", tool), 0o755); err != nil {
			return "", fmt.Errorf("installer: staging %s: %w", b, err)
		}
		tools = append(tools, tool)
	}
	script := InstallScript(o.Project, o.Version, name, tools)
	if err := os.WriteFile(filepath.Join(payload, "install.sh"), []byte(script), 0o755); err != nil {
		return "", fmt.Errorf("installer: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "help.txt"), []byte(HelpHeader(o.Project, o.Version, name)), 0o644); err != nil {
		return "", fmt.Errorf("installer: %w", err)
	}
	// The payload's files and directories carry fixed modes, so the
	// archive does not depend on the builder's umask.
	for _, p := range []string{payload, filepath.Join(payload, "bin"), filepath.Join(payload, "install.sh")} {
		if err := os.Chmod(p, 0o755); err != nil {
			return "", fmt.Errorf("installer: %w", err)
		}
	}
	label := o.Project + " " + o.Version + " installer"
	err = run.Run(ctx, run.Cmd{
		Name: "makeself",
		Args: makeselfArgs(label, "payload", name, "help.txt", epoch),
		Dir:  dir,
		// gzip otherwise stores the temporary tar's mtime in its header;
		// it warns that GZIP is obsolescent but still honours -n.
		Env:    run.Environ("GZIP=-n", "SOURCE_DATE_EPOCH="+strconv.FormatInt(epoch.Unix(), 10)),
		Stdout: o.toolStderr(),
		Stderr: o.toolStderr(),
	})
	if err != nil {
		return "", fmt.Errorf("installer: makeself %s: %w", name, err)
	}
	return filepath.Join(dir, name), nil
}
