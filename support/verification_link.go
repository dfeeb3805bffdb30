package support

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"time"

	"mfadesk/data"
	"mfadesk/notify"
)

// Possession by link: the message to a verified contact carries a link to
// a page that names the case and the staff member, and the customer
// confirms there. No secret is spoken, so nothing a caller could talk a
// customer into saying proves anything (docs/security.md).

// LinkTTL is how long a possession link may be used.
const LinkTTL = 15 * time.Minute

// LinkTriesPerAddress bounds the unknown or used links one client address
// may present per LinkWindow: the token is long, so this only stops
// someone hammering the page.
const (
	LinkTriesPerAddress = 20
	LinkWindow          = time.Hour
)

// ErrLinkInvalid refuses an unknown, used, expired or voided link, or one
// whose case is closed; the page says the same for each.
var ErrLinkInvalid = errors.New("the confirmation link is not valid")

// LinkRequest is what the confirmation page shows.
type LinkRequest struct {
	CaseID    int64
	StaffName string
	OrgName   string
	ExpiresAt time.Time
}

// SendPossessionLink sends a confirmation link to the customer's verified
// email or SMS number. The pending verification holds only the token's
// hash; it, the message and the audit event commit together.
func (s *Service) SendPossessionLink(ctx context.Context, a CaseActor, channel string) error {
	if a.Case.Status != CaseOpen {
		return ErrCaseClosed
	}
	c, to, err := s.verifiedDest(ctx, a, channel)
	if err != nil {
		return err
	}
	token, err := newLinkToken()
	if err != nil {
		return err
	}
	link := s.Origin + "/verify/" + token
	v := data.Verification{Method: data.VerifyPossession, Strength: data.StrengthStrong, LinkHash: hashLinkToken(token),
		Detail: "channel=" + channel + " by=link"}
	return s.issueCode(ctx, a, v, LinkTTL,
		func(tx *data.Tx, expires time.Time) (int64, error) {
			return notify.QueueCode(ctx, tx, a.Case.ID, c.ID, channel, to, notify.PossessionLink(channel, link, LinkTTL).In(c.Lang), expires)
		})
}

// LinkRequest looks up a link for the page without using it. Unknown
// links spend the address's budget (ErrAttemptLimit once spent).
func (s *Service) LinkRequest(ctx context.Context, token, clientIP string) (*LinkRequest, error) {
	var req *LinkRequest
	err := s.withLink(ctx, token, clientIP, func(tx *data.Tx, l *pendingLink) error {
		st, err := tx.StaffByID(ctx, l.staffID)
		if err != nil {
			return err
		}
		req = &LinkRequest{CaseID: l.kase.ID, StaffName: st.Name, OrgName: st.OrgName, ExpiresAt: l.expiresAt}
		return nil
	})
	return req, err
}

// AnswerLink settles a link with the customer's answer: yes passes the
// possession verification (strong), no fails it and the case page warns
// the staff member. Either way the link is used up, with its audit event.
// A contact-change link (support_contact.go) is settled the same way.
func (s *Service) AnswerLink(ctx context.Context, token, clientIP string, yes bool) error {
	return s.withLink(ctx, token, clientIP, func(tx *data.Tx, l *pendingLink) error {
		if l.contact != nil {
			return answerContactLink(ctx, tx, l, clientIP, yes)
		}
		v := l.verification
		cu, err := tx.CustomerByID(ctx, v.CustomerID)
		if err != nil {
			return err
		}
		e := data.AuditEvent{ActorKind: "customer", Actor: cu.LoginID, CustomerID: v.CustomerID,
			CaseID: l.kase.ID, ClientIP: clientIP, Action: "case.verify." + data.VerifyPossession, Detail: v.Detail}
		var won bool
		if yes {
			e.Outcome = "passed"
			won, err = tx.FinishVerification(ctx, v.ID, true, tx.Now().Add(VerificationValidity))
		} else {
			e.Outcome, e.Detail = "refused:customer_denied", v.Detail+" answer=no"
			won, err = tx.DenyVerification(ctx, v.ID)
		}
		if err != nil {
			return err
		}
		if !won {
			return ErrLinkInvalid
		}
		return tx.Audit(ctx, e)
	})
}

// pendingLink is a live link: a possession verification or a contact
// change's challenge, with its open case.
type pendingLink struct {
	verification *data.Verification
	contact      *data.Challenge
	kase         *data.Case
	staffID      int64
	expiresAt    time.Time
}

// findLink looks token up among possession links, then contact links.
func findLink(ctx context.Context, tx *data.Tx, token string) (*pendingLink, error) {
	hash := hashLinkToken(token)
	v, err := tx.PendingLink(ctx, hash)
	if err == nil {
		kase, err := tx.CaseByID(ctx, v.CaseID)
		if err != nil {
			return nil, err
		}
		if kase.CustomerID != v.CustomerID {
			return nil, ErrLinkInvalid
		}
		return &pendingLink{verification: v, kase: kase, staffID: v.StaffID, expiresAt: v.ExpiresAt}, nil
	}
	if !errors.Is(err, data.ErrNotFound) {
		return nil, err
	}
	ch, err := tx.PendingContactLink(ctx, hash)
	if errors.Is(err, data.ErrNotFound) {
		return nil, ErrLinkInvalid
	}
	if err != nil {
		return nil, err
	}
	caseID, ok := contactLinkCase(ch.SessionHash)
	if !ok {
		return nil, ErrLinkInvalid
	}
	kase, err := tx.CaseByID(ctx, caseID)
	if err != nil {
		return nil, err
	}
	if kase.CustomerID != ch.CustomerID {
		return nil, ErrLinkInvalid
	}
	return &pendingLink{contact: ch, kase: kase, staffID: kase.StaffID, expiresAt: ch.ExpiresAt}, nil
}

// withLink finds the live link of token and its open case, and runs fn in
// the same transaction; a link that does not qualify is ErrLinkInvalid
// and spends one try of the client address's budget.
func (s *Service) withLink(ctx context.Context, token, clientIP string, fn func(*data.Tx, *pendingLink) error) error {
	budgets := []budget{{"link_address", "link:addr:" + clientIP, LinkTriesPerAddress, LinkWindow}}
	spent, err := s.reserveAttempt(ctx, budgets)
	if err != nil {
		return err
	}
	if spent != "" {
		// Anyone can ask this page as often as they like: only the first
		// refusal of a window is audited, so an address hammering it
		// cannot grow the append-only audit trail without bound.
		first, err := s.reserveAttempt(ctx, []budget{{"link_refusal", "link:refused:" + clientIP, 1, LinkWindow}})
		if err != nil {
			return err
		}
		if first != "" {
			return ErrAttemptLimit
		}
		return s.refuseAttempt(ctx, data.AuditEvent{ActorKind: "customer", ClientIP: clientIP, Detail: "method=link"}, spent)
	}
	return s.DB.InTx(ctx, func(tx *data.Tx) error {
		l, err := findLink(ctx, tx, token)
		if err != nil {
			return err
		}
		if !tx.Now().Before(l.expiresAt) || l.kase.Status != CaseOpen {
			return ErrLinkInvalid
		}
		if err := releaseAttempt(ctx, tx, budgets); err != nil {
			return err
		}
		return fn(tx, l)
	})
}

// newLinkToken is 32 random bytes, base64url: not guessable, so a
// per-address budget is enough against guessing.
func newLinkToken() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// hashLinkToken is what the database keeps: a leaked table opens no link.
// The token has 256 bits, so a plain SHA-256 suffices.
func hashLinkToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}
