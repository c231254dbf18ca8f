//! Attachments (issue 15): files on a case, a hearing or a logic-model
//! version. What they hang off, where they came from, what the virus
//! scanner said, which file names are kept, what the bytes are, and whether
//! the content may be handed out.

use serde::{Deserialize, Serialize};

/// What an attachment hangs off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AttachedTo {
    /// The case itself (a 企画書, slides).
    Proposal,
    /// A hearing (its minutes): the desk and that department only.
    Hearing,
    /// One version of the case's logic model.
    LogicModel,
}

crate::code::codes!(AttachedTo {
    Proposal => "proposal",
    Hearing => "hearing",
    LogicModel => "logic_model",
});

/// Who brought the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AttachmentSource {
    /// The desk or a department.
    Staff,
    /// A signed-in partner (the proposer).
    Partner,
    /// The anonymous public intake: always scanned before anyone downloads it.
    Public,
}

crate::code::codes!(AttachmentSource {
    Staff => "staff",
    Partner => "partner",
    Public => "public",
});

/// What the virus scanner said.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ScanStatus {
    /// No scanner is configured (staff and partner uploads only).
    NotScanned,
    Clean,
    /// A signature matched: the file is quarantined.
    Infected,
    /// The scanner failed (unreachable, timed out, refused the stream).
    Error,
}

crate::code::codes!(ScanStatus {
    NotScanned => "not_scanned",
    Clean => "clean",
    Infected => "infected",
    Error => "error",
});

/// The most bytes of a file name kept (UTF-8), without its extension's share.
pub const MAX_FILE_NAME_BYTES: usize = 255;

/// A file name safe to store and to send back in `Content-Disposition`:
/// the last path segment only (`/` and `\` both separate), no control or
/// bidirectional-override characters, no leading dots or surrounding
/// spaces, at most [`MAX_FILE_NAME_BYTES`] bytes (cut at a character
/// boundary, keeping a short extension). Nothing left: `None`.
pub fn sanitize_file_name(raw: &str) -> Option<String> {
    let last = raw.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String = last
        .chars()
        .filter(|c| !c.is_control() && !is_invisible_override(*c))
        .map(|c| {
            if matches!(c, '"' | ':' | '*' | '?' | '<' | '>' | '|') {
                '_'
            } else {
                c
            }
        })
        .collect();
    let trimmed = cleaned.trim().trim_start_matches('.').trim();
    if trimmed.is_empty() {
        return None;
    }
    Some(shorten(trimmed, MAX_FILE_NAME_BYTES))
}

fn is_invisible_override(c: char) -> bool {
    matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{feff}')
}

/// `name` cut to `limit` bytes at a character boundary; an extension of up
/// to 16 bytes survives the cut.
fn shorten(name: &str, limit: usize) -> String {
    if name.len() <= limit {
        return name.to_owned();
    }
    let (stem, extension) = match name.rfind('.') {
        Some(dot) if name.len() - dot <= 16 && dot > 0 => name.split_at(dot),
        _ => (name, ""),
    };
    let mut end = limit - extension.len();
    while !stem.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}{extension}", &stem[..end])
}

/// The type of a file by its first bytes (magic numbers), when known.
pub fn detect_type(head: &[u8]) -> Option<&'static str> {
    infer::get(head).map(|kind| kind.mime_type())
}

/// How many leading bytes [`detect_type`] needs at most.
pub const DETECTION_BYTES: usize = 8192;

/// Why the content of an attachment is not handed out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Withheld {
    /// The scanner found something: nobody downloads it.
    Quarantined { verdict: String },
    /// A public upload that was not scanned clean (scanner error).
    Unscanned,
}

/// Whether the content may be downloaded: never when quarantined; a
/// public upload only once scanned clean. Staff and partner uploads that no
/// scanner saw (none configured, or it failed) are handed out.
pub fn downloadable(
    source: AttachmentSource,
    status: ScanStatus,
    quarantined: bool,
    verdict: Option<&str>,
) -> Result<(), Withheld> {
    if quarantined || status == ScanStatus::Infected {
        return Err(Withheld::Quarantined {
            verdict: verdict.unwrap_or("infected").to_owned(),
        });
    }
    if source == AttachmentSource::Public && status != ScanStatus::Clean {
        return Err(Withheld::Unscanned);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_lose_paths_controls_and_overrides() {
        assert_eq!(
            sanitize_file_name("../../etc/passwd").as_deref(),
            Some("passwd")
        );
        assert_eq!(
            sanitize_file_name("C:\\Users\\a\\企画書.pdf").as_deref(),
            Some("企画書.pdf")
        );
        assert_eq!(
            sanitize_file_name("a\u{0}b\r\nc.pdf").as_deref(),
            Some("abc.pdf")
        );
        assert_eq!(
            sanitize_file_name("evil\u{202e}fdp.exe").as_deref(),
            Some("evilfdp.exe")
        );
        assert_eq!(
            sanitize_file_name("say \"hi\".txt").as_deref(),
            Some("say _hi_.txt")
        );
        assert_eq!(sanitize_file_name(".htaccess").as_deref(), Some("htaccess"));
        assert_eq!(sanitize_file_name("  ").as_deref(), None);
        assert_eq!(sanitize_file_name("dir/").as_deref(), None);
        assert_eq!(sanitize_file_name("..").as_deref(), None);
    }

    #[test]
    fn long_names_are_cut_at_a_character_keeping_the_extension() {
        let long = format!("{}.pdf", "企".repeat(200));
        let short = sanitize_file_name(&long).expect("a name");
        assert!(short.len() <= MAX_FILE_NAME_BYTES, "{}", short.len());
        assert!(short.ends_with("企.pdf"), "{short}");
        let no_extension = "a".repeat(1000);
        assert_eq!(
            sanitize_file_name(&no_extension).map(|n| n.len()),
            Some(255)
        );
    }

    #[test]
    fn types_are_detected_by_magic_numbers() {
        assert_eq!(detect_type(b"%PDF-1.4\n%..."), Some("application/pdf"));
        assert_eq!(
            detect_type(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"),
            Some("image/png")
        );
        assert_eq!(detect_type(b"just text"), None);
    }

    #[test]
    fn quarantined_and_unscanned_public_files_are_withheld() {
        use AttachmentSource::*;
        use ScanStatus::*;
        assert_eq!(
            downloadable(Staff, Infected, true, Some("Eicar-Signature")),
            Err(Withheld::Quarantined {
                verdict: "Eicar-Signature".into()
            })
        );
        assert_eq!(
            downloadable(Public, Error, false, None),
            Err(Withheld::Unscanned)
        );
        assert_eq!(
            downloadable(Public, NotScanned, false, None),
            Err(Withheld::Unscanned)
        );
        assert_eq!(downloadable(Public, Clean, false, None), Ok(()));
        assert_eq!(downloadable(Staff, NotScanned, false, None), Ok(()));
        assert_eq!(downloadable(Partner, Error, false, None), Ok(()));
    }
}
