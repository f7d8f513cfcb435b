package run

import "runtime"

var isWindows = runtime.GOOS == "windows"
