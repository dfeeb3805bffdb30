package notify

import "time"

// Notices of what support did on the customer's account (docs/design.md §2:
// "MFA reset by support"). They go to every verified contact, like the other
// security notices.

// MFAResetBySupport tells the customer support removed their second
// factors, that they will enrol again at the next login, and until when
// withdrawals are held.
func MFAResetBySupport(at, holdUntil time.Time) Message {
	return withEnglish(notice("mfa_reset", "多要素認証がリセットされました",
		"お客様からのご依頼により、お客様サポートが多要素認証（認証アプリ・SMS認証・パスキー）をリセットしました。"+
			"次回ログインしたときに、新しい認証アプリなどを登録してください。\n\n"+
			"安全のため、"+jstTime(holdUntil)+"（日本時間）まで出金（出金指示・即時出金）を停止しています。", at),
		"Your multi-factor authentication was reset", "At your request, customer support reset your multi-factor "+
			"authentication (authenticator app, SMS verification and passkeys). The next time you log in, please register "+
			"a new authenticator app or another method.\n\n"+heldUntilEN(holdUntil), at)
}

// UnlockedBySupport tells the customer support lifted the lock that
// repeated wrong codes had put on their login.
func UnlockedBySupport(at time.Time) Message {
	return withEnglish(notice("mfa_unlocked", "ログインの停止を解除しました",
		"お客様からのご依頼により、確認コードの誤りが続いたために停止していたログインを、"+
			"お客様サポートがご本人確認のうえ解除しました。", at),
		"Your login is no longer paused", "At your request, customer support checked it was you and lifted the pause "+
			"that repeated wrong verification codes had put on your login.", at)
}
