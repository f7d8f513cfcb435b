package pypi

import (
	"reflect"
	"testing"
)

func TestCompare(t *testing.T) {
	whl := File{Name: "greet-1.0-py3-none-any.whl", SHA256: "aa"}
	sdist := File{Name: "greet-1.0.tar.gz", SHA256: "bb"}
	for name, c := range map[string]struct {
		existing map[string]string
		want     Diff
	}{
		"first release": {
			existing: nil,
			want:     Diff{Upload: []File{whl, sdist}},
		},
		"run again": {
			existing: map[string]string{whl.Name: "aa", sdist.Name: "bb"},
			want:     Diff{Present: []File{whl, sdist}},
		},
		"half uploaded": {
			existing: map[string]string{whl.Name: "aa"},
			want:     Diff{Upload: []File{sdist}, Present: []File{whl}},
		},
		"rebuilt sdist": {
			existing: map[string]string{whl.Name: "aa", sdist.Name: "cc"},
			want:     Diff{Present: []File{whl}, Conflicts: []Conflict{{File: sdist, IndexSHA256: "cc"}}},
		},
		"other versions listed": {
			existing: map[string]string{"greet-0.9.tar.gz": "bb", "greet-0.9-py3-none-any.whl": "aa"},
			want:     Diff{Upload: []File{whl, sdist}},
		},
	} {
		t.Run(name, func(t *testing.T) {
			if got := Compare([]File{whl, sdist}, c.existing); !reflect.DeepEqual(got, c.want) {
				t.Errorf("Compare:\n got %+v\nwant %+v", got, c.want)
			}
		})
	}
}
