package targets

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/pyrelease/pyrelease/targets/archive"
	"github.com/pyrelease/pyrelease/targets/config"
	"github.com/pyrelease/pyrelease/targets/dist"
	"github.com/pyrelease/pyrelease/targets/installer"
)

// Installer wraps this version's frozen tools into installers: a makeself
// .run on Linux, an NSIS .exe (makensis builds it on Linux too), a .dmg on
// macOS.
//
// The tools come from the archives mage bdist recorded in dist/ for this
// version and platform (it runs bdist when there are none). Kinds come from
// installers in [tool.pyrelease.bdist], else the platform's own; a kind
// that cannot be built here is skipped with the reason. The .run installer
// is installed into a temporary prefix and each tool run with --version.
func Installer(ctx context.Context) error {
	p, err := load(ctx)
	if err != nil {
		return err
	}
	info, err := p.versionInfo(ctx)
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

func (p *project) installers(ctx context.Context, info buildVersion) ([]dist.Artifact, error) {
	outDir := filepath.Join(p.cfg.Dir, "dist")
	platform, err := p.platform()
	if err != nil {
		return nil, err
	}
	work, err := os.MkdirTemp("", "pyrelease-installer-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(work)
	bins, project, err := p.frozenTools(ctx, info, outDir, platform, work)
	if err != nil {
		return nil, err
	}
	kinds := p.cfg.Bdist.Installers
	if len(kinds) == 0 {
		kinds = []string{installer.KindFor(platform)}
	}
	var arts []dist.Artifact
	for _, kind := range kinds {
		if reason := installer.SkipReason(kind); reason != "" {
			p.log.Info(fmt.Sprintf("installer: %s; skipped", reason))
			continue
		}
		// The installer is named for the platform of what it holds: an .exe
		// made on Linux from Linux tools says linux.
		instPlatform := platform
		path, err := installer.Build(ctx, installer.Options{
			Project: config.NormalizeName(project), Version: info.Build, Platform: instPlatform, Binaries: bins,
			OutDir: filepath.Join(outDir, dist.Sub), Kind: kind, WorkDir: filepath.Join(work, kind), Epoch: info.CommitDate, Stderr: os.Stderr,
		})
		if err != nil {
			return nil, err
		}
		if kind == installer.KindRun {
			if err := installer.SmokeRun(ctx, path, p.installerChecks(toolNames(bins)), info.Version); err != nil {
				return nil, err
			}
		}
		sum, size, err := dist.Hash(path)
		if err != nil {
			return nil, err
		}
		name := filepath.Base(path)
		arts = append(arts, dist.Artifact{Name: name, Path: dist.PathFor(dist.KindInstaller, name), Kind: dist.KindInstaller, Version: info.Version,
			Tags: []string{instPlatform}, SHA256: sum, Size: size, Commit: info.Commit, BuiltAt: time.Now().UTC(), Project: project})
	}
	if err := dist.Record(ctx, outDir, arts...); err != nil {
		return nil, err
	}
	if _, err := p.writeChecksums(ctx, outDir); err != nil {
		return nil, err
	}
	return arts, nil
}

// frozenTools unpacks this version's archives for platform from dist/ into
// work and returns the tools' paths and the project they belong to; with
// none recorded it runs bdist.
func (p *project) frozenTools(ctx context.Context, info buildVersion, outDir, platform, work string) ([]string, string, error) {
	find := func() ([]dist.Artifact, error) {
		m, err := dist.Load(outDir)
		if err != nil {
			return nil, err
		}
		var found []dist.Artifact
		for _, a := range m.Artifacts {
			if a.Kind == dist.KindArchive && a.Version == info.Version && slices.Contains(a.Tags, platform) {
				found = append(found, a)
			}
		}
		return found, nil
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
		path := filepath.Join(outDir, filepath.FromSlash(a.Path))
		if sum, _, err := dist.Hash(path); err != nil || sum != a.SHA256 {
			return nil, "", fmt.Errorf("installer: %s does not match its sha256 in %s; rebuild it with mage bdist", path, dist.FileName)
		}
		files, err := archive.Extract(ctx, path, filepath.Join(work, "tools"))
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
