package targets

import (
	"errors"
	"strings"
	"testing"

	"github.com/pyrelease/pyrelease/targets/config"
	"github.com/pyrelease/pyrelease/targets/vcs"
)

func TestPlanBranchRelease(t *testing.T) {
	const head, other = "1111111111111111111111111111111111111111", "2222222222222222222222222222222222222222"
	onBranch := buildVersion{Branch: "pypi-release", Commit: head, Tag: "v0.1.0", Distance: 3, Describe: "v0.1.0-3-g1111111"}
	atTag := buildVersion{Branch: "pypi-release", Commit: head, Tag: "v0.2.0", Distance: 0, Describe: "v0.2.0-0-g1111111"}
	missing := vcs.Tag{Name: "v0.2.0"}
	here := vcs.Tag{Name: "v0.2.0", Exists: true, Object: "3333333333333333333333333333333333333333", Commit: head, Annotated: true}
	elsewhere := vcs.Tag{Name: "v0.2.0", Exists: true, Object: other, Commit: other}
	for name, c := range map[string]struct {
		branch      string
		info        buildVersion
		fileVersion string
		tagFormat   string
		tagPattern  string
		format      string
		tag         vcs.Tag
		want        branchRelease
		wantErr     []string // empty: no error
	}{
		"not configured": {branch: "", info: onBranch, fileVersion: "0.2.0", tag: missing, want: branchRelease{}},
		"another branch": {branch: "pypi-release", info: buildVersion{Branch: "main", Commit: head}, fileVersion: "0.2.0", tag: missing, want: branchRelease{}},
		"detached, no branch from CI": {branch: "pypi-release", info: buildVersion{Commit: head}, fileVersion: "0.2.0", tag: missing,
			want: branchRelease{}},
		"tag missing": {branch: "pypi-release", info: onBranch, fileVersion: "0.2.0\n", tag: missing,
			want: branchRelease{active: true, branch: "pypi-release", version: "0.2.0", tag: "v0.2.0", commit: head, create: true}},
		"tag at HEAD": {branch: "pypi-release", info: atTag, fileVersion: "0.2.0", tag: here,
			want: branchRelease{active: true, branch: "pypi-release", version: "0.2.0", tag: "v0.2.0", commit: head, object: here.Object}},
		"tag elsewhere": {branch: "pypi-release", info: onBranch, fileVersion: "0.2.0", tag: elsewhere,
			wantErr: []string{"tag v0.2.0 exists at commit 222222222222, not at HEAD (111111111111)", "released from another commit"}},
		"normalised": {branch: "pypi-release", info: onBranch, fileVersion: "0.2.0-RC1", tag: vcs.Tag{Name: "v0.2.0rc1"},
			want: branchRelease{active: true, branch: "pypi-release", version: "0.2.0rc1", tag: "v0.2.0rc1", commit: head, create: true}},
		"tag format": {branch: "pypi-release", info: onBranch, fileVersion: "0.2.0", tagFormat: "release-{version}", tagPattern: "release-*", tag: vcs.Tag{Name: "release-0.2.0"},
			want: branchRelease{active: true, branch: "pypi-release", version: "0.2.0", tag: "release-0.2.0", commit: head, create: true}},
		"no tag yet": {branch: "pypi-release", info: buildVersion{Branch: "pypi-release", Commit: head, Distance: 4}, fileVersion: "1.0", tag: vcs.Tag{Name: "v1.0"},
			want: branchRelease{active: true, branch: "pypi-release", version: "1.0", tag: "v1.0", commit: head, create: true}},
		"tag format outside tag-pattern": {branch: "pypi-release", info: onBranch, fileVersion: "0.2.0", tagFormat: "release-{version}", tag: missing,
			wantErr: []string{"release-0.2.0, which does not read back"}},
		"dev version":   {branch: "pypi-release", info: onBranch, fileVersion: "0.2.0.dev0", tag: missing, wantErr: []string{"0.2.0.dev0, a development version"}},
		"local version": {branch: "pypi-release", info: onBranch, fileVersion: "0.2.0+ubuntu1", tag: missing, wantErr: []string{"0.2.0+ubuntu1", "local part"}},
		"not a version": {branch: "pypi-release", info: onBranch, fileVersion: "two", tag: missing, wantErr: []string{`says "two"`}},
		"semver pre-release": {branch: "pypi-release", info: onBranch, fileVersion: "0.2.0rc1", format: "semver", tag: missing,
			wantErr: []string{"v0.2.0rc1, which does not read back", "set tag-format"}},
	} {
		t.Run(name, func(t *testing.T) {
			looked := ""
			got, err := planBranchRelease(branchInput{branch: c.branch, info: c.info, fileVersion: c.fileVersion,
				tagFormat: c.tagFormat, tagPattern: c.tagPattern, format: c.format,
				lookup: func(name string) (vcs.Tag, error) {
					looked = name
					return c.tag, nil
				}})
			if len(c.wantErr) > 0 {
				if err == nil {
					t.Fatalf("planned %+v, want an error", got)
				}
				for _, w := range c.wantErr {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("error %q lacks %q", err, w)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != c.want {
				t.Errorf("plan = %+v\nwant   %+v", got, c.want)
			}
			if got.active && looked != got.tag {
				t.Errorf("looked up tag %q, planned %q", looked, got.tag)
			}
		})
	}
}

func TestPlanBranchReleaseLookupError(t *testing.T) {
	broken := errors.New("vcs: reading tag v0.2.0: broken ref")
	_, err := planBranchRelease(branchInput{branch: "b", info: buildVersion{Branch: "b"}, fileVersion: "0.2.0",
		lookup: func(string) (vcs.Tag, error) { return vcs.Tag{}, broken }})
	if !errors.Is(err, broken) {
		t.Errorf("err = %v, want the lookup's", err)
	}
}

// On the release branch release checks what it checks on a tag, with HEAD
// taken to be at the version's tag: a dirty tree and a pull request are
// refused still, and a clean branch build passes.
func TestBranchReleasePreconditions(t *testing.T) {
	p := &project{cfg: &config.Config{Dir: t.TempDir()}}
	p.cfg.Release.Branch = "pypi-release"
	plan := branchRelease{active: true, branch: "pypi-release", version: "0.2.0", tag: "v0.2.0", commit: "1111"}
	base := buildVersion{Version: "0.1.1.dev3", Branch: "pypi-release", Commit: "1111", Tag: "v0.1.0", Distance: 3, Describe: "v0.1.0-3-g1111"}
	for name, c := range map[string]struct {
		info    func(buildVersion) buildVersion
		plan    branchRelease
		wantErr string
	}{
		"clean":        {info: func(i buildVersion) buildVersion { return i }, plan: plan},
		"dirty":        {info: func(i buildVersion) buildVersion { i.Dirty = true; return i }, plan: plan, wantErr: "modified tracked files"},
		"pull request": {info: func(i buildVersion) buildVersion { i.CI, i.PullRequest = "github", "7"; return i }, plan: plan, wantErr: "pull-request build"},
		"inactive":     {info: func(i buildVersion) buildVersion { i.Branch = "main"; return i }, plan: branchRelease{}, wantErr: "or release from the release branch pypi-release (HEAD is on main)"},
	} {
		t.Run(name, func(t *testing.T) {
			info := c.plan.releaseAs(c.info(base))
			err := p.releasePreconditions(info)
			if c.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				if info.Version != "0.2.0" || info.Tag != "v0.2.0" || !info.Tagged {
					t.Errorf("released as %+v", info)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), c.wantErr) {
				t.Errorf("err = %v, want %q", err, c.wantErr)
			}
		})
	}
}

func TestBranchReleaseSetRemote(t *testing.T) {
	const obj, other = "3333333333333333333333333333333333333333", "4444444444444444444444444444444444444444"
	created := branchRelease{active: true, tag: "v0.2.0", remote: "origin", create: true}
	here := branchRelease{active: true, tag: "v0.2.0", remote: "origin", object: obj}
	for name, c := range map[string]struct {
		plan     branchRelease
		object   string
		exists   bool
		onRemote bool
		wantErr  string
	}{
		"missing everywhere":    {plan: created, exists: false, onRemote: false},
		"here, not on remote":   {plan: here, exists: false, onRemote: false},
		"here and on remote":    {plan: here, object: obj, exists: true, onRemote: true},
		"on remote only":        {plan: created, object: obj, exists: true, wantErr: "remote origin has tag v0.2.0 and this repository has not: fetch it (git fetch origin tag v0.2.0)"},
		"another tag on remote": {plan: here, object: other, exists: true, wantErr: "remote origin has tag v0.2.0 at 444444444444, and this repository's is 333333333333"},
	} {
		t.Run(name, func(t *testing.T) {
			b := c.plan
			err := b.setRemote(c.object, c.exists)
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Errorf("err = %v, want %q", err, c.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if b.onRemote != c.onRemote {
				t.Errorf("onRemote = %v, want %v", b.onRemote, c.onRemote)
			}
		})
	}
}
