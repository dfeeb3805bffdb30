package main

import (
	"fmt"
	"go/version"
	"strings"
)

// goToolchain is go.mod's toolchain line: the Go release mfadesk is built
// with, as older 1.26 releases have known standard-library
// vulnerabilities (README). TestGoToolchainMatchesGoMod keeps the two equal.
const goToolchain = "go1.26.11"

// goVersionWarning is the start-up warning for a binary built with a Go
// older than goToolchain (running is runtime.Version()), or "". A
// development build ("devel ...") gets none.
func goVersionWarning(running string) string {
	v, _, _ := strings.Cut(running, " ")
	if !version.IsValid(v) || version.Compare(v, goToolchain) >= 0 {
		return ""
	}
	return fmt.Sprintf("built with %s, older than go.mod's toolchain %s: rebuild with GOTOOLCHAIN=auto (README)", v, goToolchain)
}
