package notify

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"io"
	"math/big"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"mfadesk/data"
)

// selfSigned makes a certificate for 127.0.0.1 and a pool that trusts it.
func selfSigned(t *testing.T) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "mfadesk test SMTP"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, BasicConstraintsValid: true, IsCA: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, pool
}

// mailbox is an in-process SMTP server: AUTH PLAIN only over TLS, and
// it keeps what it receives.
type mailbox struct {
	mu       sync.Mutex
	received []received
	refuse   string // recipient refused with 550
}

type received struct {
	user, from string
	to         []string
	data       []byte
}

type smtpSession struct {
	box  *mailbox
	user string
	msg  received
}

func (s *smtpSession) AuthMechanisms() []string { return []string{sasl.Plain} }
func (s *smtpSession) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if user != "mailer" || pass != "パスワード-secret" {
			return errors.New("invalid credentials")
		}
		s.user = user
		return nil
	}), nil
}
func (s *smtpSession) Mail(from string, _ *smtp.MailOptions) error {
	if s.user == "" {
		return smtp.ErrAuthRequired
	}
	s.msg.from = from
	return nil
}
func (s *smtpSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	if to == s.box.refuse {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such user"}
	}
	s.msg.to = append(s.msg.to, to)
	return nil
}
func (s *smtpSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.msg.data, s.msg.user = b, s.user
	s.box.mu.Lock()
	defer s.box.mu.Unlock()
	s.box.received = append(s.box.received, s.msg)
	return nil
}
func (s *smtpSession) Reset()        { s.msg = received{} }
func (s *smtpSession) Logout() error { return nil }

// startSMTP serves box on a local port; implicit TLS when tlsFromStart,
// else STARTTLS (when cert is set) on a plain listener.
func startSMTP(t *testing.T, box *mailbox, cert *tls.Certificate, tlsFromStart bool) int {
	t.Helper()
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &smtpSession{box: box}, nil }))
	srv.Domain = "localhost"
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	var l net.Listener
	var err error
	if cert != nil {
		srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{*cert}}
	}
	if tlsFromStart {
		l, err = tls.Listen("tcp", "127.0.0.1:0", srv.TLSConfig)
	} else {
		l, err = net.Listen("tcp", "127.0.0.1:0")
	}
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	return l.Addr().(*net.TCPAddr).Port
}

func TestSMTPSendsJapaneseMail(t *testing.T) {
	cert, pool := selfSigned(t)
	msg := data.OutboxMessage{ID: 42, Channel: Email, To: "taro@example.jp",
		Subject: "【mfadesk証券】ログイン確認コード", Body: "ログイン確認コードは 123456 です。\n有効期限は5分です。"}
	tests := []struct {
		name         string
		security     string
		tlsFromStart bool
		serverTLS    bool
		password     string
		to           string
		wantErr      bool
		permanent    bool
	}{
		{"starttls with auth", SMTPStartTLS, false, true, "パスワード-secret", msg.To, false, false},
		{"implicit tls with auth", SMTPTLS, true, true, "パスワード-secret", msg.To, false, false},
		{"wrong password", SMTPStartTLS, false, true, "wrong", msg.To, true, false},
		{"server without STARTTLS", SMTPStartTLS, false, false, "パスワード-secret", msg.To, true, false},
		{"recipient refused", SMTPStartTLS, false, true, "パスワード-secret", "gone@example.jp", true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			box := &mailbox{refuse: "gone@example.jp"}
			var c *tls.Certificate
			if tt.serverTLS {
				c = &cert
			}
			port := startSMTP(t, box, c, tt.tlsFromStart)
			s := &SMTPSender{Host: "127.0.0.1", Port: port, Security: tt.security, User: "mailer", Password: tt.password,
				From: "noreply@mfadesk.example.jp", TLSConfig: &tls.Config{RootCAs: pool, ServerName: "127.0.0.1", MinVersion: tls.VersionTLS12}}
			m := msg
			m.To = tt.to
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			id, err := s.Send(ctx, m)
			if tt.wantErr {
				var perm *PermanentError
				if err == nil || errors.As(err, &perm) != tt.permanent {
					t.Fatalf("err %v, want permanent=%v", err, tt.permanent)
				}
				if strings.Contains(err.Error(), "123456") || strings.Contains(err.Error(), tt.password) {
					t.Fatalf("error leaks the code or password: %v", err)
				}
				if len(box.received) != 0 {
					t.Fatal("a failed send delivered mail")
				}
				return
			}
			if err != nil {
				t.Fatalf("send: %v", err)
			}
			if id != "outbox-42@mfadesk.example.jp" {
				t.Errorf("provider id %q", id)
			}
			if len(box.received) != 1 {
				t.Fatalf("%d messages received", len(box.received))
			}
			got := box.received[0]
			if got.user != "mailer" || got.from != "noreply@mfadesk.example.jp" || len(got.to) != 1 || got.to[0] != msg.To {
				t.Errorf("envelope %+v", got)
			}
			checkJapaneseMail(t, got.data, msg)
		})
	}
}

// checkJapaneseMail decodes the raw message as a mail client would.
func checkJapaneseMail(t *testing.T, raw []byte, want data.OutboxMessage) {
	t.Helper()
	parsed, err := mail.ReadMessage(strings.NewReader(string(raw)))
	if err != nil {
		t.Fatalf("parse: %v\n%s", err, raw)
	}
	rawSubject := parsed.Header.Get("Subject")
	if !strings.HasPrefix(rawSubject, "=?UTF-8?") {
		t.Errorf("subject not MIME-encoded: %q", rawSubject)
	}
	subject, err := new(mime.WordDecoder).DecodeHeader(rawSubject)
	if err != nil || subject != want.Subject {
		t.Errorf("subject %q (%v), want %q", subject, err, want.Subject)
	}
	if ct := parsed.Header.Get("Content-Type"); !strings.Contains(strings.ToLower(ct), "charset=utf-8") {
		t.Errorf("content type %q", ct)
	}
	if id := parsed.Header.Get("Message-Id"); id != "<outbox-42@mfadesk.example.jp>" {
		t.Errorf("Message-ID %q", id)
	}
	var body io.Reader = parsed.Body
	if strings.EqualFold(parsed.Header.Get("Content-Transfer-Encoding"), "quoted-printable") {
		body = quotedprintable.NewReader(parsed.Body)
	}
	b, err := io.ReadAll(body)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.ReplaceAll(string(b), "\r\n", "\n"); strings.TrimRight(got, "\n") != want.Body {
		t.Errorf("body %q, want %q", got, want.Body)
	}
}
