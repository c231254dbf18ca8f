//! The mails about an account: the password reset link. Japanese first,
//! with English below.

use super::{Language, Mail, MailKind};
use crate::Email;

/// The reset mail: `link` carries the one-time token, valid `minutes`.
pub fn password_reset(to: Email, link: &str, minutes: i64) -> Mail {
    Mail {
        kind: MailKind::PasswordReset,
        to,
        language: Language::Ja,
        subject: "【ZAMA Living Gate】パスワードの再設定 / Password reset".to_owned(),
        body: format!(
            "パスワードの再設定が依頼されました。次のリンクから{minutes}分以内に新しいパスワードを設定してください（一度だけ使えます）。\n\n{link}\n\nお心当たりのない場合は、このメールを破棄してください。パスワードは変わりません。\n\n---\nA password reset was requested. Set a new password within {minutes} minutes with this link (it works once):\n\n{link}\n\nIf you did not ask for this, ignore this mail; your password stays as it is.\n"
        ),
    }
}

/// The invitation of an intake's contact to become `organization`'s partner
/// user: `link` carries the one-time token, valid `days`.
pub fn partner_invitation(to: Email, organization: &str, link: &str, days: i64) -> Mail {
    Mail {
        kind: MailKind::PartnerInvitation,
        to,
        language: Language::Ja,
        subject: format!("【ZAMA Living Gate】{organization} のアカウントへのご招待 / Invitation"),
        body: format!(
            "窓口が{organization}の登録を確認しました。次のリンクからパスワードを設定すると、提案の状況をご覧いただけます（{days}日間有効、一度だけ使えます）。\n\n{link}\n\n---\nThe desk has confirmed {organization}. Set your password with this link to follow your proposal (valid {days} days, works once):\n\n{link}\n"
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_link_is_in_the_body() {
        let to = Email::parse("to", "desk@zama.example.jp").expect("address");
        let mail = password_reset(to, "http://localhost:8080/password-reset?token=abc", 30);
        assert_eq!(mail.kind, MailKind::PasswordReset);
        assert!(mail
            .body
            .contains("http://localhost:8080/password-reset?token=abc"));
        assert!(mail.body.contains("30分"));
    }

    #[test]
    fn the_invitation_names_the_organization_and_the_link() {
        let to = Email::parse("to", "hanako@example.jp").expect("address");
        let mail = partner_invitation(to, "株式会社さがみ技研", "http://x/invitations/t", 7);
        assert_eq!(mail.kind, MailKind::PartnerInvitation);
        assert!(mail.subject.contains("株式会社さがみ技研"));
        assert!(mail.body.contains("http://x/invitations/t"));
    }
}
