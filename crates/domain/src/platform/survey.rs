//! The content of a survey answer (seed 002): the forms of activity, whether
//! the organization works on つながり (connection) or 孤独・孤立 (loneliness
//! and isolation), the ideas it gave, the organizations it introduced that
//! are not in the directory yet, and its participation intent.

use crate::ValidationErrors;
use serde::{Deserialize, Serialize};

/// Whether an organization works on つながり / 孤独・孤立.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum WorksOn {
    /// つながり (making connections) only.
    Tsunagari,
    /// 孤独・孤立 (loneliness and isolation) only.
    KodokuKoritsu,
    Both,
    Neither,
}

crate::code::codes!(WorksOn {
    Tsunagari => "tsunagari",
    KodokuKoritsu => "kodoku_koritsu",
    Both => "both",
    Neither => "neither",
});

impl WorksOn {
    /// Counted among those working on 孤独・孤立.
    pub fn on_kodoku_koritsu(self) -> bool {
        matches!(self, WorksOn::KodokuKoritsu | WorksOn::Both)
    }
}

/// At most this many forms of activity on one answer.
pub const MAX_ACTIVITIES: usize = 20;
/// At most this many ideas, each at most [`MAX_IDEA`] characters.
pub const MAX_IDEAS: usize = 20;
pub const MAX_IDEA: usize = 1000;
/// At most this many organizations introduced by name.
pub const MAX_INTRODUCED: usize = 50;

/// The activities: form codes, each once, at most [`MAX_ACTIVITIES`].
/// Whether each is a known form is the caller's check against the
/// vocabulary.
pub fn check_activities(field: &str, codes: &[String]) -> Result<Vec<String>, ValidationErrors> {
    let mut out: Vec<String> = Vec::with_capacity(codes.len());
    for c in codes {
        if !out.contains(c) {
            out.push(c.clone());
        }
    }
    if out.len() > MAX_ACTIVITIES {
        return Err(ValidationErrors::single(
            field,
            "too_many",
            format!("at most {MAX_ACTIVITIES} forms"),
        ));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn activities_are_kept_once_and_bounded() {
        let t = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            check_activities("activities", &t(&["ibasho", "soudan", "ibasho"])).unwrap(),
            t(&["ibasho", "soudan"])
        );
        let many: Vec<String> = (0..21).map(|i| format!("f{i}")).collect();
        assert_eq!(
            check_activities("activities", &many).unwrap_err().0[0].code,
            "too_many"
        );
    }

    #[test]
    fn kodoku_koritsu_counts_both() {
        assert!(WorksOn::KodokuKoritsu.on_kodoku_koritsu());
        assert!(WorksOn::Both.on_kodoku_koritsu());
        assert!(!WorksOn::Tsunagari.on_kodoku_koritsu());
        assert!(!WorksOn::Neither.on_kodoku_koritsu());
    }
}
