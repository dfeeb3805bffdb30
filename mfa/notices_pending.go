package mfa

// Temporary: these move to notify/security.go (being written now); this
// file is deleted when it lands.

import (
	"context"
	"fmt"
	"time"

	"mfadesk/data"
	"mfadesk/notify"
)

func notifyCustomer(ctx context.Context, tx *data.Tx, c *data.Customer, m notify.Message) error {
	if c.HasValidEmail() {
		if err := notify.Queue(ctx, tx, c.ID, notify.Email, c.Email, m); err != nil {
			return err
		}
	}
	if c.PhoneVerified && c.Phone != "" {
		sms := notify.Message{Kind: m.Kind, Body: m.Subject + " 詳しくはメールまたは当社サイトをご確認ください。"}
		return notify.Queue(ctx, tx, c.ID, notify.SMS, c.Phone, sms)
	}
	return nil
}

func pendingMessage(kind, text string) notify.Message {
	return notify.Message{Kind: kind, Subject: "【mfadesk証券】" + text, Body: text}
}

func stepUpCodeMessage(code string, ttl time.Duration, channel string) notify.Message {
	return notify.Message{Kind: "stepup_code", Subject: "【mfadesk証券】確認コード", Body: fmt.Sprintf("確認コード %s（%d分間有効）", code, int(ttl/time.Minute))}
}

func contactCodeMessage(code string, ttl time.Duration, channel string) notify.Message {
	return notify.Message{Kind: "contact_code", Subject: "【mfadesk証券】連絡先確認コード", Body: fmt.Sprintf("確認コード %s（%d分間有効）", code, int(ttl/time.Minute))}
}
