package targets

import (
	"context"
	"fmt"
	"maps"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/pyrelease/pyrelease/targets/archive"
	"github.com/pyrelease/pyrelease/targets/config"
	"github.com/pyrelease/pyrelease/targets/dist"
	"github.com/pyrelease/pyrelease/targets/freeze"
	"github.com/pyrelease/pyrelease/targets/internal/statedir"
	"github.com/pyrelease/pyrelease/targets/wheel"
)

// Bdist freezes each tool into a one-file binary, checks that it runs, and
// packs each group into a per-platform archive with checksums.
//
// Groups, tools and the freezer come from [tool.pyrelease.bdist] (default:
// one archive named after the project with every console script, frozen
// with PyInstaller). PyInstaller freezes this commit's wheel from a venv
// kept in the user's cache directory, with the PyInstaller the project
// pins (pyinstaller = "6.22.3") installed from the user's index, and each
// binary must run with an empty environment. Archives are {group}-{version}-{platform}.tar.gz (.zip
// on Windows), deterministic, recorded in dist/.pyrelease/artifacts.json and listed
// in dist/.pyrelease/SHA256SUMS. PYRELEASE_PLATFORM sets the platform tag of archives
// and installers (default: this machine's, such as linux-x86_64); it names
// files and does not cross-compile. -v shows the freezer's output. -list
// freezes nothing: it prints one "TOOL FREEZER" line per tool it would
// freeze, and nothing for a project without tools (a library), so a CI job
// can decide whether to run its freezing jobs at all.
func Bdist(ctx context.Context, v, list *bool) (err error) {
	defer scrub(&err)
	p, info, err := loadVersion(ctx)
	if err != nil {
		return err
	}
	if deref(list, false) {
		return p.listTools(ctx, info, deref(v, false))
	}
	arts, err := p.bdist(ctx, info, deref(v, false))
	if err != nil {
		return err
	}
	printArtifacts(arts)
	return nil
}

func (p *project) bdist(ctx context.Context, info buildVersion, verbose bool) ([]dist.Artifact, error) {
	platform, err := p.platform()
	if err != nil {
		return nil, err
	}
	system, err := wheel.ReadBuildSystem(p.cfg.Dir)
	if err != nil {
		return nil, err
	}
	python, _, err := p.buildPython(ctx, system)
	if err != nil {
		return nil, err
	}
	// The frozen tools are made from this commit's wheel: the one mage
	// wheel recorded, or a fresh build. Its entry points say which tools
	// there are, whatever declared them (setup.py, setup.cfg, Poetry).
	whl, err := p.currentWheel(ctx, info, verbose)
	if err != nil {
		return nil, err
	}
	wi, err := wheel.Verify(ctx, whl, wheel.VerifyOptions{})
	if err != nil {
		return nil, err
	}
	project := wi.Name
	groups, tools, err := p.freezeTools(project, wi.Scripts)
	if err != nil {
		return nil, err
	}
	if err := freeze.CheckTools(p.cfg.Dir, tools); err != nil {
		return nil, err
	}
	tmp, err := statedir.TempDir("pyrelease-bdist-")
	if err != nil {
		return nil, err
	}
	defer tmp.Remove()
	work := tmp.Path
	b := p.cfg.Bdist
	p.log.Info("freezing", "tools", len(tools), "freezer", b.Freezer, "version", info.Version)
	// PyInstaller freezes the wheel from a venv of its own, with PyInstaller
	// and the dependencies from the index the user's pip is set up for, as
	// the smoke test of the wheel installs them.
	bins, err := freeze.Freeze(ctx, freeze.Options{
		Dir: p.cfg.Dir, OutDir: filepath.Join(work, "bin"), WorkDir: filepath.Join(work, "freeze"), Python: python, Freezer: b.Freezer,
		Tools: tools, Version: info.Version, Wheel: whl, Extras: p.cfg.Extras, PyInstaller: b.PyInstaller, Mtime: info.CommitDate, Verbose: verbose, Stderr: stderr,
		Offline: p.cfg.Smoke.Offline, FindLinks: p.findLinks(filepath.Join(p.cfg.Dir, "dist")), Log: p.log,
	})
	if err != nil {
		return nil, err
	}
	byTool := map[string]string{}
	for _, bin := range bins {
		byTool[bin.Tool] = bin.Path
	}
	outDir := filepath.Join(p.cfg.Dir, "dist")
	var arts []dist.Artifact
	for _, group := range sortedGroups(groups) {
		var entries []archive.Entry
		for _, tool := range groups[group] {
			entries = append(entries, archive.Entry{Path: filepath.Base(byTool[tool]), Source: byTool[tool]})
		}
		name := archive.Name(group, info.Build, platform)
		rel := dist.PathFor(dist.KindArchive, name)
		if err := archive.Create(ctx, archive.Options{Out: filepath.Join(outDir, filepath.FromSlash(rel)), Entries: entries, Mtime: info.CommitDate}); err != nil {
			return nil, err
		}
		sum, size, err := dist.Hash(filepath.Join(outDir, filepath.FromSlash(rel)))
		if err != nil {
			return nil, err
		}
		arts = append(arts, dist.Artifact{Name: name, Path: rel, Kind: dist.KindArchive, Version: info.Version,
			Tags: []string{platform}, SHA256: sum, Size: size, Commit: info.Commit, BuiltAt: time.Now().UTC(), Project: project})
	}
	if err := dist.Record(ctx, outDir, arts...); err != nil {
		return nil, err
	}
	if _, err := p.writeChecksums(ctx, outDir); err != nil {
		return nil, err
	}
	return arts, nil
}

// listTools prints the tools bdist would freeze with their freezer, from
// this commit's wheel and [tool.pyrelease.bdist]. A project with neither
// console scripts nor groups has nothing to freeze: no lines, no error.
func (p *project) listTools(ctx context.Context, info buildVersion, verbose bool) error {
	whl, err := p.currentWheel(ctx, info, verbose)
	if err != nil {
		return err
	}
	wi, err := wheel.Verify(ctx, whl, wheel.VerifyOptions{})
	if err != nil {
		return err
	}
	if len(wi.Scripts) == 0 && len(p.cfg.Bdist.Groups) == 0 {
		p.log.Info("nothing to freeze: no console scripts and no [tool.pyrelease.bdist] groups", "project", wi.Name)
		return nil
	}
	_, tools, err := p.freezeTools(wi.Name, wi.Scripts)
	if err != nil {
		return err
	}
	for _, t := range tools {
		fmt.Fprintln(stdout, t.Name, firstNonEmpty(p.cfg.Bdist.Freezer, freeze.PyInstaller))
	}
	return nil
}

// envPlatform names the variable that sets the platform tag of archives
// and installers.
const envPlatform = "PYRELEASE_PLATFORM"

// validPlatform is what a platform tag may hold: it becomes part of file
// names and store keys.
var validPlatform = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._]*-[A-Za-z0-9._-]+$`)

// platform is the platform tag of archives and installers: $PYRELEASE_PLATFORM,
// default this machine's. The override exists for builds whose tools
// target another platform than the machine's own name says (a musl build
// on a glibc runner, an emulated architecture), so that the jobs of a
// matrix name their files apart.
func (p *project) platform() (string, error) {
	v := p.cfg.Platform // read and checked by config
	if v == "" {
		return archive.Platform(runtime.GOOS, runtime.GOARCH), nil
	}
	if !validPlatform.MatchString(v) {
		return "", fmt.Errorf("bdist: %s=%q: want an {os}-{machine} tag of letters, digits, '.', '_' and '-', such as linux-x86_64", envPlatform, v)
	}
	return v, nil
}

// freezeTools turns [tool.pyrelease.bdist] into archive groups and the
// freezer's tools, in group order, each once. Without groups there is one
// archive named after the project with every console script of the wheel;
// a tool without its own entry-point takes the wheel's.
func (p *project) freezeTools(project string, scripts map[string]string) (map[string][]string, []freeze.Tool, error) {
	groups := p.cfg.Bdist.Groups
	if len(groups) == 0 {
		if len(scripts) == 0 {
			return nil, nil, fmt.Errorf("bdist: nothing to freeze: the wheel of %s declares no console scripts and %s has no [tool.pyrelease.bdist] groups", project, p.cfg.File)
		}
		groups = map[string][]string{config.NormalizeName(project): slices.Sorted(maps.Keys(scripts))}
	}
	var tools []freeze.Tool
	seen := map[string]bool{}
	for _, group := range sortedGroups(groups) {
		for _, name := range groups[group] {
			if seen[name] {
				continue
			}
			seen[name] = true
			t := p.cfg.Bdist.Tools[name]
			entry := t.EntryPoint
			if entry == "" {
				entry = scripts[name]
			}
			if entry == "" {
				return nil, nil, fmt.Errorf("config: %s: [tool.pyrelease.bdist] groups.%s: the wheel has no console script %q (it has %s); give it an entry-point under [tool.pyrelease.bdist.tools.%s]",
					p.cfg.File, group, name, quotedList(slices.Sorted(maps.Keys(scripts))), name)
			}
			// The frozen tool is run as the smoke test of the wheel runs it.
			args, own := p.cfg.Smoke.Commands[name]
			tools = append(tools, freeze.Tool{Name: name, EntryPoint: entry, Excludes: t.Excludes,
				HooksDir: t.HooksDir, Icon: t.Icon, Data: t.Data, Args: t.Args,
				SmokeArgs: args, SkipSmoke: own && args == nil})
		}
	}
	return groups, tools, nil
}

// currentWheel returns this version's wheel from dist/ (as mage wheel
// recorded it), building one when there is none.
func (p *project) currentWheel(ctx context.Context, info buildVersion, verbose bool) (string, error) {
	outDir := filepath.Join(p.cfg.Dir, "dist")
	m, err := dist.Load(outDir)
	if err != nil {
		return "", err
	}
	for _, a := range m.Artifacts.Filter(dist.And(dist.ByVersion(info.Version), dist.ByKind(dist.KindWheel))) {
		if a.Verify(outDir) == nil {
			return a.File(outDir), nil
		}
	}
	arts, err := p.buildWheel(ctx, info, verbose)
	if err != nil {
		return "", err
	}
	if built := dist.Artifacts(arts).Filter(dist.ByKind(dist.KindWheel)); len(built) > 0 {
		return built[0].File(outDir), nil
	}
	return "", fmt.Errorf("bdist: the wheel build produced no wheel")
}

// writeChecksums writes dist/.pyrelease/SHA256SUMS for the archives and
// installers beside it (wheels and sdists have theirs on the index).
func (p *project) writeChecksums(ctx context.Context, outDir string) (string, error) {
	m, err := dist.Load(outDir)
	if err != nil {
		return "", err
	}
	var files []string
	for _, a := range m.Artifacts {
		if rest, ok := strings.CutPrefix(a.Path, dist.Sub+"/"); ok {
			files = append(files, rest)
		}
	}
	return archive.Checksums(ctx, filepath.Join(outDir, dist.Sub), "SHA256SUMS", files)
}

func sortedGroups(groups map[string][]string) []string {
	names := make([]string, 0, len(groups))
	for g := range groups {
		names = append(names, g)
	}
	slices.Sort(names)
	return names
}
