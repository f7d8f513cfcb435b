// Package wheel builds Python distributions and checks them before they ship.
//
// The verification half (Verify, VerifyWheel, VerifySdist) checks a wheel or
// sdist as strictly as an index and an installer would: the file name, the
// archive read to its last byte, the metadata an index validates, and for
// wheels every RECORD hash. It reports every problem at once, each naming the
// file, the member and what was expected. Anything a current build backend
// (setuptools, hatchling, flit) writes from an ordinary project passes.
package wheel

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/pyrelease/pyrelease/targets/config"
	"github.com/pyrelease/pyrelease/targets/pep440"
)

// VerifyOptions says what the caller expects the file to be.
type VerifyOptions struct {
	// ExpectVersion, when set, must equal the version in the file name and
	// in the metadata, both PEP 440-normalised.
	ExpectVersion string
	// ExpectName, when set, must equal the distribution name, both
	// PEP 503-normalised.
	ExpectName string
	// ForIndex also refuses what installers take but PyPI refuses on
	// upload: wheels tagged linux_* (see LinuxTag). check and release ask
	// for it; wheel does not, so that with repair = false it still builds
	// such a wheel for local use.
	ForIndex bool
}

// Info describes a verified (or partly verified) distribution.
type Info struct {
	Path     string
	Kind     string // KindWheel or KindSdist
	Name     string // the metadata's Name, or the file name's when that is unreadable
	Version  string // normalised when valid
	Tags     []string
	Metadata *Metadata // nil when the metadata could not be read
	// Scripts are a wheel's console_scripts and gui_scripts entry points:
	// command name to "module:function". Empty for sdists.
	Scripts map[string]string
	// TopLevel are the names a wheel makes importable (packages, modules,
	// extension modules), sorted. Empty for sdists.
	TopLevel []string
	Size     int64
	SHA256   string // hex digest of the whole file, as upload APIs want it
	// Warnings are findings twine check also only warns about (a missing
	// Description-Content-Type, an empty description); they never fail.
	Warnings []Problem
}

// maxMetaSize bounds the dist-info and PKG-INFO files read into memory, so
// a compression bomb cannot exhaust it.
const maxMetaSize = 64 << 20

// Verify checks a wheel (.whl) or an sdist (.tar.gz, or a legacy .zip
// that is then reported as such). Problems with the content come back as a
// *VerifyError together with the Info gathered so far; a file that cannot be
// opened is a plain error and a nil Info.
func Verify(ctx context.Context, path string, opts VerifyOptions) (*Info, error) {
	switch {
	case strings.HasSuffix(path, ".whl"):
		return VerifyWheel(ctx, path, opts)
	case strings.HasSuffix(path, ".tar.gz"), strings.HasSuffix(path, ".zip"):
		return VerifySdist(ctx, path, opts)
	}
	return nil, fmt.Errorf("wheel: %s: %w; expected .whl, .tar.gz or .zip", path, ErrUnknownKind)
}

// maxProblems bounds the problems and the warnings kept for one file. A
// RECORD of a million bad rows would otherwise become a million-line error;
// the first few show what is wrong and the rest are only counted.
const maxProblems = 20

// checker collects the findings for one file.
type checker struct {
	file         string
	problems     []Problem
	warnings     []Problem
	moreProblems int // found after maxProblems, not kept
}

func (c *checker) fail(entry, format string, args ...any) {
	if len(c.problems) >= maxProblems {
		c.moreProblems++
		return
	}
	c.problems = append(c.problems, Problem{File: c.file, Entry: entry, Reason: fmt.Sprintf(format, args...)})
}

func (c *checker) warn(entry, format string, args ...any) {
	if len(c.warnings) >= maxProblems {
		return
	}
	c.warnings = append(c.warnings, Problem{File: c.file, Entry: entry, Reason: fmt.Sprintf(format, args...)})
}

// metadata records the findings of checkMetadata against the member it
// came from.
func (c *checker) metadata(entry string, md *Metadata, minVersion string) {
	problems, warnings := checkMetadata(md, minVersion)
	for _, f := range problems {
		c.fail(entry, "%s: %s", f.Field, f.Reason)
	}
	for _, f := range warnings {
		c.warn(entry, "%s: %s", f.Field, f.Reason)
	}
}

// finish fills Info from the metadata and turns findings into the result.
func (c *checker) finish(info *Info, path string, opts VerifyOptions) (*Info, error) {
	if md := info.Metadata; md != nil {
		if n := md.Get("Name"); n != "" {
			info.Name = n
		}
		if v := md.Get("Version"); v != "" {
			info.Version = v
		}
	}
	if v, err := pep440.Normalize(info.Version); err == nil {
		info.Version = v
	}
	if opts.ExpectName != "" && config.NormalizeName(info.Name) != config.NormalizeName(opts.ExpectName) {
		c.fail("", "distribution name is %q; expected %q", info.Name, opts.ExpectName)
	}
	if opts.ExpectVersion != "" {
		c.expectVersion(info, opts.ExpectVersion)
	}
	info.Warnings = c.warnings
	if len(c.problems) > 0 {
		return info, &VerifyError{File: path, Problems: c.problems, More: c.moreProblems}
	}
	return info, nil
}

func (c *checker) expectVersion(info *Info, want string) {
	wantN, err := pep440.Normalize(want)
	if err != nil {
		c.fail("", "expected version %q is not a valid PEP 440 version", want)
		return
	}
	if info.Version != wantN {
		c.fail("", "version is %q; expected %q", info.Version, wantN)
	}
}

// sameVersion reports whether two version strings are equal once
// normalised; an invalid one never equals anything.
func sameVersion(a, b string) bool {
	na, errA := pep440.Normalize(a)
	nb, errB := pep440.Normalize(b)
	return errA == nil && errB == nil && na == nb
}

// nonNormalVersion says how a file name's version should be spelled, or ""
// when it already is: indexes and installers compare file names textually
// in places, so every tool writes the normal form.
func nonNormalVersion(v string) string {
	n, err := pep440.Normalize(v)
	if err != nil || n == v {
		return ""
	}
	return n
}

// openDist opens the file and digests it whole.
func openDist(ctx context.Context, path string) (*os.File, int64, string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, "", fmt.Errorf("wheel: %w", err)
	}
	h := sha256.New()
	n, err := io.Copy(h, readerCtx{ctx, f})
	if err == nil {
		_, err = f.Seek(0, io.SeekStart)
	}
	if err != nil {
		f.Close()
		return nil, 0, "", fmt.Errorf("wheel: %s: %w", path, err)
	}
	return f, n, hex.EncodeToString(h.Sum(nil)), nil
}

// readerCtx stops a long read when the context ends.
type readerCtx struct {
	ctx context.Context
	r   io.Reader
}

func (r readerCtx) Read(p []byte) (int, error) {
	if err := r.ctx.Err(); err != nil {
		return 0, err
	}
	return r.r.Read(p)
}

// readSmall reads a metadata-sized member, refusing anything over
// maxMetaSize.
func readSmall(r io.Reader) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxMetaSize+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxMetaSize {
		return nil, fmt.Errorf("larger than %d MiB", maxMetaSize>>20)
	}
	return data, nil
}

func baseName(path string) string { return filepath.Base(path) }
