package pep440

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/pyrelease/pyrelease/targets/internal/dev/testenv"
)

var oracleSeed = flag.Uint64("pep440.seed", 440, "seed of the differential test's version generator")

// oracleScript answers for pip's vendored packaging: it reads JSON lines,
// {"s": version} or {"pairs": [[i, j], ...]}, and writes one JSON object
// with validity, normalised form and dense sort rank of each version, and
// the comparison of each pair (null when either side is invalid).
const oracleScript = `
import json, sys
from pip._vendor.packaging.version import Version, InvalidVersion
inputs, pairs = [], []
for line in sys.stdin.buffer:
    msg = json.loads(line)
    if "s" in msg:
        inputs.append(msg["s"])
    else:
        pairs.extend(msg["pairs"])
results, parsed = [], []
for s in inputs:
    try:
        v = Version(s)
    except InvalidVersion:
        results.append({"ok": False})
        parsed.append(None)
        continue
    results.append({"ok": True, "norm": str(v)})
    parsed.append(v)
order = sorted((i for i, v in enumerate(parsed) if v is not None), key=lambda i: parsed[i])
rank, prev = -1, None
for i in order:
    if prev is None or parsed[i] != prev:
        rank += 1
    prev = parsed[i]
    results[i]["rank"] = rank
cmps = []
for a, b in pairs:
    x, y = parsed[a], parsed[b]
    cmps.append(None if x is None or y is None else (x > y) - (x < y))
json.dump({"results": results, "pairs": cmps}, sys.stdout)
`

type oracleResult struct {
	OK   bool   `json:"ok"`
	Norm string `json:"norm"`
	Rank int    `json:"rank"`
}

type oracleAnswer struct {
	Results []oracleResult `json:"results"`
	Pairs   []*int         `json:"pairs"`
}

// askOracle sends every input and pair to packaging in one batch.
func askOracle(t *testing.T, inputs []string, pairs [][2]int) oracleAnswer {
	t.Helper()
	py := testenv.Python(t)
	var in bytes.Buffer
	enc := json.NewEncoder(&in)
	for _, s := range inputs {
		if err := enc.Encode(map[string]string{"s": s}); err != nil {
			t.Fatal(err)
		}
	}
	if err := enc.Encode(map[string][][2]int{"pairs": pairs}); err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(t.Context(), py, "-c", oracleScript)
	cmd.Stdin = &in
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s oracle script: %v\n%s", py, err, stderr.Bytes())
	}
	var ans oracleAnswer
	if err := json.Unmarshal(out, &ans); err != nil {
		t.Fatalf("oracle output: %v", err)
	}
	if len(ans.Results) != len(inputs) || len(ans.Pairs) != len(pairs) {
		t.Fatalf("oracle answered %d results and %d pairs for %d inputs and %d pairs",
			len(ans.Results), len(ans.Pairs), len(inputs), len(pairs))
	}
	return ans
}

// TestOracle compares Parse, String and Compare with pip's vendored
// packaging on generated spellings: validity, normalised form, the order of
// all valid versions, and random pairs.
func TestOracle(t *testing.T) {
	const n, npairs = 15000, 20000
	g := newGen(*oracleSeed)
	inputs := append(g.corpus(n), oracleExtras...)

	vs := make([]Version, len(inputs))
	ok := make([]bool, len(inputs))
	tooLarge := make([]bool, len(inputs))
	var valid []int
	for i, s := range inputs {
		v, err := Parse(s)
		vs[i], ok[i] = v, err == nil
		if ok[i] {
			valid = append(valid, i)
		}
		var perr *ParseError
		tooLarge[i] = errors.As(err, &perr) && strings.Contains(perr.Reason, "larger than this package supports")
	}
	pairs := make([][2]int, npairs)
	for i := range pairs {
		pairs[i] = [2]int{valid[g.r.IntN(len(valid))], valid[g.r.IntN(len(valid))]}
	}

	ans := askOracle(t, inputs, pairs)

	var failures []string
	fail := func(format string, args ...any) {
		failures = append(failures, fmt.Sprintf(format, args...))
	}
	agreed := 0
	for i, s := range inputs {
		want := ans.Results[i]
		switch {
		case tooLarge[i] && want.OK:
			// Deliberate: packaging has unbounded integers, Parse refuses
			// numbers an int cannot hold. Mutations that join two numbers
			// make some.
			agreed++
		case ok[i] != want.OK:
			fail("%q: valid here %v, packaging %v (%q)", s, ok[i], want.OK, want.Norm)
		case ok[i] && vs[i].String() != want.Norm:
			fail("%q: normalised to %q, packaging %q", s, vs[i].String(), want.Norm)
		default:
			agreed++
		}
	}
	// Walking packaging's sorted order, each neighbour must compare here as
	// it does there; with Compare transitive, that makes the orders equal.
	sorted := slices.Clone(valid)
	slices.SortStableFunc(sorted, func(a, b int) int { return ans.Results[a].Rank - ans.Results[b].Rank })
	for k := 1; k < len(sorted); k++ {
		a, b := sorted[k-1], sorted[k]
		if !ans.Results[a].OK || !ans.Results[b].OK {
			continue // already reported as a validity mismatch
		}
		want := min(ans.Results[b].Rank-ans.Results[a].Rank, 1)
		if got := Compare(vs[b], vs[a]); got != want {
			fail("Compare(%q, %q) = %d, packaging sorts them %d", inputs[b], inputs[a], got, want)
		}
	}
	for k, p := range pairs {
		want := ans.Pairs[k]
		if want == nil {
			continue // already reported as a validity mismatch
		}
		if got := Compare(vs[p[0]], vs[p[1]]); got != *want {
			fail("Compare(%q, %q) = %d, packaging %d", inputs[p[0]], inputs[p[1]], got, *want)
		}
	}
	t.Logf("seed %d: compared %d inputs (%d valid here, %d agreeing on validity and normalised form), their order, and %d random pairs with packaging",
		*oracleSeed, len(inputs), len(valid), agreed, len(pairs))
	if len(valid) < n/2 || len(valid) == len(inputs) {
		t.Errorf("generator gave %d valid of %d inputs; the test needs both kinds", len(valid), len(inputs))
	}
	if len(failures) > 0 {
		t.Errorf("%d disagreements with packaging; the first ones:", len(failures))
		for _, f := range failures[:min(20, len(failures))] {
			t.Error("  " + f)
		}
	}
}

// oracleExtras are inputs worth checking on every run whatever the seed:
// corners of packaging's regular expression.
var oracleExtras = []string{
	"", " ", "v", "1", "1.", ".1", "1..0", "1!", "!1", "1!v1", "v1!1", "1.0-", "1.0_1", "1.0-0", "1.0--1",
	"1.0a.", "1.0a-1", "1.0a.-1", "1.0a--1", "1.0-a-", "1.0a1-1", "1.0.post.dev", "1.0.dev.+abc",
	"1.0r", "1.0rc", "1.0rev", "1.0revc", "1.0prev", "1.0pre-view", "1.0previewdev", "1.0c.post",
	"1.0+", "1.0+.a", "1.0+a.", "1.0+a..b", "1.0+01.0a", "1.0+A-B_c", "1.0+ab+cd", "1.0 +a", "1.0+a b",
	"1.0.post1.dev1.post2", "1.0.dev1a1", "1.0a1b1", "1.0post-1", "1.0-r-1", "1.0_rev_", "1.0DEV",
	"\u00a01.0\u2003", "\x1c1.0\x1f", "1.0\u180e", "1.0\u200b", "1\u00a0.0", "0!0", "00!00.00",
	"999999999999999.999999999999999", "1.0+999999999999999999999999999999", "1.0+0000",
}
