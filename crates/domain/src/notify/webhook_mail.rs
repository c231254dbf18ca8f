//! The desk's mail when a webhook subscription stopped because its
//! receiver failed for too long (issue 16).

use super::Language;

/// What the desk is told: which subscription, where it sent, since when it
/// fails, the last error, and where to look.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FailingWebhook<'a> {
    pub description: &'a str,
    pub callback_url: &'a str,
    /// RFC 3339.
    pub failing_since: &'a str,
    pub last_error: &'a str,
    /// The subscription in the API (its delivery log beside it).
    pub link: &'a str,
}

/// The subject and plain-text body.
pub fn render(language: Language, failing: &FailingWebhook<'_>) -> (String, String) {
    let ja = language == Language::Ja;
    let subject = if ja {
        "Webhook の配信を停止しました"
    } else {
        "A webhook subscription stopped"
    }
    .to_owned();
    let mut body = String::new();
    body.push_str(if ja {
        "受信側が長時間応答しないため、Webhook の配信を停止しました。受信側を直したら、購読を再開（state: active）してください。止まった時点から配信を再開し、イベントは失われません。\n\n"
    } else {
        "The receiver failed for too long, so the webhook subscription stopped. Once the receiver is fixed, resume the subscription (state: active): delivery goes on from where it stopped, nothing is lost.\n\n"
    });
    let mut line = |ja_label: &str, en_label: &str, value: &str| {
        body.push_str(if ja { ja_label } else { en_label });
        body.push_str(value);
        body.push('\n');
    };
    if !failing.description.is_empty() {
        line("説明: ", "Description: ", failing.description);
    }
    line("送信先: ", "Callback: ", failing.callback_url);
    line("失敗の開始: ", "Failing since: ", failing.failing_since);
    line("最後のエラー: ", "Last error: ", failing.last_error);
    line("購読: ", "Subscription: ", failing.link);
    body.push_str("\n-- \n");
    body.push_str(if ja {
        "ざま共創官民連携窓口（ZAMA Living Gate）\nこのメールは送信専用です。\n"
    } else {
        "ZAMA Living Gate (Zama City public-private co-creation desk)\nThis is an automatic message.\n"
    });
    (subject, body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_mail_names_the_receiver_and_how_to_resume() {
        let failing = FailingWebhook {
            description: "市民協働課",
            callback_url: "https://hooks.example.jp/lg",
            failing_since: "2026-12-01T00:00:00Z",
            last_error: "HTTP 503",
            link: "https://api.example.jp/v1/webhook-subscriptions/1",
        };
        for language in [Language::Ja, Language::En] {
            let (subject, body) = render(language, &failing);
            assert!(!subject.is_empty());
            for part in [failing.callback_url, failing.last_error, failing.link] {
                assert!(body.contains(part), "{language:?}: {part}");
            }
            assert!(body.contains("active"));
        }
    }
}
