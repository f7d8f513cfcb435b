package targets

import (
	"io"
	"log/slog"
	"reflect"
	"strings"
	"testing"

	"github.com/pyrelease/pyrelease/targets/config"
	"github.com/pyrelease/pyrelease/targets/wheel"
)

// The tools the smoke test runs come from the wheel's console scripts and
// [tool.pyrelease]: tools unset is all of them, [] none; a command of its
// own, or none at all.
func TestSmokeTools(t *testing.T) {
	scripts := map[string]string{"taskq": "taskq.cli:main", "taskq-daemon": "taskq.daemon:main", "aaa": "a:main"}
	version := []string{"--version"}
	tests := map[string]struct {
		tools    []string
		commands map[string][]string
		want     []wheel.SmokeTool
		wantErr  string
	}{
		"unset: every script, sorted": {
			want: []wheel.SmokeTool{{Name: "aaa", Args: version, CheckVersion: true}, {Name: "taskq", Args: version, CheckVersion: true}, {Name: "taskq-daemon", Args: version, CheckVersion: true}},
		},
		"empty: none": {tools: []string{}},
		"listed":      {tools: []string{"taskq"}, want: []wheel.SmokeTool{{Name: "taskq", Args: version, CheckVersion: true}}},
		"own command, and one not run": {
			commands: map[string][]string{"taskq": {"--help"}, "taskq-daemon": nil},
			want:     []wheel.SmokeTool{{Name: "aaa", Args: version, CheckVersion: true}, {Name: "taskq", Args: []string{"--help"}}},
		},
		"a command for a script the wheel lacks": {
			commands: map[string][]string{"taskqd": nil},
			wantErr:  `[tool.pyrelease.smoke] commands.taskqd: the wheel has no console script "taskqd" (it has "aaa", "taskq", "taskq-daemon")`,
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			p := &project{log: slog.New(slog.NewTextHandler(io.Discard, nil)), cfg: &config.Config{
				File: "pyproject.toml", Tools: tc.tools, SmokeCommand: version, Smoke: config.Smoke{Commands: tc.commands}}}
			got, err := p.smokeTools(scripts)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, tc.want) {
				t.Errorf("smokeTools = %+v, %v; want %+v", got, err, tc.want)
			}
		})
	}
}
