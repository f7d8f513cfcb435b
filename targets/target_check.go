package targets

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/pyrelease/pyrelease/targets/dist"
	"github.com/pyrelease/pyrelease/targets/wheel"
)

// Check verifies wheels and sdists as an index would: file names, metadata,
// RECORD hashes and sizes, archive integrity, platform tags.
//
// A linux_* wheel is refused, as PyPI refuses it: auditwheel repairs it
// into a manylinux one (mage wheel does).
//
// FILES is one or more paths or globs separated by spaces or commas, e.g.
// mage check "dist/*". Every file is checked; the first 20 problems of each
// are listed, then how many more were found.
func Check(ctx context.Context, files string) (err error) {
	defer scrub(&err)
	paths, err := expandFiles(files)
	if err != nil {
		return err
	}
	var errs []error
	for _, path := range paths {
		if why := notADistribution(path); why != "" {
			errs = append(errs, fmt.Errorf("check: %s is %s, not a wheel or an sdist; check verifies what goes to the index (mage check \"dist/*\")", path, why))
			continue
		}
		info, err := wheel.Verify(ctx, path, wheel.VerifyOptions{ForIndex: true})
		if err != nil {
			errs = append(errs, checkError(err))
			continue
		}
		fmt.Fprintf(stdout, "%s: ok (%s %s %s)\n", path, info.Kind, info.Name, info.Version)
	}
	return errors.Join(errs...)
}

// checkError reports a verification failure as the check's own: one
// "check: " line per problem.
func checkError(err error) error {
	var ve *wheel.VerifyError
	if errors.As(err, &ve) {
		lines := make([]error, len(ve.Problems), len(ve.Problems)+1)
		for i, p := range ve.Problems {
			lines[i] = errors.New("check: " + p.Detail())
		}
		if more := ve.MoreDetail(); more != "" {
			lines = append(lines, errors.New("check: "+more))
		}
		return errors.Join(lines...)
	}
	return errors.New("check: " + strings.TrimPrefix(err.Error(), "wheel: "))
}

// notADistribution says what a file of pyrelease's own is when it was given
// to check: the manifest, or an archive or installer it records.
func notADistribution(path string) string {
	if filepath.Base(path) == dist.FileName {
		return "pyrelease's artifact manifest"
	}
	dir := filepath.Dir(path)
	if filepath.Base(dir) != dist.Sub {
		return ""
	}
	m, err := dist.Load(filepath.Dir(dir))
	if err != nil {
		return ""
	}
	if a, ok := m.Find(filepath.Base(path)); ok && !dist.ForIndex(a) {
		return "a frozen-tools " + a.Kind
	}
	return ""
}

// expandFiles splits a FILES argument and expands its globs; a pattern that
// matches nothing is an error.
func expandFiles(arg string) ([]string, error) {
	var paths []string
	for _, f := range strings.FieldsFunc(arg, func(r rune) bool { return r == ',' || r == ' ' }) {
		matches, err := filepath.Glob(f)
		if err != nil {
			return nil, fmt.Errorf("check: bad pattern %q: %w", f, err)
		}
		if len(matches) == 0 {
			return nil, fmt.Errorf("check: %s: no such file", f)
		}
		for _, m := range matches {
			// As a shell does, a glob does not match hidden entries
			// (builds in progress, temporary files).
			base := filepath.Base(m)
			if strings.HasPrefix(base, ".") && !strings.HasPrefix(filepath.Base(f), ".") {
				continue
			}
			paths = append(paths, m)
		}
	}
	if len(paths) == 0 {
		return nil, errors.New("check: no files given (expected paths or globs, e.g. \"dist/*\")")
	}
	return paths, nil
}
