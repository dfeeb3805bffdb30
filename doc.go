// Package mfadesk is the module root and holds no code: the program is
// cmd/mfadesk, and docs/design.md describes every package. It exists for
// repo_test.go, which checks the repository as a whole: comments and docs
// cite the project's own docs/design.md and docs/security.md, and those
// documents keep up with the code.
package mfadesk
