package version

import (
	"context"
	"testing"

	"github.com/pyrelease/pyrelease/targets/internal/dev/gitgen"
)

// BenchmarkDescribe describes HEAD of the generated 11k-commit history
// (generated once per process) the way a release target does.
func BenchmarkDescribe(b *testing.B) {
	cases := map[string]func(gitgen.Options) gitgen.Options{
		"commit-graph": func(o gitgen.Options) gitgen.Options { o.Pack, o.CommitGraph = true, true; return o },
		"packed":       func(o gitgen.Options) gitgen.Options { o.Pack = true; return o },
	}
	for name, v := range cases {
		b.Run(name, func(b *testing.B) {
			dir := repoFixture(b, "large-"+map[string]string{"commit-graph": "packed-graph", "packed": "packed"}[name], v(large))
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, err := Describe(context.Background(), Options{Dir: dir}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkDescribeAllHistory counts every commit (no tag matches), the
// worst case: with a commit-graph it is a walk over mapped memory,
// without one every commit object is inflated (in parallel).
func BenchmarkDescribeAllHistory(b *testing.B) {
	for _, name := range []string{"packed-graph", "packed"} {
		b.Run(name, func(b *testing.B) {
			o := large
			o.Pack, o.CommitGraph = true, name == "packed-graph"
			dir := repoFixture(b, "large-"+name, o)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, err := Describe(context.Background(), Options{Dir: dir, Match: []string{"no-such-tag"}}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
