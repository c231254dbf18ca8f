//! Attachments (issue 15): files on cases, hearings and logic-model
//! versions. [`files`]: upload and download, the size limit, hostile
//! names, empty bodies; [`visibility`]: who sees which file; [`scanning`]:
//! the real clamd with the EICAR test file, clean files, clamd down, and
//! public uploads.

mod files;
mod scanning;
mod visibility;

use crate::harness::{TestApp, Who};
use reqwest::{Method, Response};

/// A small but real PDF (one empty page).
pub const PDF: &[u8] = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n\
2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n\
3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n\
trailer<</Root 1 0 R>>\n%%EOF\n";

/// POSTs `content` as the raw body to `path` (`?file_name=` and more
/// already in it) as `who`.
pub async fn upload(
    app: &TestApp,
    path: &str,
    who: Who,
    content_type: &str,
    content: Vec<u8>,
) -> Response {
    app.request(Method::POST, path, who)
        .header("content-type", content_type)
        .body(content)
        .send()
        .await
        .expect("upload")
}

/// The lower-case hex SHA-256 of `bytes`.
pub fn sha256(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}
