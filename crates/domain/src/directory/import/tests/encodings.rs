//! Decoding: UTF-8 with and without a byte-order mark, Shift_JIS/CP932, forced encodings.

use super::*;
use std::borrow::Cow;

const TEXT: &str = "外部キー,名称\r\nzama-001,ざま子ども食堂\r\n";

#[test]
fn utf8_without_a_bom_is_read_as_is() {
    let decoded = decode(TEXT.as_bytes(), None).expect("utf-8");
    assert_eq!(decoded.encoding, CsvEncoding::Utf8);
    assert_eq!(decoded.text, TEXT);
    assert!(matches!(decoded.text, Cow::Borrowed(_)), "not copied");
}

#[test]
fn a_utf8_bom_is_dropped() {
    let mut bytes = vec![0xEF, 0xBB, 0xBF];
    bytes.extend_from_slice(TEXT.as_bytes());
    for forced in [None, Some(CsvEncoding::Utf8)] {
        let decoded = decode(&bytes, forced).expect("utf-8");
        assert_eq!(decoded.encoding, CsvEncoding::Utf8);
        assert_eq!(decoded.text, TEXT);
    }
}

#[test]
fn shift_jis_bytes_are_read_as_shift_jis() {
    let (bytes, _, unmappable) = encoding_rs::SHIFT_JIS.encode(TEXT);
    assert!(!unmappable);
    assert!(std::str::from_utf8(&bytes).is_err(), "not UTF-8 by chance");
    let decoded = decode(&bytes, None).expect("shift_jis");
    assert_eq!(decoded.encoding, CsvEncoding::ShiftJis);
    assert_eq!(decoded.text, TEXT);
    // CP932 extensions Excel writes: ① and the NEC row.
    let (bytes, _, _) = encoding_rs::SHIFT_JIS.encode("①髙");
    assert_eq!(decode(&bytes, None).expect("cp932").text, "①髙");
}

#[test]
fn a_forced_encoding_wins() {
    let (sjis, _, _) = encoding_rs::SHIFT_JIS.encode(TEXT);
    assert_eq!(
        decode(&sjis, Some(CsvEncoding::Utf8)),
        Err(DecodeError::NotUtf8)
    );
    let ascii = decode(b"name\r\nx\r\n", Some(CsvEncoding::ShiftJis)).expect("ascii");
    assert_eq!(ascii.encoding, CsvEncoding::ShiftJis);
    assert_eq!(ascii.text, "name\r\nx\r\n");
}

#[test]
fn bytes_that_are_neither_are_refused() {
    let bytes = [0x82, 0xA0, 0xFF, 0xFF];
    assert_eq!(decode(&bytes, None), Err(DecodeError::NotShiftJis));
    assert_eq!(
        decode(&bytes, Some(CsvEncoding::Utf8)),
        Err(DecodeError::NotUtf8)
    );
    assert_eq!(
        DecodeError::NotShiftJis.to_string(),
        "the file is neither UTF-8 nor valid Shift_JIS (CP932)"
    );
}

#[test]
fn an_empty_file_is_utf8_and_has_no_header() {
    let decoded = decode(b"", None).expect("empty");
    assert_eq!(decoded.encoding, CsvEncoding::Utf8);
    let parsed = parse(&decoded.text, &region().lookups);
    assert!(parsed.rows.is_empty());
    assert!(problems(&parsed).contains(&("external_key".into(), "missing_column".into())));
}
