package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"sync"
	"time"

	"mfadesk/data"
	"mfadesk/mfa"
)

// The audit trail's key and anchors (docs/operations.md, "The audit trail").

// auditKey is the configured audit key, or else the development one
// (production refuses to start without its own: productionProblems).
func (c Config) auditKey() (*data.AuditKey, error) {
	secret := c.AuditKey
	if len(secret) == 0 {
		secret = data.DevAuditKey()
	}
	return data.NewAuditKey(secret)
}

// parseAuditKeys reads a comma-separated list of audit keys (hex or
// base64); errors name the key's place in the list, never its text.
func parseAuditKeys(list string) ([]*data.AuditKey, error) {
	var keys []*data.AuditKey
	for i, s := range splitList(list) {
		secret, err := mfa.ParseSecretKey(s)
		if err != nil {
			return nil, fmt.Errorf("key %d: %w", i+1, err)
		}
		k, err := data.NewAuditKey(secret)
		if err != nil {
			return nil, fmt.Errorf("key %d: %w", i+1, err)
		}
		keys = append(keys, k)
	}
	return keys, nil
}

// auditAnchors writes the audit trail's head outside the database: always
// as a log line (msg "audit anchor") for the operator to ship elsewhere,
// and appended to the anchor file when one is configured.
type auditAnchors struct {
	db      *data.DB
	file    string
	log     *slog.Logger
	last    data.AuditAnchor
	written bool
}

// write anchors the head unless it is the one this process anchored last.
func (w *auditAnchors) write(ctx context.Context) error {
	head, err := w.db.AuditHead(ctx)
	if err != nil {
		return err
	}
	if w.written && head.LastID == w.last.LastID && head.Hash == w.last.Hash {
		return nil
	}
	w.log.Info("audit anchor", "at", head.At.Format(time.RFC3339), "events", head.Events, "last_id", head.LastID,
		"hash", head.Hash, "key_id", head.KeyID, "mac", head.MAC)
	if w.file != "" {
		if err := appendAnchor(w.file, head); err != nil {
			return err
		}
	}
	w.last, w.written = head, true
	return nil
}

// appendAnchor appends one JSON line to the anchor file, readable by its
// owner only, and syncs it: an anchor is worth something once on disk.
func appendAnchor(path string, a data.AuditAnchor) error {
	line, err := json.Marshal(a)
	if err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("audit anchor file: %w", err)
	}
	defer f.Close()
	// A file made by hand, or by umask, may be more open than 0600.
	if err := f.Chmod(0o600); err != nil {
		return fmt.Errorf("audit anchor file: %w", err)
	}
	if _, err := f.Write(append(line, '\n')); err != nil {
		return fmt.Errorf("audit anchor file: %w", err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("audit anchor file: %w", err)
	}
	return f.Close()
}

// startAuditAnchors anchors the head now (a file that cannot be written
// stops the start), then at every tick when the head moved. The returned
// stop anchors once more (shutdown: call it after the servers have
// finished their requests) and waits for it.
func (a *App) startAuditAnchors(ctx context.Context, tick <-chan time.Time) (stop func(), err error) {
	w := &auditAnchors{db: a.DB, file: a.Config.AuditAnchor, log: a.Log}
	if err := w.write(ctx); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			select {
			case <-ctx.Done():
				final, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
				defer cancel()
				if err := w.write(final); err != nil {
					a.Log.Error("audit anchor at shutdown", "err", err)
				}
				return
			case <-tick:
				if err := w.write(ctx); err != nil && ctx.Err() == nil {
					a.Log.Error("audit anchor", "err", err)
				}
			}
		}
	}()
	var once sync.Once
	return func() {
		once.Do(func() {
			cancel()
			<-done
		})
	}, nil
}

// auditCommand checks the audit trail: the chain under the current and
// old keys, and the database against every anchor in anchorFile. Any
// problem is an error, so the exit status says it.
func auditCommand(ctx context.Context, cfg Config, log *slog.Logger, stdout io.Writer, anchorFile, oldKeys string) error {
	keys, err := parseAuditKeys(oldKeys)
	if err != nil {
		return fmt.Errorf("--audit-old-keys: %w", err)
	}
	if anchorFile == "" {
		anchorFile = cfg.AuditAnchor
	}
	return withApp(ctx, cfg, log, func(app *App) error {
		keys = append(keys, app.DB.AuditKey())
		r, err := app.DB.VerifyAuditChain(ctx, keys)
		if err != nil {
			return err
		}
		var problems []string
		if r.BrokenID != 0 {
			p := fmt.Sprintf("audit chain BROKEN at event %d: %s", r.BrokenID, r.Reason)
			if r.UnknownKeyID != "" {
				p += " (an old key? give it with --audit-old-keys)"
			}
			problems = append(problems, p)
		} else {
			fmt.Fprintf(stdout, "audit chain intact: %d events%s\n", r.Events, chainSummary(r))
		}
		if anchorFile == "" {
			fmt.Fprintln(stdout, "no anchor file given (--anchor): events removed from the end of the trail cannot be detected")
		} else {
			ps, n, err := checkAnchorFile(ctx, app.DB, anchorFile, keys)
			if err != nil {
				return err
			}
			problems = append(problems, ps...)
			fmt.Fprintf(stdout, "anchors checked: %d\n", n)
		}
		for _, p := range problems {
			fmt.Fprintln(stdout, p)
		}
		if len(problems) > 0 {
			return fmt.Errorf("audit trail: %d problems", len(problems))
		}
		return nil
	})
}

// chainSummary tells which events are unkeyed and which keys chain the rest.
func chainSummary(r data.AuditChainReport) string {
	var parts []string
	if r.LegacyUntil != 0 {
		parts = append(parts, fmt.Sprintf("1–%d plain SHA-256 from before the audit key", r.LegacyUntil))
	}
	if len(r.KeyIDs) > 0 {
		parts = append(parts, "HMAC-SHA256 under audit key "+strings.Join(r.KeyIDs, ", then "))
	}
	if len(parts) == 0 {
		return ""
	}
	return " (" + strings.Join(parts, "; ") + ")"
}

func checkAnchorFile(ctx context.Context, db *data.DB, path string, keys []*data.AuditKey) (problems []string, n int, err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, fmt.Errorf("anchor file: %w", err)
	}
	defer f.Close()
	anchors, err := data.ReadAuditAnchors(f)
	if err != nil {
		return nil, 0, fmt.Errorf("anchor file %s: %w", path, err)
	}
	if len(anchors) == 0 {
		return []string{"the anchor file " + path + " has no anchors"}, 0, nil
	}
	problems, err = db.CheckAuditAnchors(ctx, anchors, keys)
	return problems, len(anchors), err
}
