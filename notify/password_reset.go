package notify

import (
	"fmt"
	"time"
)

// PasswordResetCode is the code that proves a forgotten-password reset.
// It asks nobody to pass it on and carries no link.
func PasswordResetCode(code string, ttl time.Duration, channel string) Message {
	if channel == SMS {
		return Message{Kind: "password_reset_code", Body: fmt.Sprintf(
			"mfadesk証券 パスワード再設定の確認コード %s（%d分間有効）。当社から電話等でコードを聞くことはありません。", code, minutes(ttl)),
			English: &Message{Body: smsCodeEN("password reset code", code, minutes(ttl))}}
	}
	return Message{
		Kind:    "password_reset_code",
		Subject: "【mfadesk証券】パスワード再設定の確認コード",
		Body: fmt.Sprintf("ログインパスワードの再設定を確認するためのコードは %s です。\n\n"+
			"有効期限は%d分です。このコードは誰にも教えないでください。"+
			"当社の社員が電話やメールでコードをお尋ねすることはありません。\n\n"+
			"お心当たりのない場合は、このメールを破棄し、お客様サポート（0120-000-000）へご連絡ください。", code, minutes(ttl)) + signature,
		English: emailCodeEN("Password reset verification code", "The code to confirm the reset of your login password is "+
			code+".", minutes(ttl),
			"If you did not ask for this, please delete this email and contact customer support (0120-000-000)."),
	}
}

// PasswordReset tells the customer their forgotten login password was
// reset: every session was ended and withdrawals are held until holdUntil.
// It goes to every verified contact and carries neither link nor code.
func PasswordReset(at, holdUntil time.Time) Message {
	return withEnglish(notice("password_reset", "ログインパスワードが再設定されました",
		"「パスワードをお忘れの方」のお手続きにより、お客様のログインパスワードが再設定されました。"+
			"安全のため、すべての端末やブラウザーでのログインを終了しました。\n\n"+
			"また、"+jstTime(holdUntil)+"（日本時間）まで出金（出金指示・即時出金）を停止しています。", at),
		"Your login password was reset", "Your login password was reset through \"Forgot your password?\". "+
			"For your security, every device and browser was logged out.\n\n"+heldUntilEN(holdUntil), at)
}
