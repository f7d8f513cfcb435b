package pyenv

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
)

// UV is how `uv pip install` is told what the user's pip settings say:
// options for its command line and variables for its environment. uv
// reads no pip configuration of its own accord.
type UV struct {
	Args []string // --index-url, --extra-index-url, --find-links, --no-index, ...
	Env  []string // SSL_CERT_FILE, UV_HTTP_TIMEOUT
}

// pipIgnored are PIP_* settings that change nothing of what an install
// into a fresh venv gets (break-system-packages is in many a Debian
// pip.conf; where pip keeps its cache is pip's own business).
var pipIgnored = []string{"DISABLE_PIP_VERSION_CHECK", "NO_INPUT", "PROGRESS_BAR", "ROOT_USER_ACTION", "NO_COLOR", "QUIET", "VERBOSE", "NO_WARN_SCRIPT_LOCATION",
	"BREAK_SYSTEM_PACKAGES", "CACHE_DIR"}

// uvSettings translates PIP_* variables (UVSettings merges the pip
// configuration files into them first) into uv's. A setting with no faithful uv equivalent is
// an error naming it: installing with uv would then install something
// else than pip would.
func uvSettings(env []string) (UV, error) {
	var uv UV
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		name, ok := strings.CutPrefix(strings.ToUpper(k), "PIP_")
		if !ok || slices.Contains(pipIgnored, name) {
			continue
		}
		switch name {
		case "CONFIG_FILE":
			if v != os.DevNull && v != "" {
				return UV{}, fmt.Errorf("PIP_CONFIG_FILE=%s is a pip configuration file, which uv does not read", v)
			}
		case "INDEX_URL":
			uv.Args = append(uv.Args, "--index-url", v)
		case "EXTRA_INDEX_URL":
			for _, u := range strings.Fields(v) {
				uv.Args = append(uv.Args, "--extra-index-url", u)
			}
		case "FIND_LINKS":
			for _, d := range strings.Fields(v) {
				uv.Args = append(uv.Args, "--find-links", d)
			}
		case "NO_INDEX":
			if truthy(v) {
				uv.Args = append(uv.Args, "--no-index")
			}
		case "NO_CACHE_DIR":
			if truthy(v) {
				uv.Args = append(uv.Args, "--no-cache")
			}
		case "TRUSTED_HOST":
			for _, h := range strings.Fields(v) {
				uv.Args = append(uv.Args, "--allow-insecure-host", h)
			}
		case "CERT":
			uv.Env = append(uv.Env, "SSL_CERT_FILE="+v)
		case "DEFAULT_TIMEOUT", "TIMEOUT":
			uv.Env = append(uv.Env, "UV_HTTP_TIMEOUT="+v)
		default:
			return UV{}, fmt.Errorf("PIP_%s is set, and uv has no equivalent of it here", name)
		}
	}
	return uv, nil
}

// truthy is pip's reading of a boolean variable.
func truthy(v string) bool {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "1", "true", "yes", "on", "y":
		return true
	}
	return false
}

// pipConfigFiles returns the pip configuration files that exist where pip
// looks for them on this system (site-wide, per user, and the active
// venv's), unless PIP_CONFIG_FILE names the null device, which turns them
// all off. PIP_CONFIG_FILE naming a file is uvSettings' concern.
func pipConfigFiles(env []string) []string {
	get := func(name string) string {
		for i := len(env) - 1; i >= 0; i-- {
			if k, v, ok := strings.Cut(env[i], "="); ok && k == name {
				return v
			}
		}
		return ""
	}
	if get("PIP_CONFIG_FILE") == os.DevNull {
		return nil
	}
	var candidates []string
	home := get("HOME")
	switch runtime.GOOS {
	case "windows":
		if pd := get("ProgramData"); pd != "" {
			candidates = append(candidates, filepath.Join(pd, "pip", "pip.ini"))
		}
		if ad := get("APPDATA"); ad != "" {
			candidates = append(candidates, filepath.Join(ad, "pip", "pip.ini"))
		}
		if home != "" {
			candidates = append(candidates, filepath.Join(home, "pip", "pip.ini"))
		}
	default:
		dirs := get("XDG_CONFIG_DIRS")
		if dirs == "" {
			dirs = "/etc/xdg"
		}
		for _, d := range filepath.SplitList(dirs) {
			candidates = append(candidates, filepath.Join(d, "pip", "pip.conf"))
		}
		candidates = append(candidates, "/etc/pip.conf")
		if home != "" {
			candidates = append(candidates, filepath.Join(home, ".pip", "pip.conf"))
			if runtime.GOOS == "darwin" {
				candidates = append(candidates, filepath.Join(home, "Library", "Application Support", "pip", "pip.conf"))
			}
		}
		if xdg := get("XDG_CONFIG_HOME"); xdg != "" {
			candidates = append(candidates, filepath.Join(xdg, "pip", "pip.conf"))
		} else if home != "" {
			candidates = append(candidates, filepath.Join(home, ".config", "pip", "pip.conf"))
		}
	}
	if venv := get("VIRTUAL_ENV"); venv != "" {
		name := "pip.conf"
		if runtime.GOOS == "windows" {
			name = "pip.ini"
		}
		candidates = append(candidates, filepath.Join(venv, name))
	}
	var found []string
	for _, c := range candidates {
		if fi, err := os.Stat(c); err == nil && fi.Mode().IsRegular() && !slices.Contains(found, c) {
			found = append(found, c)
		}
	}
	return found
}

// UVSettings is uvSettings of everything pip would go by: the pip
// configuration files (pipConfigFiles, then the one PIP_CONFIG_FILE
// names), their [global] section and then [install], overridden by the
// PIP_* variables of env, as pip orders them. A key of those sections
// with no uv equivalent is an error, as a variable is.
func UVSettings(env []string) (UV, error) {
	files := pipConfigFiles(env)
	var named string
	for _, kv := range env {
		if k, v, ok := strings.Cut(kv, "="); ok && strings.EqualFold(k, "PIP_CONFIG_FILE") {
			named = v
		}
	}
	if named != "" && named != os.DevNull {
		files = append(files, named)
	}
	var order []string
	values := map[string]string{}
	set := func(name, v string) {
		if _, ok := values[name]; !ok {
			order = append(order, name)
		}
		values[name] = v
	}
	for _, f := range files {
		settings, err := readPipConfig(f)
		if err != nil {
			return UV{}, err
		}
		for _, s := range settings {
			set(s[0], s[1])
		}
	}
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		if name, ok := strings.CutPrefix(strings.ToUpper(k), "PIP_"); ok && name != "CONFIG_FILE" {
			set(name, v)
		}
	}
	merged := make([]string, 0, len(order))
	for _, name := range order {
		merged = append(merged, "PIP_"+name+"="+values[name])
	}
	uv, err := uvSettings(merged)
	if err != nil && len(files) > 0 {
		return UV{}, fmt.Errorf("%w (pip reads %s too)", err, strings.Join(files, ", "))
	}
	return uv, err
}

// readPipConfig returns the settings of a pip configuration file that an
// install goes by, [global] first and [install] after it, as
// (NAME, value) pairs with pip's variable names (index-url is INDEX_URL).
// A value continued on indented lines is joined with spaces.
func readPipConfig(path string) ([][2]string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("pip configuration: %w", err)
	}
	sections := map[string][][2]string{}
	section, last := "", -1
	for i, line := range strings.Split(strings.ReplaceAll(string(data), "\r\n", "\n"), "\n") {
		trimmed := strings.TrimSpace(line)
		switch {
		case trimmed == "" || trimmed[0] == '#' || trimmed[0] == ';':
			continue
		case line[0] == ' ' || line[0] == '\t':
			if last < 0 {
				return nil, fmt.Errorf("pip configuration %s:%d: a continued value with no key before it", path, i+1)
			}
			kv := &sections[section][last]
			kv[1] = strings.TrimSpace(kv[1] + " " + trimmed)
			continue
		case strings.HasPrefix(trimmed, "[") && strings.HasSuffix(trimmed, "]"):
			section, last = strings.ToLower(strings.TrimSpace(trimmed[1:len(trimmed)-1])), -1
			continue
		}
		k, v, ok := strings.Cut(trimmed, "=")
		if ck, cv, cok := strings.Cut(trimmed, ":"); cok && (!ok || len(ck) < len(k)) {
			k, v, ok = ck, cv, true
		}
		if !ok {
			return nil, fmt.Errorf("pip configuration %s:%d: expected key = value", path, i+1)
		}
		name := strings.ToUpper(strings.ReplaceAll(strings.TrimSpace(k), "-", "_"))
		sections[section] = append(sections[section], [2]string{name, strings.TrimSpace(v)})
		last = len(sections[section]) - 1
	}
	return append(sections["global"], sections["install"]...), nil
}
