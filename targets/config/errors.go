package config

import (
	"errors"
	"fmt"
	"strings"
)

// Sentinels for errors.Is; the typed errors below carry the details.
var (
	// ErrNoProject means the directory has no pyproject.toml: pyrelease only
	// works on a Python project directory.
	ErrNoProject = errors.New("no pyproject.toml (pyrelease runs in a Python project directory)")
	// ErrSyntax means pyproject.toml is not valid TOML.
	ErrSyntax = errors.New("malformed toml")
	// ErrUnknownKey means [tool.pyrelease] holds a key pyrelease does not know.
	ErrUnknownKey = errors.New("unknown key")
	// ErrType means a value has the wrong TOML type.
	ErrType = errors.New("wrong type")
	// ErrInvalid means a value has the right type but is not allowed.
	ErrInvalid = errors.New("invalid value")
)

// SyntaxError reports malformed TOML at a position, so editors and CI logs
// can jump to it (file:line:column).
type SyntaxError struct {
	File   string
	Line   int // 1-based; 0 when the parser did not say
	Column int // 1-based; 0 when the parser did not say
	Msg    string
}

func (e *SyntaxError) Error() string {
	switch {
	case e.Line > 0 && e.Column > 0:
		return fmt.Sprintf("config: %s:%d:%d: %s: %s", e.File, e.Line, e.Column, ErrSyntax, e.Msg)
	case e.Line > 0:
		return fmt.Sprintf("config: %s:%d: %s: %s", e.File, e.Line, ErrSyntax, e.Msg)
	}
	return fmt.Sprintf("config: %s: %s: %s", e.File, ErrSyntax, e.Msg)
}

// Unwrap lets errors.Is(err, ErrSyntax) work.
func (e *SyntaxError) Unwrap() error { return ErrSyntax }

// UnknownKeyError reports a key pyrelease does not know, with the closest
// valid key when there is one: most unknown keys are typos.
type UnknownKeyError struct {
	File       string
	In         string   // where the key was found, e.g. "[tool.pyrelease]"
	Key        string   // the unknown key as written
	Suggestion string   // closest valid key, "" when nothing is close
	Valid      []string // every key allowed there
}

func (e *UnknownKeyError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "config: %s: %s %q in %s", e.File, ErrUnknownKey, e.Key, e.In)
	if e.Suggestion != "" {
		fmt.Fprintf(&b, " (did you mean %q?)", e.Suggestion)
	}
	if len(e.Valid) > 0 {
		fmt.Fprintf(&b, "; valid keys: %s", strings.Join(e.Valid, ", "))
	}
	return b.String()
}

// Unwrap lets errors.Is(err, ErrUnknownKey) work.
func (e *UnknownKeyError) Unwrap() error { return ErrUnknownKey }

// ValueError reports a setting with the wrong type or a value that is not
// allowed. It names where the value came from, so the user knows whether to
// fix pyproject.toml or the CI job's environment.
type ValueError struct {
	File  string // pyproject.toml; "" when the value came from Env or from code
	Table string // TOML table holding Key, e.g. "tool.pyrelease"; "" for Env
	Key   string // key within Table, e.g. "version-file[0].pattern"
	Env   string // environment variable the value came from, if any
	Want  string // what was expected
	Got   string // what was found, already quoted; may be ""
	Err   error  // ErrType or ErrInvalid
	Cause error  // underlying error (a regexp syntax error, ...); may be nil
}

func (e *ValueError) Error() string {
	var b strings.Builder
	b.WriteString("config: ")
	switch {
	case e.Env != "":
		fmt.Fprintf(&b, "environment variable %s", e.Env)
	default:
		if e.File != "" {
			fmt.Fprintf(&b, "%s: ", e.File)
		}
		if e.Table != "" {
			fmt.Fprintf(&b, "[%s] ", e.Table)
		}
		b.WriteString(e.Key)
	}
	fmt.Fprintf(&b, ": expected %s", e.Want)
	if e.Got != "" {
		fmt.Fprintf(&b, ", got %s", e.Got)
	}
	if e.Cause != nil {
		fmt.Fprintf(&b, " (%v)", e.Cause)
	}
	return b.String()
}

// Unwrap exposes both the sentinel and the underlying cause.
func (e *ValueError) Unwrap() []error {
	errs := make([]error, 0, 2)
	if e.Err != nil {
		errs = append(errs, e.Err)
	}
	if e.Cause != nil {
		errs = append(errs, e.Cause)
	}
	return errs
}
