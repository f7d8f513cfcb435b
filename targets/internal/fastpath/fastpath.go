// Package fastpath answers `pyrelease version` in the standalone program
// without starting the program of every target: that one links the AWS
// SDK, go-git and the rest, whose package initialisation costs more than
// describing HEAD. It answers only what it answers exactly as the version
// target would, and hands everything else over: other targets and flags,
// a project whose last run left something to repair (stamped version
// files, a build's staging folders, a killed bump), mage's own switches
// (MAGEFILE_VERBOSE, ...), and every error, which the full program then
// reports in its own words. (The full program's guard against a stale
// compiled magefile never applies to it: both programs are built from
// pyrelease's own module, at one version.)
package fastpath

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/pyrelease/pyrelease/targets/config"
	"github.com/pyrelease/pyrelease/targets/internal/buildver"
	"github.com/pyrelease/pyrelease/targets/internal/clilog"
	"github.com/pyrelease/pyrelease/targets/internal/redact"
	"github.com/pyrelease/pyrelease/targets/internal/statedir"
)

// Version answers args when they are the version target ("version",
// optionally with -format=text, json or describe) in the project of the
// working directory, writing what the target writes. handled is false
// when the full program must run instead; nothing was written then.
func Version(ctx context.Context, args []string, getenv func(string) string, environ []string, stdout, stderr io.Writer) (handled bool) {
	format, ok := versionArgs(args)
	if !ok {
		return false
	}
	for _, name := range mageSwitches {
		if v := strings.ToLower(strings.TrimSpace(getenv(name))); v != "" && v != "0" && v != "false" {
			return false // the full program honours them
		}
	}
	cfg, err := config.LoadEnv(".", getenv)
	if err != nil || cfg.CheckVersionFiles() != nil {
		return false
	}
	if dirs, err := statedir.For(cfg.Dir); err != nil || len(dirs.Repairs()) > 0 {
		return false
	}
	redact.AddEnvironment(environ)
	// Warnings are held until the version is known: on an error the full
	// program runs and gives them itself.
	var logs bytes.Buffer
	c := &buildver.Computer{Cfg: cfg, Log: clilog.New(&logs, slog.LevelInfo), Getenv: getenv, Now: time.Now}
	info, err := c.Compute(ctx)
	if err != nil {
		return false
	}
	var out bytes.Buffer
	if err := buildver.Print(&out, info, format); err != nil {
		return false
	}
	if err := buildver.WriteGitHubOutput(getenv("GITHUB_OUTPUT"), info); err != nil {
		return false
	}
	errw, outw := redact.NewWriter(stderr, nil), redact.NewWriter(stdout, nil)
	errw.Write(logs.Bytes())
	errw.Close()
	outw.Write(out.Bytes())
	outw.Close()
	return true
}

// mageSwitches are the variables a program compiled by mage reads as its
// flags (-v, -l, -h, -t) and to skip its default target; others
// (MAGEFILE_HASHFAST, MAGEFILE_CACHE) are the mage tool's, which a CI job
// sets for every step.
var mageSwitches = []string{"MAGEFILE_VERBOSE", "MAGEFILE_LIST", "MAGEFILE_HELP", "MAGEFILE_TIMEOUT", "MAGEFILE_IGNOREDEFAULT"}

// versionArgs reads the command line of the version target as mage takes
// it: the target's name in any case, and -format=VALUE.
func versionArgs(args []string) (format string, ok bool) {
	if len(args) == 0 || !strings.EqualFold(args[0], "version") {
		return "", false
	}
	switch len(args) {
	case 1:
		return "text", true
	case 2:
		f, found := strings.CutPrefix(args[1], "-format=")
		if !found {
			return "", false
		}
		switch f {
		case "text", "json", "describe":
			return f, true
		}
	}
	return "", false
}
