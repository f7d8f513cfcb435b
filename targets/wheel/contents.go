package wheel

import (
	"bufio"
	"bytes"
	"path"
	"slices"
	"strings"

	"github.com/pyrelease/pyrelease/targets/config"
)

// What a wheel provides once installed, read from the wheel itself: these
// are the facts of record for every target, whatever pyproject.toml,
// setup.cfg or setup.py said (a setup.py project declares its scripts in
// code no other tool can read).

// parseEntryPoints reads entry_points.txt: an INI file of groups, each
// mapping a name to "module:attr [extras]".
func parseEntryPoints(data []byte) map[string]map[string]string {
	groups := map[string]map[string]string{}
	var cur map[string]string
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64<<10), maxMetaSize)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "" || line[0] == '#' || line[0] == ';':
		case line[0] == '[' && strings.HasSuffix(line, "]"):
			name := strings.TrimSpace(line[1 : len(line)-1])
			if groups[name] == nil {
				groups[name] = map[string]string{}
			}
			cur = groups[name]
		case cur != nil:
			k, v, ok := strings.Cut(line, "=")
			if !ok {
				continue
			}
			if k = strings.TrimSpace(k); k != "" {
				cur[k] = strings.TrimSpace(v)
			}
		}
	}
	return groups
}

// topLevelNames are the importable names at a wheel's root: packages
// (directories holding Python files, namespace packages included), modules
// and extension modules. dist-info and .data directories are not imports.
func topLevelNames(members []string) []string {
	seen := map[string]bool{}
	for _, m := range members {
		top, rest, nested := strings.Cut(m, "/")
		if strings.HasSuffix(top, ".dist-info") || strings.HasSuffix(top, ".data") || top == "" {
			continue
		}
		var name string
		switch {
		case nested && isPythonFile(path.Base(rest)):
			name = top
		case !nested && strings.HasSuffix(top, ".py"):
			name = strings.TrimSuffix(top, ".py")
		case !nested && (strings.HasSuffix(top, ".so") || strings.HasSuffix(top, ".pyd")):
			name, _, _ = strings.Cut(top, ".")
		}
		if name != "" && !strings.Contains(name, ".") && config.ValidModule(name) {
			seen[name] = true
		}
	}
	names := make([]string, 0, len(seen))
	for n := range seen {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

func isPythonFile(base string) bool {
	return strings.HasSuffix(base, ".py") || strings.HasSuffix(base, ".so") || strings.HasSuffix(base, ".pyd")
}
