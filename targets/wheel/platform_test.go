package wheel

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
)

func TestLinuxTag(t *testing.T) {
	tests := map[string]string{
		"greet-1.0-py3-none-any.whl":                                                      "",
		"fastsum-0.1.0-cp311-cp311-linux_x86_64.whl":                                      "linux_x86_64",
		"fastsum-0.1.0-cp311-cp311-linux_aarch64.whl":                                     "linux_aarch64",
		"fastsum-0.1.0-cp311-cp311-manylinux1_x86_64.manylinux_2_5_x86_64.whl":            "",
		"fastsum-0.1.0-cp311-cp311-musllinux_1_2_x86_64.whl":                              "",
		"fastsum-0.1.0-cp311-cp311-manylinux_2_17_x86_64.linux_x86_64.whl":                "linux_x86_64",
		"fastsum-0.1.0-cp311-cp311-linux_armv7l.whl":                                      "", // PyPI takes Raspberry Pi wheels
		"fastsum-0.1.0-cp311-cp311-linux_armv6l.whl":                                      "",
		"fastsum-0.1.0-cp311-cp311-macosx_11_0_arm64.whl":                                 "",
		"fastsum-0.1.0-cp311-cp311-win_amd64.whl":                                         "",
		"fastsum-0.1.0-1-cp311-cp311-linux_i686.whl":                                      "linux_i686",
		"fastsum-0.1.0-cp311-cp311-manylinux_2_17_aarch64.manylinux2014_aarch64.whl":      "",
		"fastsum-0.1.0-cp311-abi3-manylinux_2_17_x86_64.manylinux2014_x86_64.whl":         "",
		"fastsum-0.1.0-pp310-pypy310_pp73-manylinux_2_17_x86_64.manylinux2014_x86_64.whl": "",
	}
	for file, want := range tests {
		t.Run(file, func(t *testing.T) {
			n, err := ParseWheelName(file)
			if err != nil {
				t.Fatal(err)
			}
			if got := LinuxTag(n); got != want {
				t.Errorf("LinuxTag = %q, want %q", got, want)
			}
		})
	}
}

// What an index refuses, check and release refuse (ForIndex); the wheel
// target, which may keep such a wheel on purpose, does not.
func TestVerifyForIndexRefusesLinuxWheels(t *testing.T) {
	good, _ := verifyGoodDists(t)
	dir := t.TempDir()
	derive := func(platform string) string {
		path := filepath.Join(dir, "greet-1.0-cp311-cp311-"+platform+".whl")
		ms := readWheelMembers(t, good)
		ms = editMember(t, ms, ".dist-info/WHEEL", "Tag: py3-none-any", "Tag: cp311-cp311-"+platform)
		ms = editMember(t, ms, ".dist-info/WHEEL", "Root-Is-Purelib: true", "Root-Is-Purelib: false")
		writeWheelMembers(t, path, rewriteRecord(ms))
		return path
	}
	ctx := context.Background()
	linux := derive("linux_x86_64")
	if _, err := Verify(ctx, linux, VerifyOptions{}); err != nil {
		t.Fatalf("Verify without ForIndex: %v", err)
	}
	_, err := Verify(ctx, linux, VerifyOptions{ForIndex: true})
	got := problemTexts(err)
	if len(got) != 1 || !strings.Contains(got[0], "greet-1.0-cp311-cp311-linux_x86_64.whl: platform tag linux_x86_64: PyPI refuses linux_* wheels") ||
		!strings.Contains(got[0], "auditwheel repair -w dist/ greet-1.0-cp311-cp311-linux_x86_64.whl") {
		t.Errorf("Verify with ForIndex = %q; want one problem naming the tag and auditwheel", got)
	}
	for _, platform := range []string{"manylinux_2_17_x86_64", "linux_armv7l"} {
		if _, err := Verify(ctx, derive(platform), VerifyOptions{ForIndex: true}); err != nil {
			t.Errorf("%s: Verify with ForIndex: %v", platform, err)
		}
	}
}
