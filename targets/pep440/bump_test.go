package pep440

import (
	"errors"
	"math"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

func TestBump(t *testing.T) {
	tests := map[string]struct{ in, part, want string }{
		"major":                       {in: "1.2.3", part: "major", want: "2.0.0"},
		"minor":                       {in: "1.2.3", part: "minor", want: "1.3.0"},
		"patch":                       {in: "1.2.3", part: "patch", want: "1.2.4"},
		"patch pads":                  {in: "1", part: "patch", want: "1.0.1"},
		"minor pads":                  {in: "1.2", part: "minor", want: "1.3.0"},
		"patch of four components":    {in: "1.2.3.4", part: "patch", want: "1.2.4"},
		"epoch kept":                  {in: "2!1.2.3", part: "major", want: "2!2.0.0"},
		"minor finalises rc":          {in: "1.2.0rc1", part: "minor", want: "1.2.0"},
		"major finalises dev":         {in: "2.0.0.dev3", part: "major", want: "2.0.0"},
		"patch finalises beta":        {in: "1.2.3b1", part: "patch", want: "1.2.3"},
		"patch finalises short":       {in: "1.2rc1", part: "patch", want: "1.2.0"},
		"minor of rc with patch":      {in: "1.2.3rc1", part: "minor", want: "1.3.0"},
		"major of minor pre":          {in: "1.2.0a1", part: "major", want: "2.0.0"},
		"patch drops post":            {in: "1.2.3.post1", part: "patch", want: "1.2.4"},
		"minor of post dev":           {in: "1.2.0.post1.dev1", part: "minor", want: "1.3.0"},
		"patch drops local":           {in: "1.2.3+local", part: "patch", want: "1.2.4"},
		"finalise drops local":        {in: "1.2.0rc1+local", part: "minor", want: "1.2.0"},
		"alpha again":                 {in: "1.2.0a1", part: "alpha", want: "1.2.0a2"},
		"alpha to rc":                 {in: "1.2.0a2", part: "rc", want: "1.2.0rc1"},
		"alpha to beta":               {in: "1.2.0a2", part: "beta", want: "1.2.0b1"},
		"beta of final":               {in: "1.2.0", part: "beta", want: "1.2.1b1"},
		"rc of short final":           {in: "1.2", part: "rc", want: "1.2.1rc1"},
		"alpha of dev":                {in: "1.3.0.dev2", part: "alpha", want: "1.3.0a1"},
		"rc of dev":                   {in: "1.3.0.dev2", part: "rc", want: "1.3.0rc1"},
		"rc of rc dev":                {in: "1.2.0rc2.dev0", part: "rc", want: "1.2.0rc2"},
		"rc of rc post":               {in: "1.2.0rc2.post1", part: "rc", want: "1.2.0rc3"},
		"beta of post":                {in: "1.2.0.post3", part: "beta", want: "1.2.1b1"},
		"rc drops local":              {in: "1.2.0rc1+x", part: "rc", want: "1.2.0rc2"},
		"pre":                         {in: "1.2.0rc1", part: "pre", want: "1.2.0rc2"},
		"pre keeps label":             {in: "1.2.0b7", part: "pre", want: "1.2.0b8"},
		"pre of pre dev":              {in: "1.2.0a3.dev1", part: "pre", want: "1.2.0a3"},
		"post":                        {in: "1.2.0", part: "post", want: "1.2.0.post1"},
		"post again":                  {in: "1.2.0.post1", part: "post", want: "1.2.0.post2"},
		"post of post dev":            {in: "1.2.0.post2.dev0", part: "post", want: "1.2.0.post2"},
		"post of dev":                 {in: "1.2.0.dev3", part: "post", want: "1.2.0.post1"},
		"post keeps pre":              {in: "1.2.0rc1", part: "post", want: "1.2.0rc1.post1"},
		"post drops local":            {in: "1.2.0+x", part: "post", want: "1.2.0.post1"},
		"dev":                         {in: "1.2.0.dev3", part: "dev", want: "1.2.0.dev4"},
		"dev of final":                {in: "1.2.0", part: "dev", want: "1.2.1.dev0"},
		"dev of short final":          {in: "1.2", part: "dev", want: "1.2.1.dev0"},
		"dev of rc":                   {in: "1.2.0rc1", part: "dev", want: "1.2.0rc2.dev0"},
		"dev of post":                 {in: "1.2.0.post1", part: "dev", want: "1.2.0.post2.dev0"},
		"dev of pre post":             {in: "1.2.0rc1.post1", part: "dev", want: "1.2.0rc1.post2.dev0"},
		"dev keeps pre and post":      {in: "1.2.0rc1.post1.dev1+x", part: "dev", want: "1.2.0rc1.post1.dev2"},
		"release of rc":               {in: "1.2.0rc1", part: "release", want: "1.2.0"},
		"release of dev":              {in: "1.2.1.dev0", part: "release", want: "1.2.1"},
		"release of pre post dev":     {in: "1.2.0rc1.post1.dev1", part: "release", want: "1.2.0"},
		"release of post dev":         {in: "1.2.0.post1.dev1", part: "release", want: "1.2.0.post1"},
		"release keeps trailing zero": {in: "1!1.0.0b2+x", part: "release", want: "1!1.0.0"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			v := MustParse(tc.in)
			got, err := Bump(v, tc.part)
			if err != nil {
				t.Fatalf("Bump(%s, %s): %v", tc.in, tc.part, err)
			}
			if got.String() != tc.want {
				t.Errorf("Bump(%s, %s) = %s, want %s", tc.in, tc.part, got, tc.want)
			}
			if Compare(got, v) <= 0 {
				t.Errorf("Bump(%s, %s) = %s does not sort after the input", tc.in, tc.part, got)
			}
			if v.String() != MustParse(tc.in).String() {
				t.Errorf("Bump changed its input to %s", v)
			}
		})
	}
}

func TestBumpErrors(t *testing.T) {
	huge := strconv.Itoa(math.MaxInt)
	tests := map[string]struct {
		in, part string
		reason   string // a substring of the message
	}{
		"unknown part":           {in: "1.0", part: "micro", reason: "valid parts are major, minor, patch, pre, alpha, beta, rc, post, dev, release"},
		"part is case sensitive": {in: "1.0", part: "Major", reason: "unknown part"},
		"beta after rc":          {in: "1.2.0rc1", part: "beta", reason: "rc is already past beta"},
		"alpha after beta dev":   {in: "1.2.0b1.dev2", part: "alpha", reason: "beta is already past alpha"},
		"pre of final":           {in: "1.2.0", part: "pre", reason: "not a pre-release"},
		"pre of dev":             {in: "1.2.0.dev1", part: "pre", reason: "not a pre-release"},
		"release of final":       {in: "1.2.0", part: "release", reason: "already a final release"},
		"release of post":        {in: "1.2.0.post1", part: "release", reason: "already a final release"},
		"release of local":       {in: "1.2.0+x", part: "release", reason: "already a final release"},
		"major overflow":         {in: huge, part: "major", reason: "too large"},
		"patch overflow":         {in: "1.0." + huge, part: "patch", reason: "too large"},
		"rc overflow":            {in: "1.0rc" + huge, part: "rc", reason: "too large"},
		"post overflow":          {in: "1.0.post" + huge, part: "post", reason: "too large"},
		"dev overflow":           {in: "1.0.dev" + huge, part: "dev", reason: "too large"},
		"next dev overflow":      {in: "1.0.post" + huge, part: "dev", reason: "too large"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got, err := Bump(MustParse(tc.in), tc.part)
			if err == nil {
				t.Fatalf("Bump(%s, %s) = %s, want an error", tc.in, tc.part, got)
			}
			if !errors.Is(err, ErrBump) {
				t.Errorf("errors.Is(%v, ErrBump) = false", err)
			}
			var berr *BumpError
			if !errors.As(err, &berr) || berr.Part != tc.part || berr.Version != MustParse(tc.in).String() {
				t.Errorf("error %#v does not name part %q and version %s", err, tc.part, tc.in)
			}
			if !strings.Contains(err.Error(), tc.reason) || !strings.HasPrefix(err.Error(), "pep440: ") {
				t.Errorf("error %q, want it to start with pep440: and contain %q", err, tc.reason)
			}
		})
	}
}

// TestBumpProperties bumps generated versions by every part: a bump either
// fails with ErrBump or sorts after its input, has no local part, prints a
// version that parses back to itself, and leaves the input alone.
func TestBumpProperties(t *testing.T) {
	g := newGen(7)
	bumped := 0
	for range 3000 {
		v, err := Parse(g.valid())
		if err != nil {
			t.Fatal(err)
		}
		orig := v.Clone()
		for _, part := range Parts {
			got, err := Bump(v, part)
			if err != nil {
				if !errors.Is(err, ErrBump) {
					t.Errorf("Bump(%s, %s): %v is not an ErrBump", v, part, err)
				}
				continue
			}
			bumped++
			if Compare(got, v) <= 0 {
				t.Errorf("Bump(%s, %s) = %s does not sort after the input", v, part, got)
			}
			if got.Local != nil {
				t.Errorf("Bump(%s, %s) = %s keeps a local part", v, part, got)
			}
			if back, err := Parse(got.String()); err != nil || !reflect.DeepEqual(back, got) {
				t.Errorf("Bump(%s, %s) = %#v does not round-trip: %#v, %v", v, part, got, back, err)
			}
		}
		if !reflect.DeepEqual(v, orig) {
			t.Fatalf("Bump changed its input from %s to %s", orig, v)
		}
	}
	if bumped < 3000*len(Parts)/2 {
		t.Errorf("only %d bumps succeeded; the generator no longer exercises Bump", bumped)
	}
}

func TestNextDev(t *testing.T) {
	tests := map[string]struct {
		in       string
		distance int
		want     string
	}{
		"final":           {in: "1.2.0", distance: 5, want: "1.2.1.dev5"},
		"two components":  {in: "1.2", distance: 3, want: "1.3.dev3"},
		"zeros":           {in: "0.0", distance: 5, want: "0.1.dev5"},
		"one component":   {in: "7", distance: 1, want: "8.dev1"},
		"epoch":           {in: "1!2.0", distance: 1, want: "1!2.1.dev1"},
		"rc":              {in: "1.2.0rc1", distance: 5, want: "1.2.0rc2.dev5"},
		"post":            {in: "1.2.0.post1", distance: 5, want: "1.2.0.post2.dev5"},
		"pre post":        {in: "1.2.0b1.post0", distance: 2, want: "1.2.0b1.post1.dev2"},
		"local dropped":   {in: "1.2.0+ubuntu.1", distance: 2, want: "1.2.1.dev2"},
		"distance zero":   {in: "1.2.0rc1+x", distance: 0, want: "1.2.0rc1"},
		"dev tag at zero": {in: "1.2.0.dev3", distance: 0, want: "1.2.0.dev3"},
		// A .dev0 tag at a branch point counts on, as setuptools-scm does.
		"dev0 tag":       {in: "v2.6.0.dev0", distance: 3, want: "2.6.0.dev3"},
		"pre dev0 tag":   {in: "2.6.0rc1.dev0", distance: 4, want: "2.6.0rc1.dev4"},
		"post dev0 tag":  {in: "2.6.0.post1.dev0", distance: 1, want: "2.6.0.post1.dev1"},
		"large distance": {in: "1.0", distance: math.MaxInt, want: "1.1.dev" + strconv.Itoa(math.MaxInt)},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			v := MustParse(tc.in)
			got, err := NextDev(v, tc.distance)
			if err != nil {
				t.Fatalf("NextDev(%s, %d): %v", tc.in, tc.distance, err)
			}
			if got.String() != tc.want {
				t.Errorf("NextDev(%s, %d) = %s, want %s", tc.in, tc.distance, got, tc.want)
			}
			if tc.distance > 0 && Compare(got, v) <= 0 {
				t.Errorf("NextDev(%s, %d) = %s does not sort after the tag", tc.in, tc.distance, got)
			}
			if v.String() != MustParse(tc.in).String() {
				t.Errorf("NextDev changed its input to %s", v)
			}
		})
	}
}

func TestNextDevErrors(t *testing.T) {
	tests := map[string]struct {
		in       string
		distance int
		is       error
		msg      string
	}{
		"dev tag":           {in: "1.2.0.dev3", distance: 5, is: ErrDevTag, msg: "pep440: next dev version after 1.2.0.dev3 at 5 commits: a dev release tag other than .dev0 cannot carry a commit distance; tag 1.2.0.dev0 instead"},
		"negative distance": {in: "1.2.0", distance: -1, is: ErrBump, msg: "negative commit distance -1"},
		"overflow":          {in: "1.2." + strconv.Itoa(math.MaxInt), distance: 1, is: ErrBump, msg: "too large"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got, err := NextDev(MustParse(tc.in), tc.distance)
			if err == nil {
				t.Fatalf("NextDev(%s, %d) = %s, want an error", tc.in, tc.distance, got)
			}
			if !errors.Is(err, tc.is) {
				t.Errorf("errors.Is(%v, %v) = false", err, tc.is)
			}
			if !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("error %q, want it to contain %q", err, tc.msg)
			}
		})
	}
}
