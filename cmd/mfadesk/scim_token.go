package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"text/tabwriter"

	"mfadesk/data"
	"mfadesk/jst"
)

// scimTokenCommand runs "mfadesk scim-token create|revoke --name NAME"
// and "mfadesk scim-token list" [config flags]: the back office's bearer
// tokens for the SCIM API (docs/operations.md, "Provisioning over SCIM").
// A token is printed once, at creation; the list never shows one.
func scimTokenCommand(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	verb := ""
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		verb, args = args[0], args[1:]
	}
	fs := flag.NewFlagSet("mfadesk scim-token "+verb, flag.ContinueOnError)
	fs.SetOutput(stderr)
	name := fs.String("name", "", "the token's name: the actor of its changes in the audit trail (e.g. backoffice)")
	cfg, err := commandConfig(args, fs, getenv, stderr)
	if err != nil {
		return err
	}
	if (verb == "create" || verb == "revoke") && *name == "" {
		return fmt.Errorf("scim-token %s needs --name", verb)
	}
	log := slog.New(slog.NewTextHandler(stderr, nil))
	cli := data.AuditEvent{ActorKind: "system", Actor: "cli"}
	return withApp(ctx, cfg, log, func(app *App) error {
		switch verb {
		case "create":
			token, err := app.Support.CreateScimToken(ctx, *name, cli)
			if err != nil {
				return err
			}
			fmt.Fprintf(stdout, "SCIM token %s (shown once; give it to the back office as its bearer token):\n%s\n", *name, token)
			return nil
		case "revoke":
			if err := app.Support.RevokeScimToken(ctx, *name, cli); err != nil {
				if errors.Is(err, data.ErrNotFound) {
					return fmt.Errorf("no usable SCIM token is named %q", *name)
				}
				return err
			}
			fmt.Fprintf(stdout, "SCIM token %s revoked\n", *name)
			return nil
		case "list", "":
			tokens, err := app.DB.ScimTokens(ctx, false)
			if err != nil {
				return err
			}
			w := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(w, "NAME\tCREATED (JST)\tREVOKED (JST)")
			for _, t := range tokens {
				revoked := "-"
				if !t.RevokedAt.IsZero() {
					revoked = t.RevokedAt.In(jst.Zone).Format("2006-01-02 15:04")
				}
				fmt.Fprintf(w, "%s\t%s\t%s\n", t.Name, t.CreatedAt.In(jst.Zone).Format("2006-01-02 15:04"), revoked)
			}
			return w.Flush()
		}
		return fmt.Errorf("unknown command: want mfadesk scim-token create|revoke --name NAME, or mfadesk scim-token list")
	})
}

// commandConfig parses a maintenance command's own flags (fs) out of
// args and the configuration flags from the rest, and refuses a --db
// that does not exist.
func commandConfig(args []string, fs *flag.FlagSet, getenv func(string) string, stderr io.Writer) (Config, error) {
	own, rest := splitFlags(args, fs)
	if err := fs.Parse(own); err != nil {
		return Config{}, err
	}
	cfg, err := parseConfig(rest, getenv, stderr)
	if err != nil {
		return Config{}, err
	}
	return cfg, requireDatabase(cfg.DB)
}
