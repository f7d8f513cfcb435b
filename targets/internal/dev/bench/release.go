package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/pyrelease/pyrelease/targets/dist"
	"github.com/pyrelease/pyrelease/targets/internal/dev/gitgen"
	"github.com/pyrelease/pyrelease/targets/internal/dev/servers"
)

// releaseProject makes a project tagged v1.0.0 whose snapshot store (the
// default folder, in its git directory) holds wheel, published there by
// the compiled magefile's snapshot, so that its release has what a release
// job has: a tag, and the version's files in the store. It returns the
// project's directory.
func releaseProject(ctx context.Context, dir, bin, wheel string) (string, error) {
	if err := os.MkdirAll(filepath.Join(dir, "dist"), 0o755); err != nil {
		return "", err
	}
	for name, content := range map[string]string{
		"pyproject.toml": "[project]\nname = \"" + wheelProject + "\"\n",
		".gitignore":     "/dist/\n",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			return "", err
		}
	}
	env := gitgen.DefaultEnv()
	for _, args := range [][]string{{"init", "-q", "-b", "main"}, {"add", "-A"}, {"commit", "-q", "-m", "Bench"}, {"tag", "v" + benchVersion}} {
		if _, err := gitgen.Git(ctx, dir, env, nil, args...); err != nil {
			return "", err
		}
	}
	commit, err := gitgen.Git(ctx, dir, env, nil, "rev-parse", "HEAD")
	if err != nil {
		return "", err
	}
	dst := filepath.Join(dir, "dist", wheelName)
	if err := os.Link(wheel, dst); err != nil {
		return "", err
	}
	sum, size, err := dist.Hash(dst)
	if err != nil {
		return "", err
	}
	if err := dist.Record(ctx, filepath.Join(dir, "dist"), dist.Artifact{Name: wheelName, Path: wheelName, Kind: dist.KindWheel,
		Version: benchVersion, SHA256: sum, Size: size, Commit: strings.TrimSpace(commit), BuiltAt: time.Now().UTC(), Project: wheelProject}); err != nil {
		return "", err
	}
	if _, _, err := once(ctx, dir, []string{bin, "snapshot"}); err != nil {
		return "", fmt.Errorf("mage snapshot: %w", err)
	}
	return dir, nil
}

// releaseSide is the compiled magefile's release of the project: fetch the
// version's files from the store, verify them, upload what the index
// lacks, poll the index until it lists each with its sha256.
func releaseSide(bin, dir string, clean []string) *uploader {
	return &uploader{name: "compiled magefile release (fetch, verify, upload, poll the index)", ours: true, user: "release", dir: dir,
		argv: func(servers.GiteaUser, string) []string { return []string{bin, "release", "-noprompt"} },
		envFor: func(u servers.GiteaUser) []string {
			return append(clean[:len(clean):len(clean)], "TWINE_REPOSITORY_URL="+u.UploadURL, "TWINE_USERNAME="+u.Name, "TWINE_PASSWORD="+u.Token)
		}}
}
