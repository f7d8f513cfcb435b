// Command bench is what `mage bench` runs: it times pyrelease against the
// tools a user would otherwise run, in the same run on the same machine,
// and prints one table of ratios.
//
// Today that is our describe against `git describe --tags --long` on
// generated repositories of 10k and 100k commits, with and without a
// commit-graph file, as whole commands with hyperfine (our side is the
// compiled example magefile, exactly what a user runs), plus peak memory.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"time"

	"github.com/pyrelease/pyrelease/targets/internal/gitgen"
)

func main() {
	keep := flag.Bool("keep", false, "keep the generated repositories")
	runs := flag.Int("runs", 30, "minimum hyperfine runs per command")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, *runs, *keep); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// scenario is one generated repository and what is timed on it.
type scenario struct {
	name  string
	opts  gitgen.Options
	pairs []pair
}

// pair is a command of ours and the peer command it is compared with.
type pair struct {
	what       string
	peer, ours []string
}

func scenarios(bin string) []scenario {
	describe := pair{what: "describe", peer: []string{"git", "describe", "--tags", "--long"}, ours: []string{bin, "describe"}}
	dirty := pair{what: "describe --dirty", peer: []string{"git", "describe", "--tags", "--long", "--dirty"}, ours: []string{bin, "describe", "-dirty"}}
	repo := func(commits int, graph bool) gitgen.Options {
		// Merges and side branches as in a real project; a tag every 200
		// commits so the nearest tag is close, as it is in practice.
		return gitgen.Options{Seed: 1, Commits: commits, MergeRate: 0.05, BranchRate: 0.05,
			TagEvery: 200, AnnotatedRate: 0.5, Pack: true, CommitGraph: graph, Checkout: true}
	}
	return []scenario{
		{name: "10k commits, commit-graph", opts: repo(10_000, true), pairs: []pair{describe, dirty}},
		{name: "100k commits, commit-graph", opts: repo(100_000, true), pairs: []pair{describe, dirty}},
		{name: "10k commits, no commit-graph", opts: repo(10_000, false), pairs: []pair{describe}},
		{name: "100k commits, no commit-graph", opts: repo(100_000, false), pairs: []pair{describe}},
	}
}

type row struct {
	scenario, what     string
	peerMean, oursMean time.Duration
	peerStd, oursStd   time.Duration
	peerRSS, oursRSS   int64 // KiB
	answer             string
}

func run(ctx context.Context, runs int, keep bool) error {
	for _, tool := range []string{"git", "hyperfine", "go"} {
		if _, err := exec.LookPath(tool); err != nil {
			return fmt.Errorf("%s is needed (apt-get install -y %s): %w", tool, tool, err)
		}
	}
	work, err := os.MkdirTemp("", "pyrelease-bench-")
	if err != nil {
		return err
	}
	if !keep {
		defer os.RemoveAll(work)
	}
	bin := filepath.Join(work, "pyrelease")
	fmt.Fprintln(os.Stderr, "bench: compiling the example magefile")
	compile := exec.CommandContext(ctx, "go", "tool", "mage", "-compile", bin)
	compile.Dir = "examples"
	if out, err := compile.CombinedOutput(); err != nil {
		return fmt.Errorf("mage -compile: %v\n%s", err, out)
	}

	var rows []row
	for i, sc := range scenarios(bin) {
		dir := filepath.Join(work, fmt.Sprintf("repo%d", i))
		start := time.Now()
		if err := gitgen.Repo(ctx, dir, sc.opts); err != nil {
			return fmt.Errorf("%s: %w", sc.name, err)
		}
		// The compiled targets read pyproject.toml from the working
		// directory; untracked, so it does not change the answer.
		if err := os.WriteFile(filepath.Join(dir, "pyproject.toml"), []byte("[project]\nname = \"bench\"\n"), 0o644); err != nil {
			return err
		}
		fmt.Fprintf(os.Stderr, "bench: %s generated in %s\n", sc.name, time.Since(start).Round(time.Millisecond))
		for _, p := range sc.pairs {
			r, err := measure(ctx, dir, sc.name, p, runs, work)
			if err != nil {
				return err
			}
			rows = append(rows, r)
		}
	}
	printTable(rows)
	return nil
}

func measure(ctx context.Context, dir, name string, p pair, runs int, work string) (row, error) {
	peerOut, peerRSS, err := once(ctx, dir, p.peer)
	if err != nil {
		return row{}, err
	}
	oursOut, oursRSS, err := once(ctx, dir, p.ours)
	if err != nil {
		return row{}, err
	}
	if peerOut != oursOut {
		return row{}, fmt.Errorf("%s: %s disagrees: git says %q, pyrelease says %q", name, p.what, peerOut, oursOut)
	}
	out := filepath.Join(work, "hyperfine.json")
	cmd := exec.CommandContext(ctx, "hyperfine", "-N", "--warmup", "5", "--min-runs", fmt.Sprint(runs),
		"--export-json", out, strings.Join(p.peer, " "), strings.Join(p.ours, " "))
	cmd.Dir = dir
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		return row{}, fmt.Errorf("hyperfine: %w", err)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		return row{}, err
	}
	var res struct {
		Results []struct {
			Mean   float64 `json:"mean"`
			Stddev float64 `json:"stddev"`
		} `json:"results"`
	}
	if err := json.Unmarshal(data, &res); err != nil || len(res.Results) != 2 {
		return row{}, fmt.Errorf("reading %s: %v", out, err)
	}
	sec := func(f float64) time.Duration { return time.Duration(f * float64(time.Second)) }
	return row{
		scenario: name, what: p.what, answer: peerOut,
		peerMean: sec(res.Results[0].Mean), peerStd: sec(res.Results[0].Stddev),
		oursMean: sec(res.Results[1].Mean), oursStd: sec(res.Results[1].Stddev),
		peerRSS: peerRSS, oursRSS: oursRSS,
	}, nil
}

// once runs a command and returns its trimmed stdout and peak RSS in KiB.
func once(ctx context.Context, dir string, argv []string) (string, int64, error) {
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Dir = dir
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			err = fmt.Errorf("%v: %s", err, stderr.String())
		}
		return "", 0, fmt.Errorf("%s: %w", strings.Join(argv, " "), err)
	}
	var rss int64
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		rss = ru.Maxrss
	}
	return strings.TrimSpace(string(out)), rss, nil
}

func printTable(rows []row) {
	fmt.Printf("Machine: %s/%s, %d cores; %s\n\n", runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), time.Now().UTC().Format("2006-01-02"))
	fmt.Println("| repository | command | git | pyrelease | ratio | git peak RSS | pyrelease peak RSS |")
	fmt.Println("|---|---|---|---|---|---|---|")
	for _, r := range rows {
		fmt.Printf("| %s | %s | %s ± %s | %s ± %s | %.2fx | %d MiB | %d MiB |\n", r.scenario, r.what,
			ms(r.peerMean), ms(r.peerStd), ms(r.oursMean), ms(r.oursStd),
			float64(r.oursMean)/float64(r.peerMean), r.peerRSS/1024, r.oursRSS/1024)
	}
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond)) }
