package targets

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/pyrelease/pyrelease/targets/archive"
	"github.com/pyrelease/pyrelease/targets/config"
	"github.com/pyrelease/pyrelease/targets/dist"
	"github.com/pyrelease/pyrelease/targets/installer"
	"github.com/pyrelease/pyrelease/targets/internal/statedir"
)

// Installer wraps this version's frozen tools into installers, each from
// the archives of its own platform: a makeself .run from a Linux build, an
// NSIS .exe from a Windows build (makensis builds it on Linux too), a .dmg
// from a macOS build, on macOS.
//
// Kinds come from installers in [tool.pyrelease.bdist], else the
// platform's own. This platform's archives are the ones mage bdist
// recorded in dist/ for this version (it runs bdist when there are none);
// another platform's come from its own job, through mage fetch in a
// release job. A kind whose tool is missing here is skipped with the
// reason; a kind with no archive of its platform is refused, and so is an
// .exe of zipapps, which need a Python that Windows lacks. The .run of this
// platform is installed into a temporary prefix and each tool run with
// --version.
func Installer(ctx context.Context) (err error) {
	defer scrub(&err)
	p, info, err := loadVersion(ctx)
	if err != nil {
		return err
	}
	arts, err := p.installers(ctx, info)
	if err != nil {
		return err
	}
	printArtifacts(arts)
	return nil
}

// installerJob is one installer to build: its kind, the platform of the
// archives it wraps, and their tools once unpacked.
type installerJob struct {
	kind, platform string
	bins           []string
	project        string
}

func (p *project) installers(ctx context.Context, info buildVersion) ([]dist.Artifact, error) {
	outDir := filepath.Join(p.cfg.Dir, "dist")
	own, err := p.platform()
	if err != nil {
		return nil, err
	}
	tmp, err := statedir.TempDir("pyrelease-installer-")
	if err != nil {
		return nil, err
	}
	defer tmp.Remove()
	work := tmp.Path
	kinds := p.cfg.Bdist.Installers
	if len(kinds) == 0 {
		kinds = []string{installer.KindFor(own)}
	}
	// Every installer's tools are unpacked and checked before the first is
	// built: a refusal leaves no installer half made.
	var jobs []installerJob
	for _, kind := range kinds {
		if reason := installer.SkipReason(kind); reason != "" {
			p.log.Info(fmt.Sprintf("installer: %s; skipped", reason))
			continue
		}
		platforms, err := p.installerPlatforms(ctx, info, outDir, kind, own)
		if err != nil {
			return nil, err
		}
		for _, platform := range platforms {
			bins, project, err := p.frozenTools(ctx, info, outDir, platform, filepath.Join(work, kind+"-"+platform))
			if err != nil {
				return nil, err
			}
			if err := installer.CheckBinaries(kind, bins); err != nil {
				var pe *installer.PlatformError
				if errors.As(err, &pe) {
					pe.Platform = platform // name the build it came from
				}
				return nil, err
			}
			jobs = append(jobs, installerJob{kind: kind, platform: platform, bins: bins, project: project})
		}
	}
	var arts []dist.Artifact
	for _, j := range jobs {
		path, err := installer.Build(ctx, installer.Options{
			Project: config.NormalizeName(j.project), Version: info.Build, Platform: j.platform, Binaries: j.bins,
			OutDir: filepath.Join(outDir, dist.Sub), Kind: j.kind, WorkDir: filepath.Join(work, "build-"+j.kind+"-"+j.platform),
			Epoch: info.CommitDate, Stderr: stderr,
		})
		if err != nil {
			return nil, err
		}
		// Only this platform's .run can be run here.
		if j.kind == installer.KindRun && j.platform == own {
			if err := installer.SmokeRun(ctx, path, p.installerChecks(toolNames(j.bins)), info.Version); err != nil {
				return nil, err
			}
		}
		sum, size, err := dist.Hash(path)
		if err != nil {
			return nil, err
		}
		name := filepath.Base(path)
		arts = append(arts, dist.Artifact{Name: name, Path: dist.PathFor(dist.KindInstaller, name), Kind: dist.KindInstaller, Version: info.Version,
			Tags: []string{j.platform}, SHA256: sum, Size: size, Commit: info.Commit, BuiltAt: time.Now().UTC(), Project: j.project})
	}
	if err := dist.Record(ctx, outDir, arts...); err != nil {
		return nil, err
	}
	if _, err := p.writeChecksums(ctx, outDir); err != nil {
		return nil, err
	}
	return arts, nil
}

// installerPlatforms are the platforms whose archives an installer of kind
// wraps: every platform of that kind with archives of this version in
// dist/ (this machine's own builds, and those mage fetch brought from other
// jobs), and this machine's platform when it is of that kind (bdist builds
// its archives if need be). None is an error that says where they come
// from.
func (p *project) installerPlatforms(ctx context.Context, info buildVersion, outDir, kind, own string) ([]string, error) {
	m, err := dist.Load(outDir)
	if err != nil {
		return nil, err
	}
	var platforms []string
	if installer.KindFor(own) == kind {
		platforms = append(platforms, own)
	}
	for _, a := range m.Artifacts.Filter(versionArchives(info.Version)) {
		if pl := archivePlatform(a, info.Build); pl != "" && installer.KindFor(pl) == kind && !slices.Contains(platforms, pl) {
			platforms = append(platforms, pl)
		}
	}
	if len(platforms) > 0 {
		slices.Sort(platforms)
		return platforms, nil
	}
	return nil, &noArchivesError{kind: kind, version: info.Build, own: own}
}

// noArchivesError refuses an installer whose platform has no archives
// here: the job that builds them runs elsewhere.
type noArchivesError struct {
	kind, version, own string
}

func (e *noArchivesError) Error() string {
	var system, glob string
	switch e.kind {
	case installer.KindEXE:
		system, glob = "Windows", "windows-*.zip"
	case installer.KindDMG:
		system, glob = "macOS", "osx-*.tar.gz"
	default:
		system, glob = "Linux", "linux-*.tar.gz"
	}
	return fmt.Sprintf("installer: %s: no %s archive of %s in dist/ ({group}-%s-%s): a .%s wraps the %s build of the tools, and this machine's is %s; run mage installer after mage fetch has brought the %s job's archives from the snapshot store, or on a %s runner",
		e.kind, system, e.version, e.version, glob, e.kind, system, e.own, system, system)
}

// versionArchives keeps the frozen-tool archives of version.
func versionArchives(version string) dist.Filter {
	return dist.And(dist.ByVersion(version), dist.ByKind(dist.KindArchive))
}

// archivePlatform is the platform an archive was built for: its tag, or
// for a file fetched without a sidecar, the platform in its name.
func archivePlatform(a dist.Artifact, build string) string {
	if len(a.Tags) > 0 {
		return a.Tags[0]
	}
	pl, _ := archive.NamePlatform(a.Name, build)
	return pl
}

// frozenTools unpacks this version's archives for platform from dist/ into
// work and returns the tools' paths and the project they belong to; with
// none recorded for this machine's platform it runs bdist.
func (p *project) frozenTools(ctx context.Context, info buildVersion, outDir, platform, work string) ([]string, string, error) {
	find := func() ([]dist.Artifact, error) {
		m, err := dist.Load(outDir)
		if err != nil {
			return nil, err
		}
		forPlatform := func(a dist.Artifact) bool { return archivePlatform(a, info.Build) == platform }
		return m.Artifacts.Filter(dist.And(versionArchives(info.Version), forPlatform)), nil
	}
	archives, err := find()
	if err != nil {
		return nil, "", err
	}
	if len(archives) == 0 {
		p.log.Info("no archives of this version yet: running bdist", "version", info.Version, "platform", platform)
		if _, err := p.bdist(ctx, info, false); err != nil {
			return nil, "", err
		}
		if archives, err = find(); err != nil {
			return nil, "", err
		}
	}
	var bins []string
	project := ""
	for _, a := range archives {
		project = firstNonEmpty(project, a.Project)
		if err := a.Verify(outDir); err != nil {
			return nil, "", fmt.Errorf("installer: %w; rebuild it with mage bdist", err)
		}
		files, err := archive.Extract(ctx, a.File(outDir), filepath.Join(work, "tools"))
		if err != nil {
			return nil, "", err
		}
		bins = append(bins, files...)
	}
	if project == "" {
		project = p.cfg.Project.Name
	}
	return bins, project, nil
}

// installerChecks run the installed tools as the smoke test of the wheel
// runs them: with the project's commands, and not at all when it says so.
func (p *project) installerChecks(tools []string) []installer.Check {
	checks := installer.Checks(tools...)
	for i := range checks {
		if args, own := p.cfg.Smoke.Commands[checks[i].Name]; own {
			checks[i].Args, checks[i].Skip = args, args == nil
		}
	}
	return checks
}

func toolNames(paths []string) []string {
	names := make([]string, len(paths))
	for i, p := range paths {
		names[i] = strings.TrimSuffix(filepath.Base(p), ".exe")
	}
	return names
}
