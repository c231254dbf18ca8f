//! Files a browser or Excel downloads: CSV as an attachment.

use actix_web::http::header;
use actix_web::HttpResponse;

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
