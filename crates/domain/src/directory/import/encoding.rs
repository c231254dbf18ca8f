//! The encodings municipalities' CSV files come in: UTF-8 (with or without
//! a byte-order mark) or Shift_JIS/CP932, as Excel in Japan saves them.

use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use utoipa::ToSchema;

// No doc comment: it would change the schema in the OpenAPI document.
#[derive(Deserialize, Serialize, ToSchema, Clone, Copy, PartialEq, Eq, Debug)]
#[serde(rename_all = "snake_case")]
pub enum CsvEncoding {
    Utf8,
    ShiftJis,
}

/// Why the bytes of a file are not text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    #[error("the file is not valid UTF-8")]
    NotUtf8,
    #[error("the file is neither UTF-8 nor valid Shift_JIS (CP932)")]
    NotShiftJis,
}

/// The text of a file, and the encoding it was read in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded<'a> {
    /// Without the UTF-8 byte-order mark.
    pub text: Cow<'a, str>,
    pub encoding: CsvEncoding,
}

const UTF8_BOM: [u8; 3] = [0xEF, 0xBB, 0xBF];

/// Decodes the bytes of a CSV file. Unless `forced`, a UTF-8 byte-order
/// mark or valid UTF-8 is read as UTF-8, anything else as Shift_JIS.
pub fn decode(bytes: &[u8], forced: Option<CsvEncoding>) -> Result<Decoded<'_>, DecodeError> {
    let without_bom = bytes.strip_prefix(&UTF8_BOM);
    let encoding = forced.unwrap_or(
        if without_bom.is_some() || std::str::from_utf8(bytes).is_ok() {
            CsvEncoding::Utf8
        } else {
            CsvEncoding::ShiftJis
        },
    );
    let text = match encoding {
        CsvEncoding::Utf8 => std::str::from_utf8(without_bom.unwrap_or(bytes))
            .map(Cow::Borrowed)
            .map_err(|_| DecodeError::NotUtf8)?,
        CsvEncoding::ShiftJis => {
            let (text, _, had_errors) = encoding_rs::SHIFT_JIS.decode(bytes);
            if had_errors {
                return Err(DecodeError::NotShiftJis);
            }
            text
        }
    };
    Ok(Decoded { text, encoding })
}
