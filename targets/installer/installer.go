package installer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/pyrelease/pyrelease/targets/internal/run"
	"github.com/pyrelease/pyrelease/targets/internal/statedir"
)

// Options says what to wrap and where the installer goes.
type Options struct {
	Project  string   // distribution name, e.g. "greet"
	Version  string   // the version being released, as it appears in file names
	Platform string   // archive platform name: "linux-x86_64", "windows-x86_64", "osx-arm64"; the kind's own
	Binaries []string // paths of the frozen binaries, built for Platform; all go into one install dir
	OutDir   string   // where the installer lands; created if missing
	Kind     string   // "run", "exe", "dmg"; "" picks by Platform
	Icon     string   // optional .ico for the NSIS installer
	// WorkDir holds the staged payload and generated scripts. It must be
	// outside the project so nothing there is picked up as source; empty
	// means a fresh temporary directory, removed afterwards.
	WorkDir string
	// Epoch is the build time recorded in the installer, for reproducible
	// output. Zero means SOURCE_DATE_EPOCH from the environment, else the
	// Unix epoch: never the current time.
	Epoch   time.Time
	Stderr  io.Writer // where the tools' output goes when Verbose; nil discards
	Verbose bool
}

// SkipReason reports why an installer of the given kind cannot be built on
// this machine, or "" when it can. Callers check it before Build to log a
// skip instead of an error; Build returns the same reason as a SkipError.
func SkipReason(kind string) string {
	return skipReason(runtime.GOOS, kind, run.LookPath)
}

// skipReason is SkipReason on goos, with lookPath finding the tools.
func skipReason(goos, kind string, lookPath func(string) (string, error)) string {
	switch kind {
	case KindRun:
		if _, err := lookPath("makeself"); err != nil {
			return "makeself not found on PATH (Debian package makeself)"
		}
	case KindEXE:
		if _, err := lookPath("makensis"); err != nil {
			return "makensis not found on PATH (Debian package nsis)"
		}
	case KindDMG:
		if goos != "darwin" {
			return "dmg needs macOS"
		}
		if _, err := lookPath("hdiutil"); err != nil {
			return "hdiutil not found on PATH"
		}
	default:
		return fmt.Sprintf("unknown installer kind %q (want run, exe or dmg)", kind)
	}
	return ""
}

// Build makes the installer and returns its path in OutDir. A kind this
// machine cannot build yields a *SkipError (errors.Is ErrUnsupported);
// binaries of another platform than the kind's, or a Platform that is not
// its own, a *PlatformError (errors.Is ErrPlatform).
func Build(ctx context.Context, o Options) (string, error) {
	kind, err := o.check()
	if err != nil {
		return "", err
	}
	if reason := SkipReason(kind); reason != "" {
		return "", &SkipError{Kind: kind, Reason: reason}
	}
	work := o.WorkDir
	if work == "" {
		tmp, err := statedir.TempDir("pyrelease-installer-")
		if err != nil {
			return "", fmt.Errorf("installer: %w", err)
		}
		defer tmp.Remove()
		work = tmp.Path
	} else if err := os.MkdirAll(work, 0o755); err != nil {
		return "", fmt.Errorf("installer: work dir: %w", err)
	}
	if err := os.MkdirAll(o.OutDir, 0o755); err != nil {
		return "", fmt.Errorf("installer: out dir: %w", err)
	}
	name := Name(o.Project, o.Version, o.Platform, kind)
	var built string
	switch kind {
	case KindRun:
		built, err = buildRun(ctx, o, work, name)
	case KindEXE:
		built, err = buildEXE(ctx, o, work, name)
	case KindDMG:
		built, err = buildDMG(ctx, o, work, name)
	}
	if err != nil {
		return "", err
	}
	dst := filepath.Join(o.OutDir, name)
	if err := moveFile(built, dst); err != nil {
		return "", fmt.Errorf("installer: %w", err)
	}
	return dst, nil
}

// check validates the options and returns the kind to build.
func (o Options) check() (string, error) {
	kind := o.Kind
	if kind == "" {
		kind = KindFor(o.Platform)
		if kind == "" {
			return "", fmt.Errorf("installer: Platform %q: %w: cannot pick one for this platform; set Kind, or use a linux-, windows- or osx- platform", o.Platform, ErrUnknownKind)
		}
	}
	switch kind {
	case KindRun, KindEXE, KindDMG:
	default:
		return "", fmt.Errorf("installer: Kind %q: %w: want run, exe or dmg", kind, ErrUnknownKind)
	}
	for _, f := range []struct{ field, value string }{
		{"Project", o.Project}, {"Version", o.Version}, {"Platform", o.Platform},
	} {
		if f.value == "" {
			return "", &OptionsError{Field: f.field, Reason: "must not be empty"}
		}
		if strings.ContainsAny(f.value, "/\\\x00\n\r") {
			return "", &OptionsError{Field: f.field, Value: f.value, Reason: "must not contain slashes or control characters: it is part of a file name"}
		}
	}
	if o.OutDir == "" {
		return "", &OptionsError{Field: "OutDir", Reason: "must not be empty"}
	}
	if len(o.Binaries) == 0 {
		return "", &OptionsError{Field: "Binaries", Reason: "no binaries to install"}
	}
	seen := map[string]bool{}
	for _, b := range o.Binaries {
		st, err := os.Stat(b)
		if err != nil {
			return "", &OptionsError{Field: "Binaries", Value: b, Reason: "not readable: " + err.Error()}
		}
		if !st.Mode().IsRegular() {
			return "", &OptionsError{Field: "Binaries", Value: b, Reason: "not a regular file"}
		}
		base := filepath.Base(b)
		if seen[base] {
			return "", &OptionsError{Field: "Binaries", Value: b, Reason: "two binaries share the name " + base + " but install into one directory"}
		}
		seen[base] = true
	}
	if err := checkPlatform(kind, o.Platform); err != nil {
		return "", err
	}
	if err := CheckBinaries(kind, o.Binaries); err != nil {
		return "", err
	}
	return kind, nil
}

// epoch returns the time recorded in the installer: Options.Epoch, then
// SOURCE_DATE_EPOCH, then the Unix epoch.
func (o Options) epoch() (time.Time, error) {
	if !o.Epoch.IsZero() {
		return o.Epoch.UTC(), nil
	}
	s := os.Getenv("SOURCE_DATE_EPOCH")
	if s == "" {
		return time.Unix(0, 0).UTC(), nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return time.Time{}, fmt.Errorf("installer: SOURCE_DATE_EPOCH %q: want whole seconds since 1970: %w", s, err)
	}
	return time.Unix(n, 0).UTC(), nil
}

// toolStderr is where a tool's chatter goes: the caller's writer when
// verbose, nowhere otherwise (failures still carry the tail).
func (o Options) toolStderr() io.Writer {
	if o.Verbose && o.Stderr != nil {
		return o.Stderr
	}
	return nil
}

// moveFile renames src to dst, copying when they are on different file
// systems (a temporary work dir often is).
func moveFile(src, dst string) error {
	if err := os.Rename(src, dst); err == nil {
		return nil
	}
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	st, err := in.Stat()
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(dst), "."+filepath.Base(dst)+".*")
	if err != nil {
		return err
	}
	_, err = io.Copy(tmp, in)
	err = errors.Join(err, tmp.Chmod(st.Mode().Perm()), tmp.Close())
	if err == nil {
		err = os.Rename(tmp.Name(), dst)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return os.Remove(src)
}
