package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"

	"mfadesk/data"
)

// SMSSender sends SMS through a provider's HTTP API: a POST of
// {"to", "body"} as JSON with a bearer token, answered by {"id"} with the
// provider's message id. The outbox id goes in the Idempotency-Key
// header, so a provider that honours it delivers a retried message once.
type SMSSender struct {
	URL    string
	Token  string // never logged
	Client *http.Client
}

// smsRequest is the body the provider receives.
type smsRequest struct {
	To   string `json:"to"`
	Body string `json:"body"`
}

// smsResponse is the part of the provider's answer we keep.
type smsResponse struct {
	ID string `json:"id"`
}

// IdempotencyKey is the key a message is sent under, the same on every
// attempt.
func IdempotencyKey(outboxID int64) string {
	return "mfadesk-outbox-" + strconv.FormatInt(outboxID, 10)
}

// Send posts m to the provider. Errors name the status or the kind of
// network failure, never the request or response body, which holds or may
// echo the code.
func (s *SMSSender) Send(ctx context.Context, m data.OutboxMessage) (string, error) {
	if !isE164(m.To) {
		// Numbers are stored in E.164; anything else (a value no migration
		// could read) would be misrouted or refused by the provider.
		return "", Permanent(errors.New("sms: recipient is not an E.164 number"))
	}
	body, err := json.Marshal(smsRequest{To: m.To, Body: m.Body})
	if err != nil {
		return "", fmt.Errorf("sms: encode request: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.URL, bytes.NewReader(body))
	if err != nil {
		return "", Permanent(errors.New("sms: provider URL is not usable"))
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Idempotency-Key", IdempotencyKey(m.ID))
	if s.Token != "" {
		req.Header.Set("Authorization", "Bearer "+s.Token)
	}
	client := s.Client
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		return "", fmt.Errorf("sms: %s", networkFailure(ctx, err))
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if err != nil {
		return "", fmt.Errorf("sms: read response: %s", networkFailure(ctx, err))
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		err := fmt.Errorf("sms: provider answered %d", resp.StatusCode)
		// A 4xx other than timeout and rate limit is a request the
		// provider will refuse again (bad number, opted out).
		if resp.StatusCode >= 400 && resp.StatusCode < 500 &&
			resp.StatusCode != http.StatusRequestTimeout && resp.StatusCode != http.StatusTooManyRequests {
			return "", Permanent(err)
		}
		return "", err
	}
	var out smsResponse
	if err := json.Unmarshal(b, &out); err != nil || out.ID == "" {
		// The provider took the message (2xx) but gave no id: it is sent,
		// and retrying would send it twice.
		return "(no id)", nil
	}
	return out.ID, nil
}

// networkFailure names a transport error without its URL, which may
// carry credentials in a userinfo part.
func networkFailure(ctx context.Context, err error) string {
	var nerr net.Error
	switch {
	case ctx.Err() != nil:
		return "cancelled or timed out: " + ctx.Err().Error()
	case errors.As(err, &nerr) && nerr.Timeout():
		return "timeout"
	}
	var op *net.OpError
	if errors.As(err, &op) {
		return "network error: " + op.Op
	}
	return "network error"
}

// isE164 reports whether to is +, a country code and at most 15 digits.
func isE164(to string) bool {
	digits, ok := strings.CutPrefix(to, "+")
	return ok && len(digits) >= 8 && len(digits) <= 15 && digits[0] != '0' && strings.Trim(digits, "0123456789") == ""
}
