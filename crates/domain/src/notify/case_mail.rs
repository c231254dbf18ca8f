//! The templates of the mails about a case (issue 15), in Japanese and in
//! English. The subject carries the case reference
//! (`[ZLG-2026-0001] 提案の状況が更新されました`); the body says what the
//! recipient may know and links to the case in the front end.
//!
//! What a template may say is what [`CaseMail`] holds: the reference, the
//! title, the statuses and the note meant for the proposer. The internal
//! reason of a move and internal messages are not in it, so no template
//! can leak them.

use super::{Language, MailKind};
use crate::desk::workflow::Status;

/// What a case mail may tell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseMail<'a> {
    /// `ZLG-2026-0001`.
    pub reference: &'a str,
    pub title: &'a str,
    /// The case in the front end.
    pub link: &'a str,
    pub from_status: Option<Status>,
    pub to_status: Option<Status>,
    /// Only in the proposer's `status_changed` mail.
    pub note_for_proposer: Option<&'a str>,
}

/// A status as the mail names it.
pub fn status_label(status: Status, language: Language) -> &'static str {
    let (ja, en) = match status {
        Status::Received => ("受付", "received"),
        Status::Organizing => ("内容整理", "organizing"),
        Status::Hearing => ("関係課ヒアリング", "hearing with departments"),
        Status::Matching => ("マッチング・調整", "matching"),
        Status::LogicModel => ("試行ロジックモデル作成", "logic model"),
        Status::AwaitingDecision => ("案件化判断待ち", "awaiting the decision"),
        Status::Adopted => ("案件化（TRIP）", "adopted (TRIP)"),
        Status::NotAdopted => ("案件化見送り", "not adopted"),
        Status::OpenProcurement => (
            "公募・競争による実施",
            "to be carried out through open procurement",
        ),
        Status::Declined => ("お受けできませんでした", "declined"),
        Status::Withdrawn => ("取り下げ", "withdrawn"),
        Status::OnHold => ("保留", "on hold"),
    };
    match language {
        Language::Ja => ja,
        Language::En => en,
    }
}

/// The subject line's text after the reference, and the body's first line.
fn headline(kind: MailKind, language: Language) -> (&'static str, &'static str) {
    let (ja, en) = match kind {
        MailKind::StatusChanged => (
            (
                "提案の状況が更新されました",
                "ご提案の状況が更新されました。",
            ),
            (
                "Your proposal's status changed",
                "The status of your proposal changed.",
            ),
        ),
        MailKind::MessageShared => (
            (
                "新しいメッセージがあります",
                "ご提案に新しいメッセージが届きました。",
            ),
            (
                "New message on your proposal",
                "There is a new message on your proposal.",
            ),
        ),
        MailKind::HearingRequested => (
            ("ヒアリングの依頼", "貴課へのヒアリングが依頼されました。"),
            (
                "Hearing requested",
                "A hearing was requested of your department.",
            ),
        ),
        MailKind::MatchProposed => (
            ("マッチングの提案", "貴課へのマッチングが提案されました。"),
            ("Match proposed", "A match was proposed to your department."),
        ),
        MailKind::DecisionAwaited => (
            (
                "案件化判断をお願いします",
                "貴課を所管課とする案件が案件化判断を待っています。",
            ),
            (
                "Awaiting your decision",
                "A case led by your department awaits its decision.",
            ),
        ),
        MailKind::IntakeConfirmed => (
            (
                "新しい提案を受け付けました",
                "新しい提案・相談が届きました。",
            ),
            (
                "New proposal received",
                "A new proposal or consultation arrived.",
            ),
        ),
        MailKind::HearingAnswered => (
            (
                "ヒアリングに回答がありました",
                "関係課がヒアリングに回答しました。",
            ),
            ("Hearing answered", "A department answered a hearing."),
        ),
        MailKind::MatchAccepted => (
            (
                "マッチングが承諾されました",
                "関係課がマッチングを承諾しました。",
            ),
            ("Match accepted", "A department accepted a match."),
        ),
        MailKind::MatchDeclined => (
            (
                "マッチングが辞退されました",
                "関係課がマッチングを辞退しました。",
            ),
            ("Match declined", "A department declined a match."),
        ),
        MailKind::Decided => (
            (
                "案件化判断が記録されました",
                "所管課が案件化判断を記録しました。",
            ),
            (
                "Decision recorded",
                "The lead department recorded its decision.",
            ),
        ),
        MailKind::AttachmentQuarantined => (
            (
                "添付ファイルを隔離しました",
                "アップロードされたファイルからウイルスが検出され、隔離されました。",
            ),
            (
                "Attachment quarantined",
                "An uploaded file was found infected and quarantined.",
            ),
        ),
        MailKind::DeliveryFailed => (
            (
                "メールを配信できませんでした",
                "通知メールを配信できませんでした。",
            ),
            (
                "A mail could not be delivered",
                "A notification could not be delivered.",
            ),
        ),
        MailKind::CoordinatorAssigned => (
            (
                "案件の担当者になりました",
                "あなたがこの案件の担当者に指定されました。",
            ),
            (
                "You coordinate a case",
                "You were made the coordinator of this case.",
            ),
        ),
        // Not case mails: their own templates render them (intake, account,
        // webhooks, due dates).
        MailKind::IntakeCode
        | MailKind::IntakeReceived
        | MailKind::PartnerInvitation
        | MailKind::PasswordReset
        | MailKind::WebhookFailing
        | MailKind::DueDatePassed => (("お知らせ", "お知らせです。"), ("Notice", "A notice.")),
    };
    match language {
        Language::Ja => ja,
        Language::En => en,
    }
}

/// The subject and the plain-text body of a `kind` mail about `case`.
pub fn render(kind: MailKind, language: Language, case: &CaseMail<'_>) -> (String, String) {
    let (title, first_line) = headline(kind, language);
    let subject = format!("[{}] {title}", case.reference);
    let ja = language == Language::Ja;
    let mut body = String::new();
    body.push_str(first_line);
    body.push_str("\n\n");
    body.push_str(if ja { "案件番号: " } else { "Reference: " });
    body.push_str(case.reference);
    body.push('\n');
    body.push_str(if ja { "件名: " } else { "Title: " });
    body.push_str(case.title);
    body.push('\n');
    if let (MailKind::StatusChanged | MailKind::Decided, Some(to)) = (kind, case.to_status) {
        if let Some(from) = case.from_status {
            body.push_str(if ja { "変更前: " } else { "From: " });
            body.push_str(status_label(from, language));
            body.push('\n');
        }
        body.push_str(if ja { "現在の状況: " } else { "Now: " });
        body.push_str(status_label(to, language));
        body.push('\n');
    }
    if kind == MailKind::StatusChanged {
        if let Some(note) = case.note_for_proposer.filter(|n| !n.trim().is_empty()) {
            body.push_str(if ja {
                "\n窓口からのお知らせ:\n"
            } else {
                "\nNote from the desk:\n"
            });
            body.push_str(note);
            body.push('\n');
        }
    }
    body.push_str(if ja {
        "\n詳しくは次のページをご覧ください:\n"
    } else {
        "\nSee the case:\n"
    });
    body.push_str(case.link);
    body.push_str("\n\n-- \n");
    body.push_str(if ja {
        "ざま共創官民連携窓口（ZAMA Living Gate）\nこのメールは送信専用です。通知の設定はマイページで変更できます。\n"
    } else {
        "ZAMA Living Gate (Zama City public-private co-creation desk)\nThis is an automatic message. You can turn notifications off in your settings.\n"
    });
    (subject, body)
}

/// What the desk is told of a message given up after its last try.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FailedDelivery<'a> {
    pub kind: MailKind,
    pub recipient: &'a str,
    /// The case reference, when the message was about a case.
    pub reference: Option<&'a str>,
    pub attempts: i32,
    /// The last error, as the log shows it.
    pub last_error: &'a str,
    /// The delivery log in the front end.
    pub link: &'a str,
}

/// The subject and body of the desk's `delivery_failed` mail. It names the
/// message (kind, recipient, case), never its body.
pub fn render_delivery_failed(language: Language, failed: &FailedDelivery<'_>) -> (String, String) {
    let (title, first_line) = headline(MailKind::DeliveryFailed, language);
    let subject = match failed.reference {
        Some(reference) => format!("[{reference}] {title}"),
        None => title.to_owned(),
    };
    let ja = language == Language::Ja;
    let mut body = format!("{first_line}\n\n");
    let mut line = |ja_label: &str, en_label: &str, value: &str| {
        body.push_str(if ja { ja_label } else { en_label });
        body.push_str(value);
        body.push('\n');
    };
    line("種類: ", "Kind: ", failed.kind.as_str());
    line("宛先: ", "To: ", failed.recipient);
    if let Some(reference) = failed.reference {
        line("案件番号: ", "Reference: ", reference);
    }
    line("試行回数: ", "Attempts: ", &failed.attempts.to_string());
    line("最後のエラー: ", "Last error: ", failed.last_error);
    body.push_str(if ja {
        "\n配信記録から再送できます:\n"
    } else {
        "\nYou can retry it from the delivery log:\n"
    });
    body.push_str(failed.link);
    body.push('\n');
    (subject, body)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn case<'a>() -> CaseMail<'a> {
        CaseMail {
            reference: "ZLG-2026-0001",
            title: "相模川の清掃",
            link: "http://localhost:8080/cases/1",
            from_status: Some(Status::Received),
            to_status: Some(Status::Organizing),
            note_for_proposer: Some("内容を確認しています"),
        }
    }

    #[test]
    fn the_subject_carries_the_reference_in_both_languages() {
        let (ja, _) = render(MailKind::StatusChanged, Language::Ja, &case());
        assert_eq!(ja, "[ZLG-2026-0001] 提案の状況が更新されました");
        let (en, _) = render(MailKind::StatusChanged, Language::En, &case());
        assert_eq!(en, "[ZLG-2026-0001] Your proposal's status changed");
    }

    #[test]
    fn a_status_mail_says_the_statuses_the_note_and_the_link() {
        let (_, body) = render(MailKind::StatusChanged, Language::Ja, &case());
        for part in [
            "相模川の清掃",
            "受付",
            "内容整理",
            "内容を確認しています",
            "http://localhost:8080/cases/1",
        ] {
            assert!(body.contains(part), "{part} in {body}");
        }
        let (_, english) = render(MailKind::StatusChanged, Language::En, &case());
        assert!(english.contains("Now: organizing"), "{english}");
    }

    #[test]
    fn only_the_proposers_status_mail_carries_the_note() {
        for kind in [
            MailKind::Decided,
            MailKind::MessageShared,
            MailKind::HearingRequested,
        ] {
            let (_, body) = render(kind, Language::Ja, &case());
            assert!(!body.contains("内容を確認しています"), "{kind:?}: {body}");
        }
    }

    #[test]
    fn the_desk_is_told_which_message_failed_never_its_body() {
        let failed = FailedDelivery {
            kind: MailKind::StatusChanged,
            recipient: "partner@example.jp",
            reference: Some("ZLG-2026-0001"),
            attempts: 8,
            last_error: "550 no such user",
            link: "http://localhost:8080/outbox",
        };
        let (subject, body) = render_delivery_failed(Language::Ja, &failed);
        assert_eq!(subject, "[ZLG-2026-0001] メールを配信できませんでした");
        for part in [
            "status_changed",
            "partner@example.jp",
            "550 no such user",
            "8",
        ] {
            assert!(body.contains(part), "{part} in {body}");
        }
    }

    #[test]
    fn every_status_has_a_label_in_both_languages() {
        for status in crate::desk::workflow::STEPS
            .into_iter()
            .chain([Status::Declined, Status::Withdrawn, Status::OnHold])
            .chain(Status::DECISIONS)
        {
            assert!(!status_label(status, Language::Ja).is_empty());
            assert!(status_label(status, Language::En).is_ascii());
        }
    }

    #[test]
    fn open_procurement_is_worded_in_both_languages_for_the_proposer_and_the_desk() {
        let procured = CaseMail {
            from_status: Some(Status::AwaitingDecision),
            to_status: Some(Status::OpenProcurement),
            note_for_proposer: Some("公募の際はぜひご参加ください。"),
            ..case()
        };
        for (kind, ja_note) in [(MailKind::StatusChanged, true), (MailKind::Decided, false)] {
            let (_, ja) = render(kind, Language::Ja, &procured);
            assert!(
                ja.contains("現在の状況: 公募・競争による実施"),
                "{kind:?}: {ja}"
            );
            assert!(ja.contains("案件化判断待ち"), "{kind:?}: {ja}");
            assert_eq!(
                ja.contains("公募の際はぜひご参加ください。"),
                ja_note,
                "{ja}"
            );
            let (_, en) = render(kind, Language::En, &procured);
            assert!(
                en.contains("Now: to be carried out through open procurement"),
                "{kind:?}: {en}"
            );
        }
    }
}
