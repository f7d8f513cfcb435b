package pep440

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

// TestNormalize holds the examples of PEP 440's normalisation section, then
// corners of packaging's pattern that the PEP does not spell out.
func TestNormalize(t *testing.T) {
	tests := map[string]struct{ in, want string }{
		// PEP 440, "Normalization".
		"case":                          {in: "1.1RC1", want: "1.1rc1"},
		"integer leading zeros":         {in: "09000", want: "9000"},
		"integer zeros":                 {in: "00", want: "0"},
		"local alphanumeric kept":       {in: "1.0+foo0100", want: "1.0+foo0100"},
		"pre separator dot":             {in: "1.1.a1", want: "1.1a1"},
		"pre separator dash":            {in: "1.1-a1", want: "1.1a1"},
		"pre separator underscore":      {in: "1.1_a1", want: "1.1a1"},
		"pre number separator":          {in: "1.0a.1", want: "1.0a1"},
		"pre spelling alpha":            {in: "1.1alpha1", want: "1.1a1"},
		"pre spelling beta":             {in: "1.1beta2", want: "1.1b2"},
		"pre spelling c":                {in: "1.1c3", want: "1.1rc3"},
		"pre spelling pre":              {in: "1.1pre3", want: "1.1rc3"},
		"pre spelling preview":          {in: "1.1preview3", want: "1.1rc3"},
		"implicit pre number":           {in: "1.2a", want: "1.2a0"},
		"post separator dash":           {in: "1.2-post2", want: "1.2.post2"},
		"post separator underscore":     {in: "1.2_post2", want: "1.2.post2"},
		"post without separator":        {in: "1.2post2", want: "1.2.post2"},
		"post number separator":         {in: "1.2.post-2", want: "1.2.post2"},
		"post spelling r":               {in: "1.0-r4", want: "1.0.post4"},
		"post spelling rev":             {in: "1.0-rev4", want: "1.0.post4"},
		"implicit post number":          {in: "1.2.post", want: "1.2.post0"},
		"implicit post release":         {in: "1.0-1", want: "1.0.post1"},
		"implicit post release zero":    {in: "1.0-0", want: "1.0.post0"},
		"dev separator dash":            {in: "1.2-dev2", want: "1.2.dev2"},
		"dev without separator":         {in: "1.2dev2", want: "1.2.dev2"},
		"implicit dev number":           {in: "1.2.dev", want: "1.2.dev0"},
		"local separators":              {in: "1.0+ubuntu-1", want: "1.0+ubuntu.1"},
		"local underscore":              {in: "1.0+ubuntu_1", want: "1.0+ubuntu.1"},
		"preceding v":                   {in: "v1.0", want: "1.0"},
		"preceding V":                   {in: "V1.0", want: "1.0"},
		"surrounding whitespace":        {in: "  1.0\n", want: "1.0"},
		"epoch":                         {in: "1!2.0", want: "1!2.0"},
		"epoch zero dropped":            {in: "0!2.0", want: "2.0"},
		"v before epoch":                {in: "v1!2.0", want: "1!2.0"},
		"trailing zeros kept":           {in: "1.0.0", want: "1.0.0"},
		"everything":                    {in: " V01!02.03-Preview_04.REV-05-DEV_06+Ubuntu-007_X ", want: "1!2.3rc4.post5.dev6+ubuntu.7.x"},
		"pre then dash number is pre":   {in: "1.0a-1", want: "1.0a1"},
		"pre separator then post dash":  {in: "1.0a.-1", want: "1.0a0.post1"},
		"pre separator then post":       {in: "1.0a--1", want: "1.0a0.post1"},
		"pre number then dash post":     {in: "1.0a1-1", want: "1.0a1.post1"},
		"trailing pre separator":        {in: "1.0a.", want: "1.0a0"},
		"dash pre with separators":      {in: "1.0-a-", want: "1.0a0"},
		"dev separator before local":    {in: "1.0.dev.+abc", want: "1.0.dev0+abc"},
		"r alone":                       {in: "1.0r", want: "1.0.post0"},
		"rc is pre not post":            {in: "1.0rc", want: "1.0rc0"},
		"post and dev both implicit":    {in: "1.0.post.dev", want: "1.0.post0.dev0"},
		"local numeric zeros":           {in: "1.0+0000", want: "1.0+0"},
		"local mixed zeros kept":        {in: "1.0+01.0a", want: "1.0+1.0a"},
		"python whitespace":             {in: "\u00a01.0\u2003", want: "1.0"},
		"information separators":        {in: "\x1c1.0\x1f", want: "1.0"},
		"large numbers":                 {in: "999999999999999.999999999999999", want: "999999999999999.999999999999999"},
		"local number beyond int range": {in: "1.0+000999999999999999999999999999999", want: "1.0+999999999999999999999999999999"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got, err := Normalize(tc.in)
			if err != nil {
				t.Fatalf("Normalize(%q): %v", tc.in, err)
			}
			if got != tc.want {
				t.Errorf("Normalize(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestParseFields(t *testing.T) {
	tests := map[string]struct {
		in   string
		want Version
	}{
		"release only": {in: "1.2.3", want: Version{Release: []int{1, 2, 3}}},
		"all segments": {
			in: "2!1.0c1.post0.dev3+Ubuntu.01",
			want: Version{
				Epoch: 2, Release: []int{1, 0}, Pre: &Pre{Label: "rc", N: 1},
				Post: intPtr(0), Dev: intPtr(3), Local: []string{"ubuntu", "1"},
			},
		},
		"implicit post": {in: "1-7", want: Version{Release: []int{1}, Post: intPtr(7)}},
		"dev only":      {in: "1.0dev", want: Version{Release: []int{1, 0}, Dev: intPtr(0)}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got, err := Parse(tc.in)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Parse(%q) = %#v, want %#v", tc.in, got, tc.want)
			}
		})
	}
}

// TestParseInvalid checks inputs packaging rejects, and that the error
// names the input and says what was expected.
func TestParseInvalid(t *testing.T) {
	tests := map[string]struct {
		in     string
		reason string // a substring of ParseError.Reason
	}{
		"empty":                  {in: "", reason: "empty"},
		"only whitespace":        {in: " \t", reason: "empty"},
		"word":                   {in: "latest", reason: "expected a release number"},
		"wildcard":               {in: "1.2.x", reason: `unexpected ".x" after "1.2"`},
		"leading dot":            {in: ".1", reason: "expected a release number"},
		"trailing dot":           {in: "1.", reason: "unexpected"},
		"double dot":             {in: "1..0", reason: "unexpected"},
		"epoch without release":  {in: "1!", reason: "after the epoch"},
		"bare epoch mark":        {in: "!1", reason: "expected a release number"},
		"v after epoch":          {in: "1!v1", reason: "after the epoch"},
		"dash without number":    {in: "1.0-", reason: "unexpected"},
		"underscore post number": {in: "1.0_1", reason: "unexpected"},
		"two pre-releases":       {in: "1.0a1b1", reason: "unexpected"},
		"dev before pre":         {in: "1.0.dev1a1", reason: "unexpected"},
		"two post releases":      {in: "1.0.post1.dev1.post2", reason: "unexpected"},
		"unknown label":          {in: "1.0lol", reason: "unexpected"},
		"space inside":           {in: "1 .0", reason: "unexpected"},
		"empty local":            {in: "1.0+", reason: "local version label"},
		"local trailing sep":     {in: "1.0+abc_", reason: "local version label"},
		"local leading sep":      {in: "1.0+.a", reason: "local version label"},
		"local double sep":       {in: "1.0+a..b", reason: "local version label"},
		"two locals":             {in: "1.0+ab+cd", reason: "unexpected"},
		"local with space":       {in: "1.0+a b", reason: "unexpected"},
		"zero width space":       {in: "1.0\u200b", reason: "unexpected"},
		"release too large":      {in: "1.99999999999999999999999", reason: "number 99999999999999999999999 is larger than this package supports (9223372036854775807)"},
		"epoch too large":        {in: "99999999999999999999!1", reason: "larger than this package supports"},
		"pre too large":          {in: "1rc99999999999999999999", reason: "larger than this package supports"},
		"post too large":         {in: "1.99999999999999999999999", reason: "number 99999999999999999999999 is larger than this package supports (9223372036854775807)"},
		"dev too large":          {in: "1.dev99999999999999999999", reason: "larger than this package supports"},
		// Deliberate: packaging accepts these through Unicode case folding
		// (see the package doc); Parse refuses them.
		"long s in post":  {in: "1.0.po\u017ft1", reason: "unexpected"},
		"dotless i":       {in: "1.0prev\u0131ew", reason: "unexpected"},
		"kelvin in local": {in: "1.0+\u212a", reason: "local version label"},
		"dotted I local":  {in: "1.0+\u0130", reason: "local version label"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			v, err := Parse(tc.in)
			if err == nil {
				t.Fatalf("Parse(%q) = %s, want an error", tc.in, v)
			}
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("errors.Is(%v, ErrInvalid) = false", err)
			}
			var perr *ParseError
			if !errors.As(err, &perr) {
				t.Fatalf("error %T is not a *ParseError", err)
			}
			if perr.Input != tc.in {
				t.Errorf("ParseError.Input = %q, want %q", perr.Input, tc.in)
			}
			if !strings.Contains(perr.Reason, tc.reason) {
				t.Errorf("ParseError.Reason = %q, want it to contain %q", perr.Reason, tc.reason)
			}
			if _, err := Normalize(tc.in); !errors.Is(err, ErrInvalid) {
				t.Errorf("Normalize(%q) error = %v, want ErrInvalid", tc.in, err)
			}
		})
	}
}

func TestParseErrorMessage(t *testing.T) {
	_, err := Parse("1.2.x")
	want := `pep440: "1.2.x" is not a valid PEP 440 version: unexpected ".x" after "1.2"; expected a pre-release (a, b, rc), .postN, .devN, +local or the end`
	if err == nil || err.Error() != want {
		t.Errorf("Parse error = %v\nwant %s", err, want)
	}
}

// TestParseErrorExpects checks that the error lists only what may still
// follow the segments already read.
func TestParseErrorExpects(t *testing.T) {
	tests := map[string]struct{ in, expected string }{
		"after release": {in: "1.0x", expected: "expected a pre-release (a, b, rc), .postN, .devN, +local or the end"},
		"after pre":     {in: "1.0a1b1", expected: "expected .postN, .devN, +local or the end"},
		"after post":    {in: "1.0.post1a1", expected: "expected .devN, +local or the end"},
		"after dev":     {in: "1.0.post1.dev1.post2", expected: "expected +local or the end"},
		"after local":   {in: "1.0+ab+cd", expected: "expected the end of the version"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := Parse(tc.in)
			if err == nil || !strings.HasSuffix(err.Error(), tc.expected) {
				t.Errorf("Parse(%q) error = %v, want it to end with %q", tc.in, err, tc.expected)
			}
		})
	}
}

func TestMustParse(t *testing.T) {
	if got := MustParse("1.0RC1").String(); got != "1.0rc1" {
		t.Errorf("MustParse(1.0RC1) = %s", got)
	}
	defer func() {
		r := recover()
		err, ok := r.(error)
		if !ok || !errors.Is(err, ErrInvalid) {
			t.Errorf("MustParse(bad) panicked with %v, want a ParseError", r)
		}
	}()
	MustParse("bad")
}
