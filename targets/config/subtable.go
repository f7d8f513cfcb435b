package config

import (
	"errors"
	"slices"
	"strconv"
	"strings"
)

// subTable is a [tool.pyrelease.NAME] table with its own decoder: the keys
// it documents and the setter of each. Decoding the file and applying the
// environment go through the same setters, so both check alike.
type subTable[T any] struct {
	name string // "tool.pyrelease.snapshot"
	keys []Key
	set  map[string]func(*T, any) error
	// intWant says, for each integer key, what a variable whose text is not
	// an integer should have held.
	intWant map[string]string
	// bools are the boolean keys, whose variables take true/false/1/0/yes/no.
	bools []string
}

// decode sets dst from the table as written in file; an unknown key is an
// error suggesting the closest known one.
func (st subTable[T]) decode(file string, raw any, dst *T) error {
	table, _ := raw.(map[string]any)
	for _, key := range sortedKeys(table) {
		setter, ok := st.set[key]
		if !ok {
			return unknownKey(file, "["+st.name+"]", key, st.keyNames())
		}
		if err := setter(dst, table[key]); err != nil {
			switch e := err.(type) {
			case *ValueError:
				e.File, e.Table = file, st.name
			case *UnknownKeyError:
				e.File = file
			}
			return err
		}
	}
	return nil
}

// applyEnv lets the keys' PYRELEASE_* variables override the file. As in
// applyEnv, an empty variable counts as unset; errors name the variable.
func (st subTable[T]) applyEnv(getenv func(string) string, dst *T) error {
	for _, k := range st.keys {
		if k.Env == "" {
			continue
		}
		raw := strings.TrimSpace(getenv(k.Env))
		if raw == "" {
			continue
		}
		var v any = raw
		if slices.Contains(st.bools, k.Name) {
			b, ok := parseBool(raw)
			if !ok {
				return &ValueError{Env: k.Env, Want: "true, false, 1, 0, yes or no", Got: quoteShort(raw), Err: ErrInvalid}
			}
			v = b
		} else if want, isInt := st.intWant[k.Name]; isInt {
			n, err := strconv.ParseInt(raw, 10, 64)
			if err != nil {
				return &ValueError{Env: k.Env, Want: want, Got: quoteShort(raw), Err: ErrInvalid}
			}
			v = n
		}
		if err := st.set[k.Name](dst, v); err != nil {
			var e *ValueError
			if errors.As(err, &e) {
				e.Env, e.Key = k.Env, ""
			}
			return err
		}
	}
	return nil
}

func (st subTable[T]) keyNames() []string {
	names := make([]string, len(st.keys))
	for i, k := range st.keys {
		names[i] = k.Name
	}
	return names
}
