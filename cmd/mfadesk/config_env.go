package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"net"
	"sort"
	"strconv"
	"strings"
	"time"
)

// How MFADESK_* variables become settings (docs/operations.md,
// Configuration). The flag lines in parseConfig give each flag its
// built-in default only; applyEnv then sets every flag the command line
// did not, from its variable, through the flag's own parser. So:
//
//   - --help and usage errors show built-in defaults, never the
//     environment's values (the secret key, SMTP password and SMS token
//     live there);
//   - a malformed value is refused, named by its variable, with every bad
//     value listed in one error, instead of silently starting with the
//     default;
//   - the command line wins over the environment.

// env gives a string flag its built-in default (applyEnv reads MFADESK_*).
func env(_ string, def string) string { return def }

// envInt gives a number flag its built-in default (applyEnv reads MFADESK_*).
func envInt(_ func(string, string) string, _ string, def int) int { return def }

// envDuration gives a duration flag its built-in default (applyEnv reads MFADESK_*).
func envDuration(_ func(string, string) string, _ string, def time.Duration) time.Duration {
	return def
}

// applyEnv sets each flag of fs not given on the command line from its
// MFADESK_<NAME> variable, and returns one error naming every variable
// whose value the flag refused. Values are quoted in errors except for
// string flags, which never refuse a value (and hold the secrets).
func applyEnv(fs *flag.FlagSet, getenv func(string) string) error {
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	var problems []error
	fs.VisitAll(func(f *flag.Flag) {
		name := envName(f.Name)
		v := getenv(name)
		if v == "" || given[f.Name] {
			return
		}
		kind := "a valid value"
		if g, ok := f.Value.(flag.Getter); ok {
			switch g.Get().(type) {
			case bool:
				kind = "a boolean (true/false, 1/0, yes/no, on/off)"
				b, err := parseEnvBool(v)
				if err != nil {
					problems = append(problems, fmt.Errorf("%s: %q is not %s", name, v, kind))
					return
				}
				v = strconv.FormatBool(b)
			case time.Duration:
				kind = "a duration (e.g. 90s, 5m, 72h)"
			case int, int64, uint, uint64:
				kind = "a whole number"
			}
		}
		if err := f.Value.Set(v); err != nil {
			problems = append(problems, fmt.Errorf("%s: %q is not %s", name, v, kind))
		}
	})
	return errors.Join(problems...)
}

// parseEnvBool reads the booleans operators write in environment files:
// what strconv.ParseBool reads, plus yes/no and on/off, in any case.
func parseEnvBool(s string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "yes", "on":
		return true, nil
	case "no", "off":
		return false, nil
	}
	return strconv.ParseBool(strings.ToLower(strings.TrimSpace(s)))
}

// otherEnv are MFADESK_* variables read by other subcommands than serve
// (rekey), so their presence in a shared environment file is no typo.
var otherEnv = []string{"old-secret-key", "new-secret-key"}

// envNames is every MFADESK_* variable mfadesk reads.
func envNames(fs *flag.FlagSet) map[string]bool {
	names := map[string]bool{}
	fs.VisitAll(func(f *flag.Flag) { names[envName(f.Name)] = true })
	for _, n := range otherEnv {
		names[envName(n)] = true
	}
	return names
}

// unknownEnv names the MFADESK_* variables of environ ("NAME=value"
// entries, as os.Environ gives) that mfadesk does not read: most likely
// typos. Only names are returned, never values.
func (c Config) unknownEnv(environ []string) []string {
	var unknown []string
	for _, kv := range environ {
		name, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(name, "MFADESK_") && !c.knownEnv[name] {
			unknown = append(unknown, name)
		}
	}
	sort.Strings(unknown)
	return unknown
}

// devOrigin is the origin of a development run without --origin: the
// browser reaches a loopback or all-interfaces --addr as localhost (also
// a valid WebAuthn RP ID, which 127.0.0.1 is not), any other host as
// itself, on --addr's port.
func devOrigin(addr string) (string, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil || port == "" {
		return "", fmt.Errorf("--addr must be host:port, not %q", addr)
	}
	switch host {
	case "", "0.0.0.0", "::", "127.0.0.1", "::1", "localhost":
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, port), nil
}

// weakSecretKey refuses a key that was typed or patterned rather than
// drawn at random (`openssl rand -hex 32`): fewer than 16 distinct byte
// values (all zeros, one byte repeated, any pattern shorter than 16
// bytes), or the same 16 bytes twice. 32 random bytes have about 30
// distinct values; fewer than 16 happens by chance far less than once in
// 2^64 keys. The rule catches placeholders, not every poor key
// (0x00 0x01 ... 0x1f passes).
func weakSecretKey(key []byte) error {
	seen := map[byte]bool{}
	for _, b := range key {
		seen[b] = true
	}
	if len(seen) < 16 {
		return fmt.Errorf("has only %d distinct byte values: generate one with `openssl rand -hex 32`", len(seen))
	}
	if half := len(key) / 2; bytes.Equal(key[:half], key[half:]) {
		return errors.New("is the same 16 bytes twice: generate one with `openssl rand -hex 32`")
	}
	return nil
}

// hideDefaults keeps the named flags' defaults out of --help and usage
// errors, for flags whose default comes from a secret in the environment.
func hideDefaults(fs *flag.FlagSet, names ...string) {
	for _, n := range names {
		if f := fs.Lookup(n); f != nil {
			f.DefValue = ""
		}
	}
}
