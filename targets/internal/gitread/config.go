package gitread

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// Config holds the variables of the config files git reads, merged the
// way git merges them: later files and later lines win. Keys are
// "section.name" or "section.subsection.name" with the section and name
// lowercased (a subsection keeps its case).
type Config struct {
	vals map[string][]*string // in file order; nil: the key was given without '='
	env  Env
}

// Get returns the last value of key ("section.name" or
// "section.subsection.name", section and name lowercased); bare is true
// for a key given without "=", ok false when the key is not set.
func (c *Config) Get(key string) (string, bool, bool) {
	vs, ok := c.vals[key]
	if !ok {
		return "", false, false
	}
	v := vs[len(vs)-1]
	if v == nil {
		return "", true, true
	}
	return *v, false, true
}

// GetAll returns every value of a multi-valued key in the order git
// reads them; a key given without "=" counts as "".
func (c *Config) GetAll(key string) []string {
	var out []string
	for _, v := range c.vals[key] {
		if v == nil {
			out = append(out, "")
		} else {
			out = append(out, *v)
		}
	}
	return out
}

// Path returns a pathname variable as git_config_pathname does: a leading
// "~/" (or a lone "~") is the user's home directory.
func (c *Config) Path(key string) (string, bool) {
	v, _, ok := c.Get(key)
	if !ok {
		return "", false
	}
	if v == "~" {
		return c.env.home(), true
	}
	if rest, found := strings.CutPrefix(v, "~/"); found {
		return filepath.Join(c.env.home(), rest), true
	}
	return v, true
}

// Subsections lists the subsections of section that set any variable,
// sorted: the remotes for "remote", say.
func (c *Config) Subsections(section string) []string {
	seen := map[string]bool{}
	var out []string
	for k := range c.vals {
		rest, ok := strings.CutPrefix(k, section+".")
		if !ok {
			continue
		}
		i := strings.LastIndexByte(rest, '.')
		if i < 0 || seen[rest[:i]] {
			continue
		}
		seen[rest[:i]] = true
		out = append(out, rest[:i])
	}
	slices.Sort(out)
	return out
}

// Boolean reads a git boolean: true/yes/on/false/no/off, integers, and a
// bare key meaning true.
func (c *Config) Boolean(key string, def bool) (bool, error) {
	v, bare, ok := c.Get(key)
	if !ok {
		return def, nil
	}
	if bare {
		return true, nil
	}
	if b, ok := ParseBool(v); ok {
		return b, nil
	}
	n, err := parseConfigInt(v)
	if err != nil {
		return def, fmt.Errorf("config %s = %q: expected a boolean", key, v)
	}
	return n != 0, nil
}

// ParseBool is git_parse_maybe_bool_text: ok is false when v is not a
// boolean word; the empty string is false.
func ParseBool(v string) (bool, bool) {
	switch strings.ToLower(v) {
	case "true", "yes", "on":
		return true, true
	case "false", "no", "off", "":
		return false, true
	}
	return false, false
}

// Env looks up an environment variable as os.LookupEnv does: ok is false
// when it is not set.
type Env func(name string) (value string, ok bool)

func (e Env) lookup(name string) (string, bool) {
	if e == nil {
		return os.LookupEnv(name)
	}
	return e(name)
}

// home is the user's home directory: HOME from env, or the process's.
func (e Env) home() string {
	if e == nil {
		h, _ := os.UserHomeDir()
		return h
	}
	h, _ := e("HOME")
	return h
}

// bool reads a boolean environment variable as git_env_bool does.
func (e Env) bool(name string) bool {
	v, ok := e.lookup(name)
	if !ok {
		return false
	}
	if b, ok := ParseBool(v); ok {
		return b
	}
	n, err := parseConfigInt(v)
	return err == nil && n != 0
}

// envBool reads a boolean variable of the process's environment.
func envBool(name string) bool { return Env(nil).bool(name) }

// parseConfigInt accepts git's k/m/g unit suffixes.
func parseConfigInt(v string) (int64, error) {
	v = strings.TrimSpace(v)
	mul := int64(1)
	if n := len(v); n > 0 {
		switch v[n-1] {
		case 'k', 'K':
			mul, v = 1<<10, v[:n-1]
		case 'm', 'M':
			mul, v = 1<<20, v[:n-1]
		case 'g', 'G':
			mul, v = 1<<30, v[:n-1]
		}
	}
	n, err := strconv.ParseInt(v, 0, 64)
	if err != nil {
		return 0, err
	}
	return n * mul, nil
}

// abbrev returns core.abbrev as describe uses it: -1 for auto (the
// default), HexLen for "no abbreviation", else the configured length.
func (c *Config) abbrev() (int, error) {
	v, bare, ok := c.Get("core.abbrev")
	if !ok {
		return -1, nil
	}
	if bare {
		return 0, errors.New("config core.abbrev has no value; expected auto, false or a number from 4 to 40")
	}
	if strings.EqualFold(v, "auto") {
		return -1, nil
	}
	if b, ok := ParseBool(v); ok && !b {
		return HexLen, nil
	}
	n, err := parseConfigInt(v)
	if err != nil || n < 4 || n > HexLen {
		return 0, fmt.Errorf("config core.abbrev = %q: expected auto, false or a number from 4 to 40", v)
	}
	return int(n), nil
}

// loadConfig reads system, global, repository and worktree config in git's
// order. GIT_CONFIG_NOSYSTEM, GIT_CONFIG_SYSTEM and GIT_CONFIG_GLOBAL are
// honoured so that a caller (or a test) can pin the configuration exactly
// as it would for git.
func loadConfig(commonDir, gitDir string, env Env) (*Config, error) {
	c := &Config{vals: map[string][]*string{}, env: env}
	var files []string
	if !env.bool("GIT_CONFIG_NOSYSTEM") {
		if p, _ := env.lookup("GIT_CONFIG_SYSTEM"); p != "" {
			files = append(files, p)
		} else {
			files = append(files, "/etc/gitconfig")
		}
	}
	if p, ok := env.lookup("GIT_CONFIG_GLOBAL"); ok {
		if p != "" {
			files = append(files, p)
		}
	} else {
		home := env.home()
		xdg, _ := env.lookup("XDG_CONFIG_HOME")
		if xdg == "" && home != "" {
			xdg = filepath.Join(home, ".config")
		}
		if xdg != "" {
			files = append(files, filepath.Join(xdg, "git", "config"))
		}
		if home != "" {
			files = append(files, filepath.Join(home, ".gitconfig"))
		}
	}
	for _, f := range files {
		if err := c.readFile(f, 0, false); err != nil {
			return nil, err
		}
	}
	if err := c.readFile(filepath.Join(commonDir, "config"), 0, true); err != nil {
		return nil, err
	}
	if wt, _ := c.Boolean("extensions.worktreeconfig", false); wt {
		if err := c.readFile(filepath.Join(gitDir, "config.worktree"), 0, true); err != nil {
			return nil, err
		}
	}
	return c, nil
}

func (c *Config) readFile(path string, depth int, repoLocal bool) error {
	if depth > 10 {
		return &FileError{Path: path, Reason: "include nesting deeper than 10", Err: ErrCorrupt}
	}
	data, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) || errors.Is(err, fs.ErrPermission) || errors.Is(err, syscallEISDIR) {
			return nil
		}
		return &FileError{Path: path, Reason: "cannot read config", Err: err}
	}
	return parseConfig(data, func(key string, val *string) error {
		if key == "include.path" && val != nil {
			inc := *val
			if strings.HasPrefix(inc, "~/") {
				inc = filepath.Join(c.env.home(), inc[2:])
			} else if !filepath.IsAbs(inc) {
				inc = filepath.Join(filepath.Dir(path), inc)
			}
			return c.readFile(inc, depth+1, repoLocal)
		}
		c.vals[key] = append(c.vals[key], val)
		return nil
	}, path)
}

// parseConfig is a git config file tokenizer. It calls fn for every
// variable with its canonical key and unquoted value (nil for a bare key).
func parseConfig(data []byte, fn func(key string, val *string) error, path string) error {
	p := &cfgParser{data: data, path: path}
	if len(data) >= 3 && data[0] == 0xef && data[1] == 0xbb && data[2] == 0xbf {
		p.pos = 3
	}
	section := ""
	for {
		c, ok := p.next()
		if !ok {
			return nil
		}
		switch {
		case c == '\n' || c == ' ' || c == '\t' || c == '\r':
			continue
		case c == '#' || c == ';':
			p.skipLine()
		case c == '[':
			s, err := p.section()
			if err != nil {
				return err
			}
			section = s
		case isAlpha(c):
			if section == "" {
				return p.errf("variable outside any section")
			}
			name, val, err := p.variable(c)
			if err != nil {
				return err
			}
			if err := fn(section+"."+name, val); err != nil {
				return err
			}
		default:
			return p.errf("unexpected character %q", c)
		}
	}
}

type cfgParser struct {
	data []byte
	pos  int
	line int
	path string
}

func (p *cfgParser) errf(format string, args ...any) error {
	return &FileError{Path: p.path, Reason: fmt.Sprintf("line %d: ", p.line+1) + fmt.Sprintf(format, args...), Err: ErrCorrupt}
}

func (p *cfgParser) next() (byte, bool) {
	if p.pos >= len(p.data) {
		return 0, false
	}
	c := p.data[p.pos]
	p.pos++
	if c == '\n' {
		p.line++
	}
	return c, true
}

func (p *cfgParser) skipLine() {
	for {
		c, ok := p.next()
		if !ok || c == '\n' {
			return
		}
	}
}

func isAlpha(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

func isKeyChar(c byte) bool { return isAlpha(c) || c >= '0' && c <= '9' || c == '-' }

func lower(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

func (p *cfgParser) section() (string, error) {
	var b strings.Builder
	for {
		c, ok := p.next()
		if !ok || c == '\n' {
			return "", p.errf("unterminated section header")
		}
		switch {
		case c == ']':
			if b.Len() == 0 {
				return "", p.errf("empty section name")
			}
			return b.String(), nil
		case c == ' ' || c == '\t':
			sub, err := p.subsection()
			if err != nil {
				return "", err
			}
			return b.String() + "." + sub, nil
		case isKeyChar(c) || c == '.':
			b.WriteByte(lower(c))
		default:
			return "", p.errf("invalid character %q in section name", c)
		}
	}
}

func (p *cfgParser) subsection() (string, error) {
	c, ok := p.next()
	for ok && (c == ' ' || c == '\t') {
		c, ok = p.next()
	}
	if !ok || c != '"' {
		return "", p.errf("expected a quoted subsection name")
	}
	var b strings.Builder
	for {
		c, ok = p.next()
		if !ok || c == '\n' {
			return "", p.errf("unterminated subsection name")
		}
		if c == '"' {
			break
		}
		if c == '\\' {
			c, ok = p.next()
			if !ok || c == '\n' {
				return "", p.errf("unterminated subsection name")
			}
		}
		b.WriteByte(c)
	}
	if c, ok = p.next(); !ok || c != ']' {
		return "", p.errf("expected ] after subsection name")
	}
	return b.String(), nil
}

func (p *cfgParser) variable(first byte) (string, *string, error) {
	name := []byte{lower(first)}
	var c byte
	ok := true
	for {
		c, ok = p.next()
		if !ok || !isKeyChar(c) {
			break
		}
		name = append(name, lower(c))
	}
	for ok && (c == ' ' || c == '\t' || c == '\r') {
		c, ok = p.next()
	}
	if !ok || c == '\n' {
		return string(name), nil, nil
	}
	if c == '#' || c == ';' {
		p.skipLine()
		return string(name), nil, nil
	}
	if c != '=' {
		return "", nil, p.errf("expected = after variable %s", name)
	}
	v, err := p.value()
	if err != nil {
		return "", nil, err
	}
	return string(name), &v, nil
}

func (p *cfgParser) value() (string, error) {
	var b []byte
	quoted := false
	pendingSpace := 0 // whitespace seen outside quotes, kept only if more follows
	started := false
	for {
		c, ok := p.next()
		if !ok || c == '\n' {
			if quoted {
				return "", p.errf("unterminated quoted value")
			}
			return string(b[:len(b)-pendingSpace]), nil
		}
		if !quoted && (c == ' ' || c == '\t' || c == '\r') {
			if started {
				pendingSpace++
				b = append(b, c)
			}
			continue
		}
		if !quoted && (c == '#' || c == ';') {
			p.skipLine()
			return string(b[:len(b)-pendingSpace]), nil
		}
		pendingSpace = 0
		started = true
		switch c {
		case '"':
			quoted = !quoted
		case '\\':
			e, ok := p.next()
			if !ok {
				return "", p.errf("backslash at end of file")
			}
			switch e {
			case '\n':
				// Line continuation.
			case '\r':
				if n, ok := p.next(); !ok || n != '\n' {
					return "", p.errf("bad escape sequence")
				}
			case 'n':
				b = append(b, '\n')
			case 't':
				b = append(b, '\t')
			case 'b':
				if len(b) > 0 {
					b = b[:len(b)-1]
				}
			case '\\', '"':
				b = append(b, e)
			default:
				return "", p.errf("bad escape sequence \\%c", e)
			}
		default:
			b = append(b, c)
		}
	}
}
