package targets

import (
	"os"

	"github.com/pyrelease/pyrelease/targets/internal/redact"
)

// Everything pyrelease prints passes through these: results on stdout,
// logs and the output of the commands it runs on stderr. Both remove the
// secrets of the run (redact.Default) in every form they are echoed in;
// the error a target returns is cleaned by scrub.
var (
	stdout = redact.NewWriter(stdFile{&os.Stdout}, nil)
	stderr = redact.NewWriter(stdFile{&os.Stderr}, nil)
)

// stdFile writes to what os.Stdout or os.Stderr is at the time, as
// fmt.Print does, for a program (or a test) that swaps them.
type stdFile struct{ f **os.File }

func (s stdFile) Write(p []byte) (int, error) { return (*s.f).Write(p) }

func init() { registerSecrets(os.Environ()) }

// scrub cleans the error a target returns, which mage prints.
func scrub(err *error) {
	stdout.Close()
	stderr.Close()
	*err = redact.Error(*err)
}

// registerSecrets adds the secrets of env (KEY=value lines) to
// redact.Default (see redact.AddEnvironment).
func registerSecrets(env []string) { redact.AddEnvironment(env) }
