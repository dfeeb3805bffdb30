package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"text/tabwriter"
	"time"

	"mfadesk/data"
	"mfadesk/mfa"
	"mfadesk/support"
)

// The console's subcommands:
//
//	mfadesk staff list [config flags]
//	mfadesk staff create --login ID --role ROLE --org ORG [--name NAME] [--customer ACCOUNTNO] [config flags]
//	mfadesk staff link --login ID --customer ACCOUNTNO [config flags]
//	mfadesk staff unlink --login ID [config flags]
//	mfadesk staff reset-password --login ID [config flags]
//	mfadesk staff org --id shop-NAME --name NAME [--kind partner] [config flags]
//	mfadesk audit verify [--anchor FILE] [--audit-old-keys K1,K2] [config flags]
//
// consoleCommand takes the words after "staff" or "audit" as they were
// typed; the command's own flags are taken out and the rest are the usual
// configuration flags (--db, --secret-key, ...).
func consoleCommand(ctx context.Context, cmd string, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	verb := ""
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		verb, args = args[0], args[1:]
	}
	fs := flag.NewFlagSet("mfadesk "+cmd+" "+verb, flag.ContinueOnError)
	fs.SetOutput(stderr)
	login := fs.String("login", "", "staff login ID")
	role := fs.String("role", "", "role: "+strings.Join(support.Roles(), ", "))
	org := fs.String("org", "", "organisation id (e.g. support, compliance, shop-...)")
	name := fs.String("name", "", "staff member's or organisation's name")
	id := fs.String("id", "", "new organisation's id")
	kind := fs.String("kind", "partner", "new organisation's kind: centre, partner or compliance")
	anchor := fs.String("anchor", "", "audit verify: the anchor file (default --audit-anchor), or shipped JSON log lines")
	// Read from the environment after parsing, so --help never shows them.
	oldKeys := fs.String("audit-old-keys", "", "audit verify: earlier audit keys, comma-separated; prefer MFADESK_AUDIT_OLD_KEYS")
	customer := fs.String("customer", "", "account number of the staff member's own brokerage account")
	cfg, err := commandConfig(args, fs, getenv, stderr)
	if err != nil {
		return err
	}
	if *oldKeys == "" {
		*oldKeys = getenv(envName("audit-old-keys"))
	}
	log := slog.New(slog.NewTextHandler(stderr, nil))
	switch cmd + " " + verb {
	case "audit verify", "audit ":
		return auditCommand(ctx, cfg, log, stdout, *anchor, *oldKeys)
	case "staff list", "staff ":
		return staffCommand(ctx, cfg, log, stdout)
	case "staff create":
		return withApp(ctx, cfg, log, func(app *App) error {
			if *login == "" || *role == "" || *org == "" {
				return errors.New("staff create needs --login, --role and --org")
			}
			if *name == "" {
				*name = *login
			}
			// The operator at the server's shell is the bootstrap: a
			// supervisor or admin made here needs no second admin.
			_, password, err := app.Support.CreateStaff(ctx, support.NewStaff{LoginID: *login, Name: *name, Role: *role, OrgID: *org,
				CustomerAccount: *customer}, data.AuditEvent{ActorKind: "system", Actor: "cli"})
			if err != nil {
				return fmt.Errorf("create staff %s: %w", *login, err)
			}
			fmt.Fprintf(stdout, "created staff %s (%s in %s)\ninitial password (shown once): %s\n"+
				"The first login at /console/login enrols an authenticator app, then sets their own password.\n",
				mfa.NormalizeLoginID(*login), *role, *org, password)
			return nil
		})
	case "staff link", "staff unlink":
		return withApp(ctx, cfg, log, func(app *App) error {
			if *login == "" || (verb == "link") == (*customer == "") {
				return errors.New("staff link needs --login and --customer; staff unlink needs --login only")
			}
			st, err := app.DB.StaffByLogin(ctx, mfa.NormalizeLoginID(*login))
			if err != nil {
				return fmt.Errorf("staff %s: %w", *login, err)
			}
			if err := app.Support.LinkStaffCustomer(ctx, st.ID, *customer, data.AuditEvent{ActorKind: "system", Actor: "cli"}); err != nil {
				return fmt.Errorf("%s staff %s: %w", verb, st.LoginID, err)
			}
			waitOutReadCaches()
			fmt.Fprintf(stdout, "staff %s: own account %q\n", st.LoginID, *customer)
			return nil
		})
	case "staff reset-password":
		return withApp(ctx, cfg, log, func(app *App) error {
			if *login == "" {
				return errors.New("staff reset-password needs --login")
			}
			st, err := app.DB.StaffByLogin(ctx, mfa.NormalizeLoginID(*login))
			if err != nil {
				return fmt.Errorf("staff %s: %w", *login, err)
			}
			// The operator's bootstrap, like create: e.g. the only admin
			// forgot their password, which no admin resets on themselves.
			password, err := app.Support.ResetStaffPasswordCLI(ctx, st.ID)
			if err != nil {
				return fmt.Errorf("reset password of staff %s: %w", st.LoginID, err)
			}
			waitOutReadCaches()
			fmt.Fprintf(stdout, "staff %s: temporary password (shown once): %s\n"+
				"Their sessions have ended; the next login at /console/login asks for a new password.\n", st.LoginID, password)
			return nil
		})
	case "staff org":
		return withApp(ctx, cfg, log, func(app *App) error {
			if *id == "" || *name == "" {
				return errors.New("staff org needs --id and --name")
			}
			o := &data.Organisation{ID: *id, Name: *name, Kind: *kind}
			err := app.Support.CreateOrganisation(ctx, o, data.AuditEvent{ActorKind: "system", Actor: "cli"})
			if err == nil {
				fmt.Fprintf(stdout, "created organisation %s (%s)\n", o.ID, o.Kind)
			}
			return err
		})
	}
	return fmt.Errorf("unknown command %q (want staff list, staff create, staff link, staff unlink, staff reset-password, staff org or audit verify)",
		strings.TrimSpace(cmd+" "+verb))
}

// splitFlags separates the flags fs defines (with their values) from the
// others, so one command line can mix both.
func splitFlags(args []string, fs *flag.FlagSet) (own, rest []string) {
	for i := 0; i < len(args); i++ {
		name, _, hasValue := strings.Cut(strings.TrimLeft(args[i], "-"), "=")
		if !strings.HasPrefix(args[i], "-") || fs.Lookup(name) == nil {
			rest = append(rest, args[i])
			continue
		}
		own = append(own, args[i])
		if !hasValue && i+1 < len(args) {
			i++
			own = append(own, args[i])
		}
	}
	return own, rest
}

// waitOutReadCaches returns once a running server's read cache holds
// nothing from before this process's change (docs/operations.md): a
// command that ends sessions or changes an account reports it done only
// when the server's next request sees it.
func waitOutReadCaches() { time.Sleep(data.ReadCacheTTL) }

func withApp(ctx context.Context, cfg Config, log *slog.Logger, fn func(app *App) error) error {
	app, err := newApp(ctx, cfg, time.Now, log)
	if err != nil {
		return err
	}
	defer app.Close()
	return fn(app)
}

// staffCommand lists the staff accounts.
func staffCommand(ctx context.Context, cfg Config, log *slog.Logger, stdout io.Writer) error {
	return withApp(ctx, cfg, log, func(app *App) error {
		list, err := app.DB.ListStaff(ctx)
		if err != nil {
			return err
		}
		w := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(w, "ID\tLOGIN\tROLE\tORG\tACTIVE\tTOTP\tOWN_ACCOUNT\tWAITING")
		for _, s := range list {
			waiting := "-"
			if s.PendingKind != "" {
				waiting = s.PendingKind + ":" + s.PendingRole
			}
			fmt.Fprintf(w, "%d\t%s\t%s\t%s\t%v\t%v\t%s\t%s\n", s.ID, s.LoginID, s.Role, s.OrgID, s.Active, s.HasTOTP(),
				cmp.Or(s.CustomerAccount, "-"), waiting)
		}
		return w.Flush()
	})
}
