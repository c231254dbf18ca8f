//! Files a browser or Excel downloads: CSV as an attachment.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse};

/// `body` (CSV, UTF-8 with BOM) as the attachment `<file>.csv`.
pub fn csv<B: actix_web::body::MessageBody + 'static>(file: &str, body: B) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{file}.csv\""),
        ))
        .insert_header((header::VARY, "Accept"))
        .body(body)
}

/// `Accept` names `text/csv`.
pub fn wants_csv(req: &HttpRequest) -> bool {
    req.headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| accept.to_ascii_lowercase().contains("text/csv"))
}
