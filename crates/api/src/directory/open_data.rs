//! `GET /v1/open-data/{municipality_code}/resources.csv`: the public part
//! of one city's directory as open data, in the layout of the 公共施設一覧
//! (public facilities) dataset of the 自治体標準オープンデータセット
//! (デジタル庁), UTF-8 with BOM, CRLF, one row per entry (its first
//! location), licensed CC BY 4.0 (`Link: rel="license"`).
//!
//! Only entries listed publicly (consent `listed`) of that city, as the
//! public sees them: the domain's redaction decides, so a hidden address or
//! phone is an empty cell and a hidden position is empty (a coarse one
//! rounded), exactly as in the HSDS export.

use crate::directory::entry_view::HiddenReads;
use crate::directory::export::{load_all, redacted};
use crate::http::problem::{ApiError, ApiResult};
use crate::state::AppState;
use actix_web::http::header;
use actix_web::{get, web, HttpResponse};
use living_gate_db::directory::resource_search::SearchFilter;
use living_gate_db::reference::municipalities;
use living_gate_domain::directory::details::{Cost, TranslationLanguage};
use living_gate_domain::directory::{Reader, Redacted};

/// The licence of the open data.
pub const LICENSE_URL: &str = "https://creativecommons.org/licenses/by/4.0/";

/// The columns of the 公共施設一覧 dataset, in its order.
pub const COLUMNS: [&str; 36] = [
    "全国地方公共団体コード",
    "ID",
    "地方公共団体名",
    "名称",
    "名称_カナ",
    "名称_英字",
    "名称_通称",
    "POIコード",
    "所在地_全国地方公共団体コード",
    "町字ID",
    "所在地_連結表記",
    "所在地_都道府県",
    "所在地_市区町村",
    "所在地_町字",
    "所在地_番地以下",
    "建物名等",
    "緯度",
    "経度",
    "電話番号",
    "内線番号",
    "連絡先メールアドレス",
    "連絡先FormURL",
    "連絡先備考（その他、SNSなど）",
    "郵便番号",
    "法人番号",
    "団体名",
    "利用可能曜日",
    "開始時間",
    "終了時間",
    "利用可能日時特記事項",
    "説明",
    "バリアフリー情報",
    "URL",
    "画像",
    "画像_ライセンス",
    "備考",
];

/// The public entries of one city as open data (CSV, CC BY 4.0); no token
/// needed. The URL is stable per city (its 全国地方公共団体コード).
#[utoipa::path(operation_id = "getOpenDataResources", tag = "directory", security(()),
    params(("municipality_code" = String, Path, description = "全国地方公共団体コード (6 digits), e.g. 142166 for Zama")),
    responses((status = 200, description = "The city's public entries, UTF-8 with BOM, CRLF",
        content((String = "text/csv", example = "\u{feff}全国地方公共団体コード,ID,地方公共団体名,名称,...\r\n")),
        headers(("Link" = String, description = "`<https://creativecommons.org/licenses/by/4.0/>; rel=\"license\"`")))))]
#[get("/open-data/{municipality_code}/resources.csv")]
pub async fn resources(
    state: web::Data<AppState>,
    code: web::Path<String>,
) -> ApiResult<HttpResponse> {
    if code.len() != 6 || !code.chars().all(|c| c.is_ascii_digit()) {
        return Err(ApiError::NotFound);
    }
    // Anonymous: a replica may answer (crate::http::read_routing).
    let mut conn = crate::http::read_routing::public_read(&state).await?;
    let city = municipalities::find_by_code(&mut conn, &code)
        .await?
        .ok_or(ApiError::NotFound)?;
    // As the public sees it: public entries, public fields.
    let reader = Reader::of(None, &[]);
    let filter = SearchFilter {
        staff: false,
        confidential: Vec::new(),
        terms: Vec::new(),
        topic: None,
        form: None,
        serves: None,
        municipality_id: Some(city.id),
        intent: None,
        legal_form: None,
        near: None,
    };
    let rows = load_all(&mut conn, &filter).await?;
    let entries = redacted(&mut conn, rows, &reader, &mut HiddenReads::default()).await?;
    let body = to_csv(&city, &entries);
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{}_resources.csv\"", city.code),
        ))
        .insert_header((header::LINK, format!("<{LICENSE_URL}>; rel=\"license\"")))
        .body(body))
}

/// Hiragana as katakana (名称_カナ is written in 全角カナ).
fn katakana(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            'ぁ'..='ゖ' => char::from_u32(c as u32 + 0x60).unwrap_or(c),
            _ => c,
        })
        .collect()
}

/// The open-data rows of `entries` (redacted for the public).
pub fn to_csv(city: &municipalities::Municipality, entries: &[Redacted]) -> Vec<u8> {
    let mut out = Vec::from("\u{feff}".as_bytes());
    {
        let mut writer = csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .from_writer(&mut out);
        let _ = writer.write_record(COLUMNS);
        for r in entries {
            let _ = writer.write_record(row(city, r));
        }
        let _ = writer.flush();
    }
    out
}

fn row(city: &municipalities::Municipality, r: &Redacted) -> Vec<String> {
    let d = &r.details;
    let first = r.locations.first();
    let part = |f: fn(&living_gate_domain::directory::Place) -> &Option<String>| {
        first.and_then(|l| f(l).clone()).unwrap_or_default()
    };
    let coordinate = |f: fn(&living_gate_domain::directory::Place) -> Option<f64>| {
        first.and_then(f).map(|v| v.to_string()).unwrap_or_default()
    };
    let address: String = [
        part(|l| &l.prefecture),
        part(|l| &l.city),
        part(|l| &l.street),
    ]
    .concat();
    let english = d
        .translations
        .iter()
        .find(|t| t.language == TranslationLanguage::En)
        .map(|t| t.name.clone())
        .unwrap_or_default();
    // The days and hours of the first location (or of every location).
    let periods: Vec<_> = d
        .opening_periods
        .iter()
        .filter(|p| p.location_index.is_none_or(|l| l == 0))
        .collect();
    let mut days: Vec<_> = periods.iter().map(|p| p.weekday).collect();
    days.sort_by_key(|d| *d as u8);
    days.dedup();
    let opens = periods
        .iter()
        .map(|p| p.opens_at.clone())
        .min()
        .unwrap_or_default();
    let closes = periods
        .iter()
        .map(|p| p.closes_at.clone())
        .max()
        .unwrap_or_default();
    let mut notes: Vec<String> = Vec::new();
    if let Some(hours) = &r.opening_hours {
        notes.push(hours.clone());
    }
    let simple = periods.len() == days.len()
        && periods
            .iter()
            .all(|p| p.opens_at == opens && p.closes_at == closes);
    if !simple {
        notes.push(
            periods
                .iter()
                .map(|p| format!("{} {}-{}", p.weekday.label_ja(), p.opens_at, p.closes_at))
                .collect::<Vec<_>>()
                .join(" "),
        );
    }
    for x in &d.opening_exceptions {
        let hours = match (&x.opens_at, &x.closes_at) {
            (Some(o), Some(c)) => format!("{o}-{c}"),
            _ => "休業".to_owned(),
        };
        let note = x
            .note
            .as_ref()
            .map(|n| format!(" ({n})"))
            .unwrap_or_default();
        notes.push(format!("{} {hours}{note}", x.date));
    }
    if d.by_appointment {
        notes.push("予約制".into());
    }
    if d.call_before_visiting {
        notes.push("事前に電話でご連絡ください".into());
    }
    let mut accessibility: Vec<String> = d
        .accessibility
        .iter()
        .map(|f| f.label_ja().to_owned())
        .collect();
    accessibility.extend(d.accessibility_note.clone());
    let mut remarks: Vec<String> = Vec::new();
    match d.cost {
        Some(Cost::Free) => remarks.push("利用料: 無料".into()),
        Some(Cost::Fee) => remarks.push("利用料: 有料".into()),
        None => {}
    }
    remarks.extend(d.cost_note.clone());
    if !r.languages.is_empty() {
        remarks.push(format!("対応言語: {}", r.languages.join(";")));
    }
    vec![
        city.code.clone(),
        r.id.to_string(),
        city.name.clone(),
        r.name.clone(),
        r.name_kana.as_deref().map(katakana).unwrap_or_default(),
        english,
        r.other_names.join(";"),
        String::new(),
        city.code.clone(),
        String::new(),
        address,
        part(|l| &l.prefecture),
        part(|l| &l.city),
        String::new(),
        part(|l| &l.street),
        part(|l| &l.label),
        coordinate(|l| l.latitude),
        coordinate(|l| l.longitude),
        r.phone.clone().unwrap_or_default(),
        String::new(),
        r.email.clone().unwrap_or_default(),
        String::new(),
        String::new(),
        part(|l| &l.postal_code),
        String::new(),
        r.name.clone(),
        days.iter()
            .map(|d| d.label_ja())
            .collect::<Vec<_>>()
            .join(","),
        opens,
        closes,
        notes.join("。"),
        r.description.clone(),
        accessibility.join("、"),
        r.website.clone().unwrap_or_default(),
        String::new(),
        String::new(),
        remarks.join("。"),
    ]
}
