//! Step 2, 内容整理, made structured: the desk's assessment of a case
//! against the city's priorities (seed 000: 本市の重点施策・地域課題との整合性、
//! 実現可能性、費用対効果). Three criteria, each a rating from 1 (poor) to 5
//! (strong) with a note; the policy fit also names the policy areas
//! (ざま未来プラン, vocabulary `policy_area`) the case serves.
//!
//! The assessment informs the decision; it does not gate any move (a case
//! may leave step 2 without one).

use crate::names::bounded_text;
use crate::ValidationErrors;

pub const MIN_RATING: i16 = 1;
pub const MAX_RATING: i16 = 5;
pub const MAX_NOTE: usize = 2000;
pub const MAX_POLICY_AREAS: usize = 10;

/// One criterion checked: its rating and its note (trimmed; may be empty).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Criterion {
    pub rating: i16,
    pub note: String,
}

/// A criterion's rating within 1–5 and its note within 2000 characters;
/// errors name `<field>.rating` and `<field>.note`.
pub fn criterion(field: &str, rating: i64, note: &str) -> Result<Criterion, ValidationErrors> {
    let mut errors = ValidationErrors::new();
    let rating = i16::try_from(rating)
        .ok()
        .filter(|r| (MIN_RATING..=MAX_RATING).contains(r));
    if rating.is_none() {
        errors.add(
            &format!("{field}.rating"),
            "out_of_range",
            format!("a rating from {MIN_RATING} to {MAX_RATING}"),
        );
    }
    let note = errors.check(bounded_text(&format!("{field}.note"), note, 0, MAX_NOTE));
    errors.into_result()?;
    Ok(Criterion {
        rating: rating.unwrap_or(MIN_RATING),
        note: note.unwrap_or_default(),
    })
}

/// The policy areas named: at most ten, without repeats (first order kept).
/// Whether each is a term of the vocabulary is for the caller to check.
pub fn policy_areas(field: &str, codes: &[String]) -> Result<Vec<String>, ValidationErrors> {
    let mut out: Vec<String> = Vec::new();
    for code in codes {
        let code = code.trim().to_owned();
        if !out.contains(&code) {
            out.push(code);
        }
    }
    if out.len() > MAX_POLICY_AREAS {
        return Err(ValidationErrors::single(
            field,
            "too_many",
            format!("at most {MAX_POLICY_AREAS} policy areas"),
        ));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratings_are_one_to_five() {
        for ok in 1..=5 {
            assert_eq!(criterion("feasibility", ok, "").unwrap().rating, ok as i16);
        }
        for bad in [0, 6, -1, i64::from(i16::MAX) + 1, i64::MAX] {
            let err = criterion("feasibility", bad, "").unwrap_err();
            assert!(format!("{err:?}").contains("feasibility.rating"), "{bad}");
        }
    }

    #[test]
    fn notes_are_trimmed_and_bounded() {
        assert_eq!(criterion("policy_fit", 3, "  良い  ").unwrap().note, "良い");
        let long = "あ".repeat(MAX_NOTE + 1);
        let err = criterion("policy_fit", 3, &long).unwrap_err();
        assert!(format!("{err:?}").contains("policy_fit.note"));
        assert!(criterion("policy_fit", 3, &"あ".repeat(MAX_NOTE)).is_ok());
    }

    #[test]
    fn both_errors_of_a_criterion_are_reported() {
        let err = criterion("cost_effectiveness", 9, &"x".repeat(MAX_NOTE + 1)).unwrap_err();
        let text = format!("{err:?}");
        assert!(
            text.contains("cost_effectiveness.rating") && text.contains("cost_effectiveness.note")
        );
    }

    #[test]
    fn policy_areas_drop_repeats_and_are_bounded() {
        let codes = ["hito", "machi", "hito"].map(String::from);
        assert_eq!(policy_areas("p", &codes).unwrap(), vec!["hito", "machi"]);
        let many: Vec<String> = (0..=MAX_POLICY_AREAS).map(|i| format!("a{i}")).collect();
        assert!(policy_areas("p", &many).is_err());
        let repeated: Vec<String> = (0..50).map(|_| "hito".to_owned()).collect();
        assert_eq!(policy_areas("p", &repeated).unwrap().len(), 1);
    }
}
