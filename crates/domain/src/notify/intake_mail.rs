//! The mails of the public intake: the one-time code proving the contact's
//! address, and the reference number once the case is registered. Japanese
//! first, with English below (the contact has no language setting yet).

use super::{Language, Mail, MailKind};
use crate::Email;

/// The code mail: `code` is valid `minutes` minutes.
pub fn intake_code(to: Email, desk: &str, title: &str, code: &str, minutes: i64) -> Mail {
    Mail {
        kind: MailKind::IntakeCode,
        to,
        language: Language::Ja,
        subject: format!("【{desk}】確認コード {code} / Your confirmation code"),
        body: format!(
            "{desk}へのご提案・ご相談「{title}」を受け付けるには、次の確認コードを入力してください。\n\n確認コード: {code}\n\nコードの有効期限は{minutes}分です。お心当たりのない場合は、このメールを破棄してください。\n\n---\nTo register your proposal \"{title}\" with {desk}, enter this confirmation code:\n\n{code}\n\nThe code is valid for {minutes} minutes. If you did not submit anything, ignore this mail.\n"
        ),
    }
}

/// The receipt: the case is registered under `reference`.
pub fn intake_received(to: Email, desk: &str, title: &str, reference: &str) -> Mail {
    Mail {
        kind: MailKind::IntakeReceived,
        to,
        language: Language::Ja,
        subject: format!("【{desk}】受付番号 {reference} / Received: {reference}"),
        body: format!(
            "{desk}へのご提案・ご相談「{title}」を受け付けました。\n受付番号: {reference}\n\nお問い合わせの際は受付番号をお伝えください。本窓口は全ての提案の受け入れや即時事業化を約束するものではなく、最終的な実施判断は各所管課が行います。\n\n---\nYour proposal \"{title}\" to {desk} is registered.\nReference: {reference}\n\nPlease quote the reference when you contact us. The desk does not promise acceptance or immediate implementation; the responsible department decides.\n"
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn to() -> Email {
        Email::parse("to", "contact@example.jp").expect("address")
    }

    #[test]
    fn the_code_is_in_subject_and_body() {
        let mail = intake_code(to(), "ざま共創官民連携窓口", "居場所づくり", "042917", 30);
        assert_eq!(mail.kind, MailKind::IntakeCode);
        assert!(mail.subject.contains("042917"));
        assert!(mail.body.contains("確認コード: 042917"));
        assert!(mail.body.contains("30分"));
    }

    #[test]
    fn the_receipt_names_the_reference() {
        let mail = intake_received(to(), "窓口", "居場所づくり", "ZLG-2026-0007");
        assert_eq!(mail.kind, MailKind::IntakeReceived);
        assert!(mail.subject.contains("ZLG-2026-0007"));
        assert!(mail.body.contains("受付番号: ZLG-2026-0007"));
    }
}
