package installer

import (
	"bufio"
	"context"
	"fmt"
	"strings"

	"github.com/pyrelease/pyrelease/targets/internal/run"
)

// ListEXE returns the names of the files packed in an NSIS installer, as
// 7-Zip lists them, so a build can be verified without Windows. NSIS
// generates the uninstaller at install time; 7-Zip lists it too.
func ListEXE(ctx context.Context, exe string) ([]string, error) {
	bin := ""
	// The names 7-Zip's command line goes by, by how common they are.
	for _, name := range []string{"7z", "7zz", "7za"} {
		if _, err := run.LookPath(name); err == nil {
			bin = name
			break
		}
	}
	if bin == "" {
		return nil, &SkipError{Kind: KindEXE, Reason: "listing needs 7-Zip: none of 7z, 7zz, 7za on PATH (Debian package p7zip-full)"}
	}
	out, err := run.Output(ctx, run.Cmd{Name: bin, Args: []string{"l", "-slt", "-ba", "--", exe}, Env: run.Environ("LC_ALL=C")})
	if err != nil {
		return nil, fmt.Errorf("installer: listing %s: %w", exe, err)
	}
	return parseListing(string(out)), nil
}

// parseListing reads the Path of each entry from `7z l -slt` output. The
// archive's own properties come first when -ba is not given, ended by a
// line of dashes; with -ba only entries are printed, one block each.
func parseListing(out string) []string {
	var paths []string
	if i := strings.Index(out, "\n----------\n"); i >= 0 {
		out = out[i+len("\n----------\n"):]
	}
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := strings.TrimRight(sc.Text(), "\r")
		if p, ok := strings.CutPrefix(line, "Path = "); ok && p != "" {
			paths = append(paths, p)
		}
	}
	return paths
}
