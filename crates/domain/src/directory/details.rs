//! What lets people act on an entry (issue 19): when it is open (weekly
//! periods per location, holiday exceptions, by appointment, call before
//! visiting), how accessible it is, whom it is for (the national hotline's
//! categories, ages), what it costs, how its verification was made, whether
//! the organization consents to be published, and its name and description
//! in やさしい日本語 and English, chosen by `Accept-Language`
//! ([`negotiate`]).
//!
//! Language codes (BCP 47 style, checked by [`super::language`]): `ja`
//! Japanese, `ja-easy` やさしい日本語 (easy Japanese), `jsl` Japanese Sign
//! Language (ISO 639-3, a valid BCP 47 primary tag), `en`, `vi`, `pt-BR`, …

use crate::ValidationErrors;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A day of the week.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Weekday {
    Mon,
    Tue,
    Wed,
    Thu,
    Fri,
    Sat,
    Sun,
}

crate::code::codes!(Weekday {
    Mon => "mon",
    Tue => "tue",
    Wed => "wed",
    Thu => "thu",
    Fri => "fri",
    Sat => "sat",
    Sun => "sun",
});

impl Weekday {
    /// The iCalendar `BYDAY` code (HSDS schedules).
    pub fn ical(self) -> &'static str {
        match self {
            Weekday::Mon => "MO",
            Weekday::Tue => "TU",
            Weekday::Wed => "WE",
            Weekday::Thu => "TH",
            Weekday::Fri => "FR",
            Weekday::Sat => "SA",
            Weekday::Sun => "SU",
        }
    }

    /// The one-character Japanese name (月 … 日), as open data writes it.
    pub fn label_ja(self) -> &'static str {
        match self {
            Weekday::Mon => "月",
            Weekday::Tue => "火",
            Weekday::Wed => "水",
            Weekday::Thu => "木",
            Weekday::Fri => "金",
            Weekday::Sat => "土",
            Weekday::Sun => "日",
        }
    }
}

/// An accessibility feature of the entry's places (バリアフリー情報).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AccessibilityFeature {
    /// 車いす利用可.
    WheelchairAccessible,
    /// 段差なし / スロープあり.
    StepFreeEntrance,
    /// 多目的トイレ.
    AccessibleToilet,
    /// エレベーター.
    Elevator,
    /// 障害者用駐車場.
    AccessibleParking,
    /// 点字 / 点字案内.
    Braille,
    /// ヒアリングループ (induction loop).
    HearingLoop,
    /// 筆談対応.
    WrittenCommunication,
    /// 補助犬同伴可.
    AssistanceDogsWelcome,
}

crate::code::codes!(AccessibilityFeature {
    WheelchairAccessible => "wheelchair_accessible",
    StepFreeEntrance => "step_free_entrance",
    AccessibleToilet => "accessible_toilet",
    Elevator => "elevator",
    AccessibleParking => "accessible_parking",
    Braille => "braille",
    HearingLoop => "hearing_loop",
    WrittenCommunication => "written_communication",
    AssistanceDogsWelcome => "assistance_dogs_welcome",
});

impl AccessibilityFeature {
    pub fn label_ja(self) -> &'static str {
        match self {
            AccessibilityFeature::WheelchairAccessible => "車いす利用可",
            AccessibilityFeature::StepFreeEntrance => "段差なし",
            AccessibilityFeature::AccessibleToilet => "多目的トイレ",
            AccessibilityFeature::Elevator => "エレベーター",
            AccessibilityFeature::AccessibleParking => "障害者用駐車場",
            AccessibilityFeature::Braille => "点字案内",
            AccessibilityFeature::HearingLoop => "ヒアリングループ",
            AccessibilityFeature::WrittenCommunication => "筆談対応",
            AccessibilityFeature::AssistanceDogsWelcome => "補助犬同伴可",
        }
    }
}

/// Whom an entry is for: the categories of the national hotline
/// (つながりサポート, 孤独・孤立対策).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TargetGroup {
    /// 生活の困りごと (hardship, money, housing).
    Hardship,
    /// 外国語での相談.
    ForeignLanguage,
    /// 死にたい気持ち.
    SuicidalThoughts,
    /// DV・性暴力.
    DvSexualViolence,
    /// 性自認・性的指向.
    GenderIdentity,
    /// ひとり親.
    SingleParent,
    /// 18歳以下.
    #[serde(rename = "under_18")]
    Under18,
    /// 孤独・孤立.
    Loneliness,
}

crate::code::codes!(TargetGroup {
    Hardship => "hardship",
    ForeignLanguage => "foreign_language",
    SuicidalThoughts => "suicidal_thoughts",
    DvSexualViolence => "dv_sexual_violence",
    GenderIdentity => "gender_identity",
    SingleParent => "single_parent",
    Under18 => "under_18",
    Loneliness => "loneliness",
});

/// What using the entry costs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Cost {
    /// 無料.
    Free,
    /// 有料 (the amount in `cost_note`).
    Fee,
}

crate::code::codes!(Cost {
    Free => "free",
    Fee => "fee",
});

/// How an entry's verification was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum VerificationMethod {
    Phone,
    Email,
    Visit,
    /// An answer to a directory survey.
    Survey,
    /// A document the organization sent (a flyer, its website).
    Document,
    Other,
}

crate::code::codes!(VerificationMethod {
    Phone => "phone",
    Email => "email",
    Visit => "visit",
    Survey => "survey",
    Document => "document",
    Other => "other",
});

/// Whether the organization consents to be published. The entry's
/// `visibility` follows from it: `listed` is `public`, the others are
/// `staff_only`; a `withdrawn` entry is also left out of every export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PublishConsent {
    /// Listed publicly.
    Listed,
    /// Known to staff only.
    StaffOnly,
    /// The organization withdrew its consent: staff only, in no export.
    Withdrawn,
}

crate::code::codes!(PublishConsent {
    Listed => "listed",
    StaffOnly => "staff_only",
    Withdrawn => "withdrawn",
});

impl PublishConsent {
    /// The consent of an entry with this visibility and withdrawal flag.
    pub fn of(visibility: super::EntryVisibility, withdrawn: bool) -> PublishConsent {
        match (withdrawn, visibility) {
            (true, _) => PublishConsent::Withdrawn,
            (false, super::EntryVisibility::Public) => PublishConsent::Listed,
            (false, super::EntryVisibility::StaffOnly) => PublishConsent::StaffOnly,
        }
    }

    /// The visibility that follows from the consent.
    pub fn visibility(self) -> super::EntryVisibility {
        match self {
            PublishConsent::Listed => super::EntryVisibility::Public,
            PublishConsent::StaffOnly | PublishConsent::Withdrawn => {
                super::EntryVisibility::StaffOnly
            }
        }
    }
}

/// A language an entry's name and description are translated into.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
pub enum TranslationLanguage {
    #[serde(rename = "en")]
    En,
    /// やさしい日本語.
    #[serde(rename = "ja-easy")]
    JaEasy,
}

crate::code::codes!(TranslationLanguage {
    En => "en",
    JaEasy => "ja-easy",
});

/// An opening period on one weekday, `HH:MM` to `HH:MM` (Japan time; `24:00`
/// ends the day). Several periods a day are fine (10:00–12:00, 13:00–17:00);
/// overlapping ones are not.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"weekday": "tue", "opens_at": "10:00", "closes_at": "17:00"}))]
pub struct OpeningPeriod {
    pub weekday: Weekday,
    #[schema(pattern = "^([01][0-9]|2[0-3]):[0-5][0-9]$")]
    pub opens_at: String,
    #[schema(pattern = "^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$")]
    pub closes_at: String,
    /// The location (its index in `locations`) this period is for; absent:
    /// every location.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(minimum = 0, maximum = 9)]
    pub location_index: Option<u8>,
}

/// A day that differs from the weekly periods (a holiday, 年末年始): closed
/// when `opens_at` and `closes_at` are absent, else open those hours only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"date": "2026-12-29", "note": "年末年始休業"}))]
pub struct OpeningException {
    pub date: NaiveDate,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(pattern = "^([01][0-9]|2[0-3]):[0-5][0-9]$")]
    pub opens_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(pattern = "^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$")]
    pub closes_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(max_length = 200)]
    pub note: Option<String>,
}

/// The name and description in another language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"language": "en", "name": "Zama Ibasho Net", "description": "A place to belong for young people and families"}))]
pub struct Translation {
    pub language: TranslationLanguage,
    #[schema(min_length = 1, max_length = 200)]
    pub name: String,
    #[serde(default)]
    #[schema(max_length = 4000)]
    pub description: String,
}

/// The details of an entry beside its main row. Every field is public.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Details {
    pub consent_withdrawn: bool,
    pub call_before_visiting: bool,
    pub by_appointment: bool,
    pub opening_periods: Vec<OpeningPeriod>,
    pub opening_exceptions: Vec<OpeningException>,
    pub accessibility: Vec<AccessibilityFeature>,
    pub accessibility_note: Option<String>,
    pub target_groups: Vec<TargetGroup>,
    pub minimum_age: Option<i16>,
    pub maximum_age: Option<i16>,
    pub eligibility_note: Option<String>,
    pub cost: Option<Cost>,
    pub cost_note: Option<String>,
    pub verification_method: Option<VerificationMethod>,
    pub translations: Vec<Translation>,
}

/// Minutes since midnight of `HH:MM` (`24:00` only as an end).
fn minutes(raw: &str, end: bool) -> Option<u16> {
    let (h, m) = raw.split_once(':')?;
    if h.len() != 2 || m.len() != 2 {
        return None;
    }
    let (h, m): (u16, u16) = (h.parse().ok()?, m.parse().ok()?);
    match (h, m) {
        (24, 0) if end => Some(1440),
        (0..=23, 0..=59) => Some(h * 60 + m),
        _ => None,
    }
}

/// Checks an opening interval: both times `HH:MM`, the start before the end.
fn interval(
    errors: &mut ValidationErrors,
    field: &str,
    opens: &str,
    closes: &str,
) -> Option<(u16, u16)> {
    let start = minutes(opens, false);
    let end = minutes(closes, true);
    if start.is_none() {
        errors.add(
            &format!("{field}.opens_at"),
            "invalid_time",
            "must be HH:MM, 00:00 to 23:59",
        );
    }
    if end.is_none() {
        errors.add(
            &format!("{field}.closes_at"),
            "invalid_time",
            "must be HH:MM, 00:01 to 24:00",
        );
    }
    let (start, end) = (start?, end?);
    if start >= end {
        errors.add(
            &format!("{field}.closes_at"),
            "invalid_period",
            "must be after opens_at (a period past midnight is two periods)",
        );
        return None;
    }
    Some((start, end))
}

/// The weekly periods, checked: valid times, at most 70, a known location,
/// and no two overlapping on one weekday and location (a period for every
/// location overlaps with those of each location).
pub fn opening_periods(
    periods: &[OpeningPeriod],
    location_count: usize,
) -> Result<Vec<OpeningPeriod>, ValidationErrors> {
    let mut errors = ValidationErrors::new();
    if periods.len() > 70 {
        errors.add("opening_periods", "too_many", "at most 70 periods");
        return Err(errors);
    }
    let mut seen: Vec<(Weekday, Option<u8>, u16, u16)> = Vec::new();
    for (i, p) in periods.iter().enumerate() {
        let field = format!("opening_periods[{i}]");
        if p.location_index
            .is_some_and(|l| usize::from(l) >= location_count)
        {
            errors.add(
                &format!("{field}.location_index"),
                "unknown_location",
                "no location with this index in `locations`",
            );
        }
        let Some((start, end)) = interval(&mut errors, &field, &p.opens_at, &p.closes_at) else {
            continue;
        };
        let overlaps = seen.iter().any(|(day, location, s, e)| {
            *day == p.weekday
                && (location.is_none()
                    || p.location_index.is_none()
                    || *location == p.location_index)
                && start < *e
                && *s < end
        });
        if overlaps {
            errors.add(
                &field,
                "overlapping_periods",
                "overlaps another period of the same weekday and location",
            );
        }
        seen.push((p.weekday, p.location_index, start, end));
    }
    let mut sorted = periods.to_vec();
    sorted.sort_by(|a, b| {
        (a.location_index, a.weekday as u8, &a.opens_at).cmp(&(
            b.location_index,
            b.weekday as u8,
            &b.opens_at,
        ))
    });
    errors.into_result().map(|()| sorted)
}

/// The exceptions, checked: one per date, both times or neither, at most 100.
pub fn opening_exceptions(
    exceptions: &[OpeningException],
) -> Result<Vec<OpeningException>, ValidationErrors> {
    let mut errors = ValidationErrors::new();
    if exceptions.len() > 100 {
        errors.add("opening_exceptions", "too_many", "at most 100 days");
        return Err(errors);
    }
    let mut out: Vec<OpeningException> = Vec::new();
    for (i, x) in exceptions.iter().enumerate() {
        let field = format!("opening_exceptions[{i}]");
        match (&x.opens_at, &x.closes_at) {
            (Some(opens), Some(closes)) => {
                interval(&mut errors, &field, opens, closes);
            }
            (None, None) => {}
            _ => errors.add(
                &format!("{field}.closes_at"),
                "incomplete_period",
                "give both opens_at and closes_at, or neither (closed)",
            ),
        }
        if out.iter().any(|o| o.date == x.date) {
            errors.add(
                &format!("{field}.date"),
                "duplicate_date",
                "one exception per date",
            );
        }
        if x.date < NaiveDate::from_ymd_opt(2000, 1, 1).unwrap_or_default() {
            errors.add(&format!("{field}.date"), "out_of_range", "before 2000");
        }
        let note = x.note.as_ref().map(|n| n.trim().to_owned());
        if let Some(n) = &note {
            if n.chars().count() > 200 || n.contains('\0') {
                errors.add(
                    &format!("{field}.note"),
                    "too_long",
                    "at most 200 characters",
                );
            }
        }
        out.push(OpeningException {
            note: note.filter(|n| !n.is_empty()),
            ..x.clone()
        });
    }
    out.sort_by_key(|x| x.date);
    errors.into_result().map(|()| out)
}

/// The ages, checked: 0–120 and the minimum not above the maximum.
pub fn ages(
    minimum: Option<i16>,
    maximum: Option<i16>,
) -> Result<(Option<i16>, Option<i16>), ValidationErrors> {
    let mut errors = ValidationErrors::new();
    for (field, age) in [("minimum_age", minimum), ("maximum_age", maximum)] {
        if age.is_some_and(|a| !(0..=120).contains(&a)) {
            errors.add(field, "out_of_range", "must be between 0 and 120");
        }
    }
    if let (Some(min), Some(max)) = (minimum, maximum) {
        if min > max {
            errors.add(
                "maximum_age",
                "invalid_range",
                "must not be below minimum_age",
            );
        }
    }
    errors.into_result().map(|()| (minimum, maximum))
}

/// The translations, checked: one per language, a name of 1–200 and a
/// description of at most 4,000 characters.
pub fn translations(values: &[Translation]) -> Result<Vec<Translation>, ValidationErrors> {
    let mut errors = ValidationErrors::new();
    let mut out: Vec<Translation> = Vec::new();
    for (i, t) in values.iter().enumerate() {
        let field = format!("translations[{i}]");
        if out.iter().any(|o| o.language == t.language) {
            errors.add(
                &format!("{field}.language"),
                "duplicate_language",
                "one translation per language",
            );
            continue;
        }
        let name = errors.check(crate::names::bounded_text(
            &format!("{field}.name"),
            &t.name,
            1,
            200,
        ));
        let description = if t.description.trim().is_empty() {
            Some(String::new())
        } else {
            errors.check(crate::names::bounded_text(
                &format!("{field}.description"),
                &t.description,
                1,
                4000,
            ))
        };
        if let (Some(name), Some(description)) = (name, description) {
            out.push(Translation {
                language: t.language,
                name,
                description,
            });
        }
    }
    errors.into_result().map(|()| out)
}

/// The language an entry is shown in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShownLanguage {
    /// As written (Japanese).
    Original,
    Translated(TranslationLanguage),
}

impl ShownLanguage {
    /// The `Content-Language` tag.
    pub fn tag(self) -> &'static str {
        match self {
            ShownLanguage::Original => "ja",
            ShownLanguage::Translated(l) => l.as_str(),
        }
    }
}

/// The language an `Accept-Language` header (RFC 9110) asks for among those
/// an entry has: in order of `q` (ties in the header's order), `ja-easy`
/// (also `ja-x-easy`) for やさしい日本語, `en…` for English, `ja…` or `*`
/// for the original; a language without a translation is skipped; no match
/// is the original.
pub fn negotiate(header: Option<&str>, available: &[TranslationLanguage]) -> ShownLanguage {
    let Some(header) = header else {
        return ShownLanguage::Original;
    };
    let mut wanted: Vec<(u16, &str)> = header
        .split(',')
        .take(20)
        .filter_map(|part| {
            let mut pieces = part.split(';');
            let tag = pieces.next()?.trim();
            let q = pieces
                .find_map(|p| p.trim().strip_prefix("q="))
                .map_or(Some(1000), |q| {
                    q.trim()
                        .parse::<f32>()
                        .ok()
                        .filter(|q| (0.0..=1.0).contains(q))
                        .map(
                            // Whole thousandths: RFC 9110 allows three decimals.
                            |q| (q * 1000.0).round() as u16,
                        )
                })?;
            (q > 0 && !tag.is_empty()).then_some((q, tag))
        })
        .collect();
    wanted.sort_by_key(|w| std::cmp::Reverse(w.0));
    for (_, tag) in wanted {
        let tag = tag.to_ascii_lowercase();
        let primary = tag.split('-').next().unwrap_or_default();
        let choice = if tag == "ja-easy" || tag == "ja-x-easy" {
            Some(ShownLanguage::Translated(TranslationLanguage::JaEasy))
        } else if primary == "en" {
            Some(ShownLanguage::Translated(TranslationLanguage::En))
        } else if primary == "ja" || tag == "*" {
            return ShownLanguage::Original;
        } else {
            None
        };
        if let Some(ShownLanguage::Translated(l)) = choice {
            if available.contains(&l) {
                return ShownLanguage::Translated(l);
            }
        }
    }
    ShownLanguage::Original
}

#[cfg(test)]
mod tests {
    use super::*;

    fn period(day: Weekday, opens: &str, closes: &str, location: Option<u8>) -> OpeningPeriod {
        OpeningPeriod {
            weekday: day,
            opens_at: opens.into(),
            closes_at: closes.into(),
            location_index: location,
        }
    }

    fn codes(result: Result<Vec<OpeningPeriod>, ValidationErrors>) -> Vec<String> {
        result
            .err()
            .map(|e| e.0.iter().map(|e| e.code.clone()).collect())
            .unwrap_or_default()
    }

    #[test]
    fn several_periods_a_day_are_fine_overlapping_ones_are_not() {
        let split = [
            period(Weekday::Tue, "13:00", "17:00", None),
            period(Weekday::Tue, "10:00", "12:00", None),
            period(Weekday::Wed, "10:00", "24:00", None),
        ];
        let sorted = opening_periods(&split, 1).expect("valid");
        assert_eq!(sorted[0].opens_at, "10:00");
        assert_eq!(
            codes(opening_periods(
                &[
                    period(Weekday::Tue, "10:00", "12:00", None),
                    period(Weekday::Tue, "11:59", "13:00", Some(0)),
                ],
                1
            )),
            ["overlapping_periods"]
        );
        // Two locations may open at the same time.
        assert!(opening_periods(
            &[
                period(Weekday::Tue, "10:00", "12:00", Some(0)),
                period(Weekday::Tue, "10:00", "12:00", Some(1)),
            ],
            2
        )
        .is_ok());
        assert_eq!(
            codes(opening_periods(
                &[period(Weekday::Mon, "17:00", "09:00", None)],
                0
            )),
            ["invalid_period"]
        );
        assert_eq!(
            codes(opening_periods(
                &[period(Weekday::Mon, "9:00", "24:01", Some(3))],
                1
            )),
            ["unknown_location", "invalid_time", "invalid_time"]
        );
    }

    #[test]
    fn exceptions_are_one_per_day_and_ages_a_range() {
        let day = NaiveDate::from_ymd_opt(2026, 12, 29).expect("date");
        let closed = OpeningException {
            date: day,
            opens_at: None,
            closes_at: None,
            note: Some(" 年末 ".into()),
        };
        assert_eq!(
            opening_exceptions(std::slice::from_ref(&closed)).expect("ok")[0]
                .note
                .as_deref(),
            Some("年末")
        );
        assert!(opening_exceptions(&[closed.clone(), closed.clone()]).is_err());
        assert!(opening_exceptions(&[OpeningException {
            opens_at: Some("10:00".into()),
            ..closed
        }])
        .is_err());
        assert!(ages(Some(12), Some(18)).is_ok());
        assert!(ages(Some(19), Some(18)).is_err());
        assert!(ages(Some(-1), None).is_err());
    }

    #[test]
    fn accept_language_picks_an_available_translation_or_the_original() {
        use TranslationLanguage::*;
        let both = [En, JaEasy];
        assert_eq!(negotiate(None, &both), ShownLanguage::Original);
        assert_eq!(
            negotiate(Some("en-US,en;q=0.9"), &both),
            ShownLanguage::Translated(En)
        );
        assert_eq!(
            negotiate(Some("ja-easy, en;q=0.5"), &both),
            ShownLanguage::Translated(JaEasy)
        );
        assert_eq!(
            negotiate(Some("en;q=0.4, ja-x-easy;q=0.8"), &both),
            ShownLanguage::Translated(JaEasy)
        );
        // No English translation: the next choice, then the original.
        assert_eq!(
            negotiate(Some("en, ja-easy;q=0.5"), &[JaEasy]),
            ShownLanguage::Translated(JaEasy)
        );
        assert_eq!(negotiate(Some("en, vi"), &[]), ShownLanguage::Original);
        assert_eq!(negotiate(Some("ja, en"), &both), ShownLanguage::Original);
        assert_eq!(negotiate(Some("en;q=0"), &both), ShownLanguage::Original);
        assert_eq!(negotiate(Some(";;,q=x"), &both), ShownLanguage::Original);
        assert_eq!(ShownLanguage::Translated(JaEasy).tag(), "ja-easy");
    }

    #[test]
    fn consent_decides_visibility() {
        use super::super::EntryVisibility;
        for consent in PublishConsent::ALL {
            let visibility = consent.visibility();
            assert_eq!(
                PublishConsent::of(visibility, consent == PublishConsent::Withdrawn),
                consent
            );
        }
        assert_eq!(
            PublishConsent::of(EntryVisibility::Public, true),
            PublishConsent::Withdrawn
        );
    }
}
