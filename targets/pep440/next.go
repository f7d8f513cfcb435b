package pep440

import "fmt"

// NextOptions is what a release bump starts from: the part asked for, the
// nearest release tag and the version files.
type NextOptions struct {
	Part string
	// Tag is the nearest release tag's version; nil when there is none.
	Tag *Version
	// TagText is that tag's version as the tag spells it, prefix removed
	// ("v1.3.0-rc.1"): SemVer bumps keep its spelling. "" when no tag.
	TagText string
	// File is the version the version files agree on; nil without them.
	File *Version
	// FileScheme says the files, not the tag, hold the version
	// (version-scheme = "file").
	FileScheme bool
	// Semver says versions are written as SemVer (version-format =
	// "semver"); tags then get BumpSemver's spelling.
	Semver bool
}

// Start is the version a bump starts from: the files' in the file scheme,
// else the nearest tag's, else the files', else 0.0.0.
func (o NextOptions) Start() Version {
	switch {
	case o.FileScheme && o.File != nil:
		return *o.File
	case o.Tag != nil:
		return *o.Tag
	case o.File != nil:
		return *o.File
	}
	return Version{Release: []int{0, 0, 0}}
}

// Next is the release a bump of o.Part makes from o.Start(): the version
// written to the version files, and its text as the tag and the changelog
// spell it (the version's own string unless SemVer).
//
// Releasing ("release") a final version read from the files releases it
// as it stands when no tag has it yet: a file that holds the planned
// release says what "release" means. A result that does not sort after the
// nearest tag is refused with *TagOrderError (nothing could be released
// without going backwards), one that sorts below the files' version with
// *BelowFileError (the tag is behind the files, as when release tags live
// on release branches). Other refusals are *BumpError.
func Next(o NextOptions) (next Version, text string, err error) {
	current := o.Start()
	switch {
	case o.Semver:
		if text, err = BumpSemver(o.TagText, current, o.Part); err != nil {
			return Version{}, "", err
		}
		if next, err = Parse(text); err != nil {
			return Version{}, "", &BumpError{Version: current.String(), Part: o.Part,
				Reason: fmt.Sprintf("SemVer %s has no PEP 440 equivalent: %v", text, err)}
		}
	case o.Part == "release" && o.File != nil && !current.IsPrerelease() && !current.IsPostrelease() &&
		(o.Tag == nil || current.Compare(*o.Tag) > 0):
		next = current
		text = next.String()
	default:
		if next, err = Bump(current, o.Part); err != nil {
			return Version{}, "", err
		}
		text = next.String()
	}
	if o.Tag != nil && next.Compare(*o.Tag) <= 0 {
		return Version{}, "", &TagOrderError{Next: next, Tag: *o.Tag}
	}
	if o.File != nil && next.Compare(*o.File) < 0 {
		e := &BelowFileError{Part: o.Part, From: current, Next: next, File: *o.File}
		for _, try := range []string{"patch", "minor", "major"} {
			if v, err := Bump(current, try); err == nil && v.Compare(*o.File) >= 0 {
				e.HintPart, e.Hint = try, v
				break
			}
		}
		return Version{}, "", e
	}
	return next, text, nil
}

// TagOrderError refuses a release that would not sort after the nearest
// tag's version.
type TagOrderError struct {
	Next, Tag Version
}

func (e *TagOrderError) Error() string {
	return fmt.Sprintf("pep440: %s would go backwards: the nearest tag is %s already", e.Next, e.Tag)
}

// Unwrap makes errors.Is(err, ErrBump) hold.
func (e *TagOrderError) Unwrap() error { return ErrBump }

// BelowFileError refuses a release that sorts below the version the files
// hold. HintPart is the first of patch, minor and major whose bump from
// From reaches File (Hint), "" when none does.
type BelowFileError struct {
	Part             string
	From, Next, File Version
	HintPart         string
	Hint             Version
}

func (e *BelowFileError) Error() string {
	msg := fmt.Sprintf("pep440: bump %s from %s would give %s, below the files' %s", e.Part, e.From, e.Next, e.File)
	if e.HintPart != "" {
		msg += fmt.Sprintf(": bump %s (to %s) instead", e.HintPart, e.Hint)
	}
	return msg
}

// Unwrap makes errors.Is(err, ErrBump) hold.
func (e *BelowFileError) Unwrap() error { return ErrBump }
