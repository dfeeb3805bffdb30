package notify

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"strconv"
	"strings"

	mail "github.com/wneessen/go-mail"

	"mfadesk/data"
)

// SMTP transport security.
const (
	SMTPStartTLS = "starttls" // plain connection upgraded with STARTTLS, which must succeed
	SMTPTLS      = "tls"      // implicit TLS from the first byte (port 465)
	SMTPNone     = "none"     // no encryption: development only
)

// SMTPSender sends email through an SMTP server. Japanese subjects and
// bodies go out as UTF-8: the subject MIME-encoded (RFC 2047), the body
// quoted-printable, both done by go-mail.
type SMTPSender struct {
	Host     string
	Port     int    // default 587 for starttls, 465 for tls, 25 for none
	Security string // SMTPStartTLS, SMTPTLS or SMTPNone
	User     string // AUTH when set
	Password string // never logged
	From     string // the envelope and header sender
	// TLSConfig overrides the default (system roots, TLS 1.2+), e.g. to
	// trust a private CA.
	TLSConfig *tls.Config
}

// MessageID is the Message-ID of an outbox message, the same on every
// attempt, so a receiving system can recognise a retried message.
func (s *SMTPSender) MessageID(outboxID int64) string {
	domain := "mfadesk.invalid"
	if i := strings.LastIndexByte(s.From, '@'); i >= 0 {
		domain = strings.Trim(s.From[i+1:], "> ")
	}
	return "outbox-" + strconv.FormatInt(outboxID, 10) + "@" + domain
}

// Send delivers m over one SMTP session and returns its Message-ID.
func (s *SMTPSender) Send(ctx context.Context, m data.OutboxMessage) (string, error) {
	msg, err := s.message(m)
	if err != nil {
		return "", Permanent(err)
	}
	client, err := s.client()
	if err != nil {
		return "", Permanent(err)
	}
	if err := client.DialAndSendWithContext(ctx, msg); err != nil {
		return "", smtpError(err)
	}
	return s.MessageID(m.ID), nil
}

func (s *SMTPSender) message(m data.OutboxMessage) (*mail.Msg, error) {
	msg := mail.NewMsg(mail.WithCharset(mail.CharsetUTF8), mail.WithEncoding(mail.EncodingQP))
	if err := msg.From(s.From); err != nil {
		return nil, fmt.Errorf("smtp: sender address: %w", err)
	}
	if err := msg.To(m.To); err != nil {
		return nil, errors.New("smtp: recipient address is not valid")
	}
	msg.SetMessageIDWithValue(s.MessageID(m.ID))
	msg.SetDate()
	msg.Subject(m.Subject)
	msg.SetBodyString(mail.TypeTextPlain, m.Body)
	return msg, nil
}

func (s *SMTPSender) client() (*mail.Client, error) {
	tlsConfig := s.TLSConfig
	if tlsConfig == nil {
		tlsConfig = &tls.Config{ServerName: s.Host, MinVersion: tls.VersionTLS12}
	}
	opts := []mail.Option{mail.WithTLSConfig(tlsConfig)}
	port := s.Port
	switch s.Security {
	case SMTPStartTLS:
		opts = append(opts, mail.WithTLSPolicy(mail.TLSMandatory))
		port = orDefault(port, 587)
	case SMTPTLS:
		opts = append(opts, mail.WithSSL())
		port = orDefault(port, 465)
	case SMTPNone:
		opts = append(opts, mail.WithTLSPolicy(mail.NoTLS))
		port = orDefault(port, 25)
	default:
		return nil, fmt.Errorf("smtp: security must be starttls, tls or none, not %q", s.Security)
	}
	opts = append(opts, mail.WithPort(port))
	if s.User != "" {
		opts = append(opts, mail.WithSMTPAuth(mail.SMTPAuthAutoDiscover),
			mail.WithUsername(s.User), mail.WithPassword(s.Password))
	}
	c, err := mail.NewClient(s.Host, opts...)
	if err != nil {
		return nil, fmt.Errorf("smtp: client: %w", err)
	}
	return c, nil
}

// orDefault is port, or def when port is unset.
func orDefault(port, def int) int {
	if port > 0 {
		return port
	}
	return def
}

// smtpError classifies a send failure: a recipient the server refuses
// with a 5xx code is permanent; the rest (connection, TLS, 4xx, auth) may
// pass later.
func smtpError(err error) error {
	var se *mail.SendError
	if errors.As(err, &se) && se.Reason == mail.ErrSMTPRcptTo && se.ErrorCode() >= 500 {
		return Permanent(fmt.Errorf("smtp: recipient refused (%d)", se.ErrorCode()))
	}
	return fmt.Errorf("smtp: %w", err)
}
