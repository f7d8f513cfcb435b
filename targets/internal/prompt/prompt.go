// Package prompt asks a person at a terminal for credentials: a user name
// with a default, and a password or token read without echo. The caller
// decides whether asking is allowed (never in CI, never with -noprompt);
// this package only refuses when the input is not a terminal.
package prompt

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/term"
)

// ErrNotTerminal is returned when the input is not a terminal: there is
// nobody to ask.
var ErrNotTerminal = errors.New("prompt: the input is not a terminal")

// ErrEmpty is returned when no password was typed.
var ErrEmpty = errors.New("prompt: no password given")

// maxLine bounds an answer: a paste of something else must not grow
// without end.
const maxLine = 4 << 10

// Options says whom to ask and what for.
type Options struct {
	In          *os.File  // the terminal; os.Stdin when nil
	Out         io.Writer // where the questions go; os.Stderr when nil
	For         string    // what the credentials are for, as "the index http://…"
	DefaultUser string    // offered in brackets and taken on an empty answer
}

// IsTerminal reports whether f (os.Stdin when nil) is a terminal.
func IsTerminal(f *os.File) bool {
	if f == nil {
		f = os.Stdin
	}
	return term.IsTerminal(int(f.Fd()))
}

// Credentials asks for a user name and a password. The password is read
// with echo off; the terminal is put back as it was when the answer
// comes, and when ctx ends first (Ctrl-C), so a cancelled prompt never
// leaves a terminal that does not echo.
func Credentials(ctx context.Context, o Options) (user, password string, err error) {
	in, out := o.In, o.Out
	if in == nil {
		in = os.Stdin
	}
	if out == nil {
		out = os.Stderr
	}
	fd := int(in.Fd())
	if !term.IsTerminal(fd) {
		return "", "", ErrNotTerminal
	}
	if o.For != "" {
		fmt.Fprintf(out, "Credentials for %s\n", o.For)
	}
	q := "Username: "
	if o.DefaultUser != "" {
		q = fmt.Sprintf("Username [%s]: ", o.DefaultUser)
	}
	fmt.Fprint(out, q)
	user, err = await(ctx, fd, func() (string, error) { return readLine(in) })
	if err != nil {
		return "", "", err
	}
	if user = strings.TrimSpace(user); user == "" {
		user = o.DefaultUser
	}
	if restore, eerr := echoOff(fd); eerr == nil {
		fmt.Fprint(out, "Password (not shown): ")
		password, err = await(ctx, fd, func() (string, error) { return readLine(in) })
		restore()
	} else {
		fmt.Fprint(out, "Password (not shown): ")
		password, err = await(ctx, fd, func() (string, error) {
			b, err := term.ReadPassword(fd)
			return string(b), err
		})
	}
	fmt.Fprintln(out)
	if err != nil {
		return "", "", err
	}
	if password = strings.TrimSpace(password); password == "" {
		return "", "", ErrEmpty
	}
	return user, password, nil
}

// await runs read, and gives up when ctx ends, restoring the terminal's
// state as it was before read started.
func await(ctx context.Context, fd int, read func() (string, error)) (string, error) {
	state, err := term.GetState(fd)
	if err != nil {
		return "", fmt.Errorf("prompt: %w", err)
	}
	type answer struct {
		s   string
		err error
	}
	done := make(chan answer, 1)
	go func() {
		s, err := read()
		done <- answer{s, err}
	}()
	select {
	case a := <-done:
		if a.err != nil {
			return "", fmt.Errorf("prompt: reading the answer: %w", a.err)
		}
		return a.s, nil
	case <-ctx.Done():
		term.Restore(fd, state)
		return "", context.Cause(ctx)
	}
}

// readLine reads up to a newline one byte at a time, so nothing typed
// after it is taken from the password read that follows.
func readLine(f *os.File) (string, error) {
	var b strings.Builder
	buf := make([]byte, 1)
	for b.Len() < maxLine {
		n, err := f.Read(buf)
		if n == 1 {
			if buf[0] == '\n' || buf[0] == '\r' {
				return b.String(), nil
			}
			b.WriteByte(buf[0])
		}
		if err == io.EOF {
			return b.String(), nil
		}
		if err != nil {
			return "", err
		}
	}
	return "", fmt.Errorf("an answer longer than %d bytes", maxLine)
}
