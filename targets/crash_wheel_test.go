//go:build linux

package targets_test

import (
	"bytes"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func crashWheel(t *testing.T, bin string) {
	p := newCrashProject(t, bin)
	// A commit after the tag: the build's version (0.1.1.dev1) is not the
	// file's, so stamping changes the file.
	p.git(t, "commit", "-q", "--allow-empty", "-m", "More work")
	const version = "0.1.1.dev1"
	versionFile := filepath.Join(p.dir, "src", "greet", "version.py")
	orig, err := os.ReadFile(versionFile)
	if err != nil {
		t.Fatal(err)
	}
	stamped := []byte(p.mage(t, nil, "stamped", "cat src/greet/version.py").stdout)
	if bytes.Equal(stamped, orig) || !bytes.Contains(stamped, []byte(`"`+version+`"`)) {
		t.Fatalf("the stamped version file does not say %s:\n%s", version, stamped)
	}

	// Two uninterrupted builds: the reference, and how long one takes at
	// least, so that nearly every kill lands inside the run.
	var ref distState
	total := time.Duration(math.MaxInt64)
	for i := range 2 {
		p.clean(t)
		r := p.mage(t, nil, "wheel")
		st, err := readDist(p.dir, version)
		if err != nil {
			t.Fatal(err)
		}
		if i > 0 && st.wheelSHA != ref.wheelSHA {
			t.Fatalf("two uninterrupted builds gave different wheels (%s, %s): the checks below need a reproducible wheel", ref.wheelSHA, st.wheelSHA)
		}
		ref, total = st, min(total, r.elapsed)
	}
	t.Logf("uninterrupted mage wheel: %s; dist/: %s", total.Round(time.Millisecond), strings.Join(ref.names, " "))

	for _, seed := range crashSeedList() {
		t.Run(fmt.Sprintf("seed=%d", seed), func(t *testing.T) {
			p.clean(t)
			delay := crashDelay(seed, total)
			r := p.launch(t, delay, nil, "wheel")
			logCrash(t, seed, "wheel", delay, total, r)
			if !r.killed && r.err != nil {
				failSeed(t, seed, []error{fmt.Errorf("mage wheel failed without a kill: %v\n%s", r.err, r.output())})
			}
			var errs []error
			// Stamping writes whole files: killed anywhere, the file holds
			// its original or its stamped bytes.
			if got, err := os.ReadFile(versionFile); err != nil || (!bytes.Equal(got, orig) && !bytes.Equal(got, stamped)) {
				errs = append(errs, fmt.Errorf("after the kill %s is neither the original nor the stamped file (err %v):\n%s", versionFile, err, got))
			}
			// Odd seeds recover with mage restore, even ones with the
			// next build itself.
			if seed%2 == 1 {
				if r := p.launch(t, -1, nil, "restore"); r.err != nil {
					errs = append(errs, fmt.Errorf("mage restore after the kill: %v\n%s", r.err, r.output()))
				}
				if err := p.checkTree(versionFile, orig); err != nil {
					errs = append(errs, fmt.Errorf("after mage restore: %w", err))
				}
			}
			if r := p.launch(t, -1, nil, "wheel"); r.err != nil {
				errs = append(errs, fmt.Errorf("mage wheel after the kill: %v\n%s", r.err, r.output()))
				failSeed(t, seed, errs)
			}
			if err := p.checkTree(versionFile, orig); err != nil {
				errs = append(errs, fmt.Errorf("after mage wheel: %w", err))
			}
			st, err := readDist(p.dir, version)
			if err != nil {
				errs = append(errs, err)
			}
			if !slices.Equal(st.names, ref.names) {
				errs = append(errs, fmt.Errorf("dist/ holds %q, an uninterrupted build leaves %q", st.names, ref.names))
			}
			if st.wheel != ref.wheel || st.wheelSHA != ref.wheelSHA {
				errs = append(errs, fmt.Errorf("the wheel is %s sha256 %s, an uninterrupted build gives %s sha256 %s", st.wheel, st.wheelSHA, ref.wheel, ref.wheelSHA))
			}
			if r := p.launch(t, -1, nil, "check", "dist/*"); r.err != nil {
				errs = append(errs, fmt.Errorf("mage check 'dist/*': %v\n%s", r.err, r.output()))
			}
			// The runs after the kill removed the temporary directories
			// the killed run left in TMPDIR.
			if left, _ := os.ReadDir(p.tmp); len(left) > 0 {
				var names []string
				for _, e := range left {
					names = append(names, e.Name())
				}
				errs = append(errs, fmt.Errorf("left in TMPDIR after the next run: %q", names))
			}
			failSeed(t, seed, errs)
		})
	}
}

// --- mage snapshot ---
