package main

import (
	"context"
	"errors"
	"io"
	"log/slog"
)

// staffCommand manages staff accounts from the command line.
func staffCommand(ctx context.Context, cfg Config, log *slog.Logger, stdout io.Writer) error {
	return errors.New("staff: not available yet")
}

// auditCommand works on the audit trail; "audit verify" checks the chain.
func auditCommand(ctx context.Context, cfg Config, log *slog.Logger, stdout io.Writer) error {
	return errors.New("audit: not available yet")
}
