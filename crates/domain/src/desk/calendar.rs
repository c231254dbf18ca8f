//! Hearings as iCalendar (RFC 5545) for the departments' calendars (issue
//! 18): all-day events (`VALUE=DATE`: a hearing day is a calendar date, so
//! no time zone is involved), `DTSTAMP` in UTC, stable `UID`s, text escaped
//! (`\\`, `;`, `,`, newlines), lines folded at 75 octets without splitting
//! a UTF-8 character, CRLF line ends.

use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

/// Whether an event is settled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventStatus {
    Confirmed,
    Tentative,
}

/// One all-day event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarEvent {
    /// Stable across requests: the same event keeps its UID.
    pub uid: String,
    /// When the information last changed (`DTSTAMP`, `LAST-MODIFIED`).
    pub stamp: DateTime<Utc>,
    /// Increases whenever the event changes (`SEQUENCE`).
    pub sequence: i64,
    pub date: NaiveDate,
    pub summary: String,
    pub description: String,
    pub status: EventStatus,
    pub url: Option<String>,
}

/// What one hearing contributes to a calendar.
pub struct HearingFacts<'a> {
    pub id: Uuid,
    pub version: i64,
    pub updated_at: DateTime<Utc>,
    /// The case reference (`ZLG-2026-0001`) and title.
    pub reference: &'a str,
    pub title: &'a str,
    pub agenda: &'a str,
    pub held_on: Option<NaiveDate>,
    pub proposed_dates: &'a [NaiveDate],
    pub answer_due_on: Option<NaiveDate>,
    /// The case in the front end.
    pub link: &'a str,
}

/// The events of a hearing: the day it was held (confirmed), or else each
/// proposed day (tentative); and the answer's due date.
pub fn hearing_events(hearing: &HearingFacts<'_>) -> Vec<CalendarEvent> {
    let event =
        |uid: String, date: NaiveDate, summary: String, status: EventStatus| CalendarEvent {
            uid,
            stamp: hearing.updated_at,
            sequence: hearing.version - 1,
            date,
            summary,
            description: format!("{}\n{}", hearing.agenda, hearing.link),
            status,
            url: Some(hearing.link.to_owned()),
        };
    let name = format!("[{}] {}", hearing.reference, hearing.title);
    let mut out = Vec::new();
    match hearing.held_on {
        Some(day) => out.push(event(
            format!("hearing-{}@living-gate", hearing.id),
            day,
            format!("ヒアリング {name}"),
            EventStatus::Confirmed,
        )),
        None => {
            for day in hearing.proposed_dates {
                out.push(event(
                    format!(
                        "hearing-{}-{}@living-gate",
                        hearing.id,
                        day.format("%Y%m%d")
                    ),
                    *day,
                    format!("ヒアリング候補日 {name}"),
                    EventStatus::Tentative,
                ));
            }
        }
    }
    if let Some(due) = hearing.answer_due_on {
        out.push(event(
            format!("hearing-{}-due@living-gate", hearing.id),
            due,
            format!("ヒアリング回答期限 {name}"),
            EventStatus::Confirmed,
        ));
    }
    out
}

/// A whole `VCALENDAR` named `name`.
pub fn calendar(name: &str, events: &[CalendarEvent]) -> String {
    let mut out = String::new();
    let mut line = |text: &str| push_folded(&mut out, text);
    line("BEGIN:VCALENDAR");
    line("VERSION:2.0");
    line("PRODID:-//Zama City//Living Gate//JA");
    line("CALSCALE:GREGORIAN");
    line("METHOD:PUBLISH");
    line(&format!("X-WR-CALNAME:{}", escape(name)));
    line("X-WR-TIMEZONE:Asia/Tokyo");
    for e in events {
        let stamp = e.stamp.format("%Y%m%dT%H%M%SZ").to_string();
        line("BEGIN:VEVENT");
        line(&format!("UID:{}", escape(&e.uid)));
        line(&format!("DTSTAMP:{stamp}"));
        line(&format!("LAST-MODIFIED:{stamp}"));
        line(&format!("SEQUENCE:{}", e.sequence.max(0)));
        line(&format!("DTSTART;VALUE=DATE:{}", e.date.format("%Y%m%d")));
        let next = e.date.succ_opt().unwrap_or(e.date);
        line(&format!("DTEND;VALUE=DATE:{}", next.format("%Y%m%d")));
        line(&format!("SUMMARY:{}", escape(&e.summary)));
        if !e.description.is_empty() {
            line(&format!("DESCRIPTION:{}", escape(&e.description)));
        }
        if let Some(url) = &e.url {
            line(&format!("URL:{url}"));
        }
        line(match e.status {
            EventStatus::Confirmed => "STATUS:CONFIRMED",
            EventStatus::Tentative => "STATUS:TENTATIVE",
        });
        line("TRANSP:TRANSPARENT");
        line("END:VEVENT");
    }
    line("END:VCALENDAR");
    out
}

/// TEXT escaping (RFC 5545 §3.3.11).
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                out.push_str("\\n");
            }
            '\n' => out.push_str("\\n"),
            // Other control characters are not allowed in TEXT.
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// A content line folded at 75 octets (RFC 5545 §3.1): each continuation
/// starts with a space, and no UTF-8 character is split.
fn push_folded(out: &mut String, line: &str) {
    let mut width = 0;
    for c in line.chars() {
        let len = c.len_utf8();
        if width + len > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += len;
    }
    out.push_str("\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_text_and_folds_long_lines_at_75_octets_between_characters() {
        assert_eq!(escape("a,b;c\\d\ne\r\nf"), "a\\,b\\;c\\\\d\\ne\\nf");
        let mut out = String::new();
        let long = format!("SUMMARY:{}", "居場所づくり".repeat(10));
        push_folded(&mut out, &long);
        for physical in out.split("\r\n").filter(|l| !l.is_empty()) {
            assert!(physical.len() <= 75, "{} octets", physical.len());
        }
        let unfolded = out.trim_end_matches("\r\n").replace("\r\n ", "");
        assert_eq!(unfolded, long);
    }

    #[test]
    fn a_held_hearing_is_one_confirmed_day_an_open_one_its_proposed_days() {
        let day = |d| NaiveDate::from_ymd_opt(2026, 5, d).expect("date");
        let mut hearing = HearingFacts {
            id: Uuid::nil(),
            version: 2,
            updated_at: Utc::now(),
            reference: "ZLG-2026-0001",
            title: "居場所",
            agenda: "議題",
            held_on: None,
            proposed_dates: &[day(20), day(22)],
            answer_due_on: Some(day(29)),
            link: "http://localhost:8080/cases/x",
        };
        let open = hearing_events(&hearing);
        assert_eq!(open.len(), 3);
        assert!(open[..2].iter().all(|e| e.status == EventStatus::Tentative));
        hearing.held_on = Some(day(22));
        let held = hearing_events(&hearing);
        assert_eq!(held.len(), 2);
        assert_eq!(held[0].status, EventStatus::Confirmed);
        assert_eq!(held[0].uid, format!("hearing-{}@living-gate", Uuid::nil()));
        let ics = calendar("座間市", &held);
        assert!(ics.starts_with("BEGIN:VCALENDAR\r\n") && ics.ends_with("END:VCALENDAR\r\n"));
        assert!(ics.contains("DTSTART;VALUE=DATE:20260522\r\n"));
    }
}
