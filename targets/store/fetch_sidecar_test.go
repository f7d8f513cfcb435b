package store

import (
	"reflect"
	"testing"
	"time"

	"github.com/pyrelease/pyrelease/targets/dist"
)

func TestFetchedArtifact(t *testing.T) {
	at := time.Date(2026, 11, 20, 8, 30, 0, 0, time.UTC)
	const sum = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
	built := dist.Artifact{
		Name: "greet-1.0-linux-x86_64.tar.gz", Path: ".pyrelease/greet-1.0-linux-x86_64.tar.gz", Kind: dist.KindArchive,
		Version: "1.0", Tags: []string{"linux-x86_64"}, Python: "3.11.2", SHA256: sum, Size: 3, Commit: "c0ffee", BuiltAt: at, Project: "greet",
	}
	published := Build{Project: "greet", Version: "1.0", Tagged: true, Tag: "v1.0", Describe: "v1.0-0-gc0ffee"}.sidecar(built, at.Add(time.Hour))
	for name, c := range map[string]struct {
		fetched Fetched
		want    dist.Artifact
	}{
		"with the sidecar publish wrote": {
			fetched: Fetched{Name: built.Name, Rel: built.Path, Kind: dist.KindArchive, SHA256: sum, Size: 3, Sidecar: &published},
			want:    built,
		},
		"index link without a sidecar": {
			fetched: Fetched{Name: "greet-1.0.tar.gz", Rel: "greet-1.0.tar.gz", Kind: dist.KindSdist, SHA256: sum, Size: 3},
			want:    dist.Artifact{Name: "greet-1.0.tar.gz", Path: "greet-1.0.tar.gz", Kind: dist.KindSdist, Version: "1.0", SHA256: sum, Size: 3},
		},
	} {
		t.Run(name, func(t *testing.T) {
			if got := c.fetched.Artifact("1.0"); !reflect.DeepEqual(got, c.want) {
				t.Errorf("Artifact:\n got %+v\nwant %+v", got, c.want)
			}
		})
	}
}
