//! What the calendar outputs share (issue 18): whether the caller asked for
//! iCalendar, a hearing as the calendar sees it, and the response.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse};
use living_gate_db::desk::hearings::Hearing;
use living_gate_domain::desk::calendar::HearingFacts;

/// `Accept` names `text/calendar`.
pub fn wants_calendar(req: &HttpRequest) -> bool {
    req.headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| accept.to_ascii_lowercase().contains("text/calendar"))
}

/// A hearing of the case `reference` (`title`), linked to `link`.
pub fn facts<'a>(
    hearing: &'a Hearing,
    reference: &'a str,
    title: &'a str,
    link: &'a str,
) -> HearingFacts<'a> {
    HearingFacts {
        id: hearing.id,
        version: hearing.version,
        updated_at: hearing.updated_at,
        reference,
        title,
        agenda: &hearing.agenda,
        held_on: hearing.held_on,
        proposed_dates: &hearing.proposed_dates,
        answer_due_on: hearing.answer_due_on,
        link,
    }
}

/// `ics` as `text/calendar`, named `<file>.ics`, with its ETag when it
/// has one (distinct from the JSON representation's).
pub fn response(file: &str, etag: Option<String>, ics: String) -> HttpResponse {
    let mut response = HttpResponse::Ok();
    response
        .content_type("text/calendar; charset=utf-8")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("inline; filename=\"{file}.ics\""),
        ))
        .insert_header((header::VARY, "Accept, Accept-Encoding"));
    if let Some(etag) = etag {
        response.insert_header((header::ETAG, etag));
    }
    response.body(ics)
}
