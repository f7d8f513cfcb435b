package pypi

// Diff is what a release does with its files, given what the index
// already lists: an index never replaces a file, so a file it has is
// either the same bytes (nothing to send) or a conflict.
type Diff struct {
	Upload    []File     // not on the index yet
	Present   []File     // on the index with the same sha256
	Conflicts []Conflict // on the index with another sha256
}

// Conflict is a file the index lists with other bytes than this build's.
type Conflict struct {
	File        File   // this build's file
	IndexSHA256 string // the sha256 the index lists for its name
}

// Compare sorts files by what the index lists, a sha256 per file name
// (Client.Existing), keeping their order within each list.
func Compare(files []File, existing map[string]string) Diff {
	var d Diff
	for _, f := range files {
		sum, ok := existing[f.Name]
		switch {
		case !ok:
			d.Upload = append(d.Upload, f)
		case sum == f.SHA256:
			d.Present = append(d.Present, f)
		default:
			d.Conflicts = append(d.Conflicts, Conflict{File: f, IndexSHA256: sum})
		}
	}
	return d
}
