//! The reminder when a due date passed (issue 18, `due_date_passed`): to
//! the department concerned and to the case's coordinator (or the desk), in
//! Japanese or English. It says what is due since when, and links to the
//! case; it holds nothing of the hearing's notes or the case's internal
//! reasons.

use super::Language;
use crate::desk::due::Due;
use chrono::NaiveDate;

/// What a reminder may tell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reminder<'a> {
    pub due: Due,
    /// `ZLG-2026-0001`.
    pub reference: &'a str,
    pub title: &'a str,
    pub due_on: NaiveDate,
    /// The case in the front end.
    pub link: &'a str,
}

/// The subject and the plain-text body.
pub fn render(language: Language, reminder: &Reminder<'_>) -> (String, String) {
    let ja = language == Language::Ja;
    let (what_ja, what_en) = match reminder.due {
        Due::HearingAnswer => ("ヒアリングの回答期限", "The answer to a hearing"),
        Due::Decision => ("案件化判断の期限", "The decision"),
    };
    let subject = if ja {
        format!("[{}] {what_ja}を過ぎました", reminder.reference)
    } else {
        format!("[{}] {what_en} is overdue", reminder.reference)
    };
    let due_on = reminder.due_on.format("%Y-%m-%d").to_string();
    let mut body = String::new();
    if ja {
        body.push_str(&format!(
            "{what_ja}（{due_on}）を過ぎましたが、まだ完了していません。\n\n"
        ));
    } else {
        body.push_str(&format!(
            "{what_en} was due on {due_on} and is not done yet.\n\n"
        ));
    }
    let mut line = |ja_label: &str, en_label: &str, value: &str| {
        body.push_str(if ja { ja_label } else { en_label });
        body.push_str(value);
        body.push('\n');
    };
    line("案件番号: ", "Reference: ", reminder.reference);
    line("件名: ", "Title: ", reminder.title);
    line("期限: ", "Due on: ", &due_on);
    body.push_str(if ja {
        "\n詳しくは次のページをご覧ください:\n"
    } else {
        "\nSee the case:\n"
    });
    body.push_str(reminder.link);
    body.push_str("\n\n-- \n");
    body.push_str(if ja {
        "ざま共創官民連携窓口（ZAMA Living Gate）\nこのメールは送信専用です。通知の設定はマイページで変更できます。\n"
    } else {
        "ZAMA Living Gate (Zama City public-private co-creation desk)\nThis is an automatic message. You can turn notifications off in your settings.\n"
    });
    (subject, body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn says_what_is_due_since_when_in_both_languages() {
        let reminder = Reminder {
            due: Due::HearingAnswer,
            reference: "ZLG-2026-0001",
            title: "居場所づくり",
            due_on: NaiveDate::from_ymd_opt(2026, 6, 10).expect("date"),
            link: "http://localhost:8080/cases/x",
        };
        let (subject, body) = render(Language::Ja, &reminder);
        assert_eq!(subject, "[ZLG-2026-0001] ヒアリングの回答期限を過ぎました");
        assert!(body.contains("2026-06-10") && body.contains("居場所づくり"));
        let (subject, body) = render(Language::En, &reminder);
        assert_eq!(
            subject,
            "[ZLG-2026-0001] The answer to a hearing is overdue"
        );
        assert!(body.contains("due on 2026-06-10"));
    }
}
