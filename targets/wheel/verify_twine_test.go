package wheel

import (
	"context"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/pyrelease/pyrelease/targets/internal/dev/testenv"
)

// TestVerifyAgainstTwine runs Debian's twine check on every good and broken
// file beside Verify and asserts we refuse whatever twine refuses. The one
// known gap, a reStructuredText description that does not render, is kept
// in the table so that a change in either tool shows.
func TestVerifyAgainstTwine(t *testing.T) {
	twine := testenv.Require(t, "twine")
	cases := verifyCases(t)
	whl, _ := verifyGoodDists(t)
	gap := filepath.Join(t.TempDir(), "greet-1.0-py3-none-any.whl")
	ms := readWheelMembers(t, whl)
	ms = editMember(t, ms, "METADATA", "text/markdown", "text/x-rst")
	ms = editMember(t, ms, "METADATA", "# greet\n", "greet\n=\n\n`unclosed\n\n.. unknown-directive::\n")
	writeWheelMembers(t, gap, rewriteRecord(ms))
	cases["broken rst description"] = verifyCase{Path: gap,
		TwineMisses: "known gap: Go cannot render reStructuredText, so a declared text/x-rst description is accepted as is"}

	type row struct{ name, twine, ours, why string }
	var rows []row
	for _, name := range slices.Sorted(maps.Keys(cases)) {
		c := cases[name]
		cmd := exec.Command(twine, "--no-color", "check", "--strict", c.Path)
		cmd.Env = append(os.Environ(), "COLUMNS=400") // one line per message
		out, err := cmd.CombinedOutput()
		twineOK := err == nil
		_, verr := Verify(context.Background(), c.Path, VerifyOptions{})
		oursOK := verr == nil
		r := row{name: name, twine: verdict(twineOK), ours: verdict(oursOK)}
		switch {
		case !twineOK && oursOK && name == "broken rst description":
			r.why = c.TwineMisses
		case !twineOK && oursOK:
			t.Errorf("%s: twine check refuses it and Verify accepts it; twine said:\n%s", name, out)
		case twineOK && !oursOK:
			r.why = c.TwineMisses
			if r.why == "" {
				t.Errorf("%s: twine accepts what we refuse and the case does not say why: %v", name, verr)
			}
		case !twineOK:
			r.why = "both refuse: " + twineReason(string(out))
		}
		if (len(c.Want) == 0) != oursOK {
			t.Errorf("%s: Verify verdict %s disagrees with the case's expectation", name, r.ours)
		}
		rows = append(rows, r)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%-34s %-7s %-7s %s\n", "case", "twine", "ours", "why they differ")
	for _, r := range rows {
		fmt.Fprintf(&b, "%-34s %-7s %-7s %s\n", r.name, r.twine, r.ours, r.why)
	}
	t.Logf("twine check --strict vs Verify:\n%s", b.String())
	if gapRow := rows[slices.IndexFunc(rows, func(r row) bool { return r.name == "broken rst description" })]; gapRow.twine != "refuse" {
		t.Errorf("twine accepted the broken reStructuredText description; the test no longer exercises the gap")
	}
}

func verdict(ok bool) string {
	if ok {
		return "accept"
	}
	return "refuse"
}

// twineReason picks twine's error line out of its output.
func twineReason(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	for _, l := range lines {
		if i := strings.Index(l, "ERROR"); i >= 0 {
			return strings.Join(strings.Fields(l[i:]), " ")
		}
	}
	return strings.Join(strings.Fields(lines[len(lines)-1]), " ")
}
