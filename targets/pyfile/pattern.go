package pyfile

import "regexp"

// locatePattern uses the first match of a configured pattern. The version is
// its only capture group, or the group named "version" when there are more.
func locatePattern(name string, re *regexp.Regexp, content []byte) (span, error) {
	group := 0
	switch {
	case re.NumSubexp() == 1:
		group = 1
	case re.SubexpIndex("version") > 0:
		group = re.SubexpIndex("version")
	default:
		return span{}, &PatternError{Path: name, Pattern: re.String(), Groups: re.NumSubexp()}
	}
	loc := re.FindSubmatchIndex(content)
	if loc == nil || loc[2*group] < 0 || loc[2*group] == loc[2*group+1] {
		return span{}, &NotFoundError{Path: name, Want: "match of pattern " + re.String() + " with a non-empty version group"}
	}
	s := span{start: loc[2*group], end: loc[2*group+1]}
	s.value = string(content[s.start:s.end])
	return s, nil
}
