//go:build linux

package targets_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/creack/pty"

	"github.com/pyrelease/pyrelease/targets/internal/dev/testenv"
)

// terminal is mage running on a pseudo-terminal, as on a maintainer's
// laptop: what it shows, and a keyboard.
type terminal struct {
	ptm  *os.File
	cmd  *exec.Cmd
	mu   sync.Mutex
	seen bytes.Buffer
	done chan error
}

func startOnTerminal(t *testing.T, p *crashProject, env []string, args ...string) *terminal {
	t.Helper()
	cmd := exec.Command(p.bin, args...)
	cmd.Dir = p.dir
	cmd.Env = append(slices.Clone(p.env), env...)
	ptm, err := pty.Start(cmd)
	if err != nil {
		t.Fatalf("starting mage on a pseudo-terminal: %v", err)
	}
	term := &terminal{ptm: ptm, cmd: cmd, done: make(chan error, 1)}
	copied := make(chan struct{})
	go func() {
		buf := make([]byte, 4096)
		for {
			n, err := ptm.Read(buf)
			term.mu.Lock()
			term.seen.Write(buf[:n])
			term.mu.Unlock()
			if err != nil {
				close(copied)
				return
			}
		}
	}()
	go func() {
		err := cmd.Wait()
		// What mage printed last is still in the terminal's buffer.
		select {
		case <-copied:
		case <-time.After(2 * time.Second):
		}
		term.done <- err
	}()
	t.Cleanup(func() {
		cmd.Process.Kill()
		ptm.Close()
	})
	return term
}

func (term *terminal) screen() string {
	term.mu.Lock()
	defer term.mu.Unlock()
	return term.seen.String()
}

// waitFor waits until the terminal shows want.
func (term *terminal) waitFor(t *testing.T, want string) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for !strings.Contains(term.screen(), want) {
		if time.Now().After(deadline) {
			t.Fatalf("the terminal did not show %q; it shows:\n%s", want, term.screen())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (term *terminal) typeLine(t *testing.T, s string) {
	t.Helper()
	if _, err := io.WriteString(term.ptm, s+"\n"); err != nil {
		t.Fatal(err)
	}
}

func (term *terminal) wait(t *testing.T) error {
	t.Helper()
	select {
	case err := <-term.done:
		return err
	case <-time.After(3 * time.Minute):
		t.Fatalf("mage did not finish; the terminal shows:\n%s", term.screen())
		return nil
	}
}

// TestReleaseAsksOnATerminal runs mage release on a pseudo-terminal with
// no credentials configured: it asks for the user name and the token
// (not echoed), uploads to a real index (Gitea) and verifies. With
// -noprompt, or in CI, it asks nothing and fails saying what to set.
func TestReleaseAsksOnATerminal(t *testing.T) {
	bin := compileExample(t)
	p := newCrashProject(t, bin)
	p.mage(t, nil, "wheel")
	gitea := testenv.StartGitea(t)
	u := gitea.User("asked")
	env := []string{"PYRELEASE_STORE=" + filepath.Join(p.work, "no-store"), "PYRELEASE_REPOSITORY=" + u.UploadURL, "PYRELEASE_VERIFY_TIMEOUT=60"}

	t.Run("noprompt", func(t *testing.T) {
		term := startOnTerminal(t, p, env, "release", "-noprompt")
		err := term.wait(t)
		var exit *exec.ExitError
		if !errors.As(err, &exit) {
			t.Fatalf("release -noprompt: %v, want a failure; the terminal shows:\n%s", err, term.screen())
		}
		if s := term.screen(); strings.Contains(s, "Username") || !strings.Contains(s, "no credentials for") {
			t.Fatalf("release -noprompt asked, or did not say what to set:\n%s", s)
		}
	})
	t.Run("in CI", func(t *testing.T) {
		term := startOnTerminal(t, p, append(slices.Clone(env), "CI=true"), "release")
		if err := term.wait(t); err == nil || strings.Contains(term.screen(), "Username") {
			t.Fatalf("release in CI asked for credentials, or succeeded (%v):\n%s", err, term.screen())
		}
	})
	t.Run("asks", func(t *testing.T) {
		term := startOnTerminal(t, p, env, "release")
		term.waitFor(t, "Username [__token__]: ")
		term.typeLine(t, u.Name)
		term.waitFor(t, "Password (not shown): ")
		term.typeLine(t, u.Token)
		if err := term.wait(t); err != nil {
			t.Fatalf("release: %v; the terminal shows:\n%s", err, term.screen())
		}
		s := term.screen()
		for _, want := range []string{"greet-0.1.0-py3-none-any.whl uploaded", "greet-0.1.0.tar.gz uploaded", "serves greet 0.1.0: 2 files, every sha256 checked"} {
			if !strings.Contains(s, want) {
				t.Errorf("the terminal does not show %q", want)
			}
		}
		if strings.Contains(s, u.Token) {
			t.Errorf("the token shows on the terminal")
		}
		// What the README shows of it, line by line, in order.
		want, err := readmePrompt(filepath.Join("..", "README.md"))
		if err != nil {
			t.Fatal(err)
		}
		screen := strings.Split(normalise(strings.ReplaceAll(s, "\r\n", "\n"), []string{u.UploadURL, "http://127.0.0.1:3000/api/packages/me/pypi", "Username [__token__]: " + u.Name, "Username [__token__]: me"}), "\n")
		for _, w := range want {
			re := regexp.MustCompile("^" + strings.ReplaceAll(regexp.QuoteMeta(normalise(w, nil)), "…", ".*") + "$")
			i := slices.IndexFunc(screen, func(l string) bool { return re.MatchString(strings.TrimRight(l, " ")) })
			if i < 0 {
				t.Errorf("README.md's release prompt shows %q; the terminal does not, after the lines before it", w)
				continue
			}
			screen = screen[i+1:]
		}
		if t.Failed() {
			t.Logf("the terminal shows:\n%s", s)
		}
		files, err := indexFiles(t.Context(), u)
		if err != nil || len(files) != 2 {
			t.Fatalf("the index lists %v (%v), want the wheel and the sdist", files, err)
		}
	})
}

// readmePrompt returns the lines of README.md's block marked
// <!-- release-prompt -->, after its first line (the command).
func readmePrompt(path string) ([]string, error) {
	blocks, err := readmeBlocks(path)
	if err != nil {
		return nil, err
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	lines := strings.Split(string(data), "\n")
	for _, b := range blocks {
		if b.line >= 2 && lines[b.line-2] == "<!-- release-prompt -->" {
			if len(b.lines) < 2 || b.lines[0] != "$ go tool mage release" {
				return nil, fmt.Errorf("%s:%d: the release prompt block must start with `$ go tool mage release` and show what follows", path, b.line)
			}
			return b.lines[1:], nil
		}
	}
	return nil, fmt.Errorf("%s: no block marked <!-- release-prompt -->", path)
}
