//! The references a row names and the import resolves: municipalities and
//! taxonomy terms, loaded by the caller and handed in as plain data.

use crate::directory::Vocabulary;
use std::collections::HashMap;
use uuid::Uuid;

/// What rows may refer to. Build it with [`Lookups::add_municipality`]
/// and [`Lookups::add_term`].
#[derive(Debug, Clone, Default)]
pub struct Lookups {
    /// By code, Japanese name and English name (lower case).
    municipalities: HashMap<String, Uuid>,
    all_municipalities: Vec<Uuid>,
    /// Code or Japanese label → code.
    topics: HashMap<String, String>,
    forms: HashMap<String, String>,
    /// Directory rows name no policy areas; kept for a total match.
    policy_areas: HashMap<String, String>,
}

impl Lookups {
    pub fn new() -> Lookups {
        Lookups::default()
    }

    /// A municipality rows may name by code (`142166`), Japanese name
    /// (`座間市`) or English name in any case (`Zama`).
    pub fn add_municipality(&mut self, id: Uuid, code: &str, name: &str, name_en: &str) {
        self.municipalities.insert(code.to_owned(), id);
        self.municipalities.insert(name.to_owned(), id);
        self.municipalities.insert(name_en.to_lowercase(), id);
        if !self.all_municipalities.contains(&id) {
            self.all_municipalities.push(id);
        }
    }

    /// A taxonomy term rows may name by code or Japanese label.
    pub fn add_term(&mut self, vocabulary: Vocabulary, code: &str, label_ja: &str) {
        let terms = self.terms_mut(vocabulary);
        terms.insert(code.to_owned(), code.to_owned());
        terms.insert(label_ja.to_owned(), code.to_owned());
    }

    pub(super) fn municipality(&self, raw: &str) -> Option<Uuid> {
        let raw = raw.trim();
        self.municipalities
            .get(raw)
            .or_else(|| self.municipalities.get(&raw.to_lowercase()))
            .copied()
    }

    /// Every municipality, for `全域` (all of the region).
    pub(super) fn all_municipalities(&self) -> &[Uuid] {
        &self.all_municipalities
    }

    /// The code of the term `raw` names.
    pub(super) fn term(&self, vocabulary: Vocabulary, raw: &str) -> Option<&str> {
        let terms = match vocabulary {
            Vocabulary::Topic => &self.topics,
            Vocabulary::Form => &self.forms,
            Vocabulary::PolicyArea => &self.policy_areas,
        };
        terms.get(raw).map(String::as_str)
    }

    fn terms_mut(&mut self, vocabulary: Vocabulary) -> &mut HashMap<String, String> {
        match vocabulary {
            Vocabulary::Topic => &mut self.topics,
            Vocabulary::Form => &mut self.forms,
            Vocabulary::PolicyArea => &mut self.policy_areas,
        }
    }
}
