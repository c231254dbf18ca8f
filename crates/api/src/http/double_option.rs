//! PATCH semantics for optional fields: absent = keep, `null` = clear,
//! a value = set. Use with `#[serde(default, deserialize_with = ...)]`.

use serde::{Deserialize, Deserializer};

pub fn deserialize<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}
