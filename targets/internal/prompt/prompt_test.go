//go:build linux || darwin

package prompt

import (
	"bufio"
	"context"
	"errors"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/creack/pty"
	"golang.org/x/term"
)

// openPTY returns a pseudo-terminal: the terminal end the prompt reads
// from, and the end a person types into and reads the screen from.
func openPTY(t *testing.T) (tty, ptm *os.File) {
	t.Helper()
	ptm, tty, err := pty.Open()
	if err != nil {
		t.Skipf("no pseudo-terminal: %v", err)
	}
	t.Cleanup(func() { ptm.Close(); tty.Close() })
	return tty, ptm
}

// screen collects what the terminal shows.
type screen struct {
	lines chan string
	all   strings.Builder
}

func watch(ptm *os.File) *screen {
	s := &screen{lines: make(chan string, 100)}
	go func() {
		r := bufio.NewReader(ptm)
		var cur strings.Builder
		for {
			b, err := r.ReadByte()
			if err != nil {
				close(s.lines)
				return
			}
			cur.WriteByte(b)
			if b == '\n' || b == ' ' {
				s.lines <- cur.String()
				cur.Reset()
			}
		}
	}()
	return s
}

// waitFor reads the screen until want shows.
func (s *screen) waitFor(t *testing.T, want string) {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for !strings.Contains(s.all.String(), want) {
		select {
		case l, ok := <-s.lines:
			if !ok {
				t.Fatalf("the terminal closed before %q showed; it shows %q", want, s.all.String())
			}
			s.all.WriteString(l)
		case <-deadline:
			t.Fatalf("%q did not show; the terminal shows %q", want, s.all.String())
		}
	}
}

func TestCredentialsOnATerminal(t *testing.T) {
	tests := map[string]struct{ user, typed, wantUser string }{
		"default user": {typed: "\n", wantUser: "__token__"},
		"named user":   {typed: "alice\n", wantUser: "alice"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			tty, ptm := openPTY(t)
			scr := watch(ptm)
			type result struct {
				user, password string
				err            error
			}
			done := make(chan result, 1)
			go func() {
				u, p, err := Credentials(context.Background(), Options{In: tty, Out: tty, For: "the index http://127.0.0.1:1/legacy/", DefaultUser: "__token__"})
				done <- result{u, p, err}
			}()
			scr.waitFor(t, "Username [__token__]: ")
			io.WriteString(ptm, tc.typed)
			scr.waitFor(t, "Password (not shown): ")
			io.WriteString(ptm, "pypi-s3cr3t-token\n")
			r := <-done
			if r.err != nil || r.user != tc.wantUser || r.password != "pypi-s3cr3t-token" {
				t.Fatalf("Credentials = %q, %q, %v; want %q and the token", r.user, r.password, r.err, tc.wantUser)
			}
			// Give the terminal a moment to show anything it would echo.
			io.WriteString(ptm, "\n")
			scr.waitFor(t, "\r\n\r\n")
			if strings.Contains(scr.all.String(), "s3cr3t") {
				t.Fatalf("the password was echoed: %q", scr.all.String())
			}
			if st, err := term.GetState(int(tty.Fd())); err != nil || st == nil {
				t.Fatalf("terminal state: %v", err)
			}
		})
	}
}

func TestCredentialsCancelledRestoresEcho(t *testing.T) {
	tty, ptm := openPTY(t)
	scr := watch(ptm)
	before, err := term.GetState(int(tty.Fd()))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, _, err := Credentials(ctx, Options{In: tty, Out: tty, DefaultUser: "__token__"})
		done <- err
	}()
	scr.waitFor(t, "Username [__token__]: ")
	io.WriteString(ptm, "bob\n")
	scr.waitFor(t, "Password (not shown): ")
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	// Echo is on again: what is typed now shows.
	io.WriteString(ptm, "visible\n")
	scr.waitFor(t, "visible")
	after, _ := term.GetState(int(tty.Fd()))
	if after == nil || before == nil {
		t.Fatal("no terminal state")
	}
}

func TestCredentialsEmptyPassword(t *testing.T) {
	tty, ptm := openPTY(t)
	scr := watch(ptm)
	done := make(chan error, 1)
	go func() {
		_, _, err := Credentials(context.Background(), Options{In: tty, Out: tty})
		done <- err
	}()
	scr.waitFor(t, "Username: ")
	io.WriteString(ptm, "carol\n")
	scr.waitFor(t, "Password (not shown): ")
	io.WriteString(ptm, "\n")
	if err := <-done; !errors.Is(err, ErrEmpty) {
		t.Fatalf("err = %v, want ErrEmpty", err)
	}
}

func TestCredentialsRefusesAPipe(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	if IsTerminal(r) {
		t.Fatal("a pipe is not a terminal")
	}
	if _, _, err := Credentials(context.Background(), Options{In: r, Out: io.Discard}); !errors.Is(err, ErrNotTerminal) {
		t.Fatalf("err = %v, want ErrNotTerminal", err)
	}
}
