//! Searching the directory: text (characters and bigrams, so two-character
//! words such as 就労 and DV are found), topic and form (with descendants),
//! served municipality and radius, all through one GIN index over the
//! entries' search and position tokens; the exact distance (earthdistance),
//! city, participation intent and legal form on the candidates; and the same
//! filters for the map and the figures.
//!
//! Visibility is applied here, in SQL, so that no query path can forget it:
//! the public gets `public` entries only, and with `near` only entries whose
//! position is public (a hidden position must neither appear, nor disappear,
//! nor influence ordering depending on where one searches). The fields are
//! named by [`HideableField::as_str`], as the domain's redaction names them
//! (`hides`); the rows returned are then redacted by it
//! ([`living_gate_domain::directory::redact`]) before any output renders them.

use crate::directory::resources::Resource;
use crate::DbResult;
use diesel::pg::Pg;
use diesel::query_builder::BoxedSqlQuery;
use diesel::sql_types::{Array, BigInt, Double, Nullable, Text, Uuid as SqlUuid};
use diesel::QueryableByName;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use living_gate_domain::directory::{EntryVisibility, HideableField};
use living_gate_domain::directory::{LegalForm, ParticipationIntent};
use uuid::Uuid;

/// Cells per degree of the grid levels of the entries' position tokens,
/// coarsest first: exactly those of `living_gate_grid_cells` (migration
/// 2026-11-27-000007). At 35.5° north a cell of level 400 is 278 × 226 m.
pub const GRID_LEVELS: [u32; 9] = [1, 2, 5, 10, 20, 50, 100, 200, 400];

/// A radius search asks for at most this many cells: those of the finest
/// level that touch the circle with so few (the coarsest level otherwise).
/// Measured at 100,000 entries: more, finer cells cost more in the index
/// scan than their tighter cover saves (BENCHMARKS.md).
const MAX_CELLS: usize = 40;

/// A point and a radius in metres.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Near {
    pub latitude: f64,
    pub longitude: f64,
    pub radius_m: f64,
}

impl Near {
    /// The grid cells that touch the circle, as `living_gate_grid_cells`
    /// names them: every position inside the circle is in one of them.
    pub fn cell_tokens(&self) -> Vec<String> {
        GRID_LEVELS
            .iter()
            .rev()
            .find_map(|&k| self.cells_of_level(k, MAX_CELLS))
            .or_else(|| self.cells_of_level(GRID_LEVELS[0], usize::MAX))
            .unwrap_or_default()
    }

    /// The cells of level `k` that touch the circle, if there are at most `max`.
    fn cells_of_level(&self, k: u32, max: usize) -> Option<Vec<String>> {
        // A degree of latitude is at least 110.57 km, of longitude at least
        // 111.32 km × cos(latitude): the box around the circle is never too small.
        let dlat = self.radius_m / 110_000.0;
        let dlng = self.radius_m / (110_000.0 * self.latitude.to_radians().cos().max(0.01));
        let kf = f64::from(k);
        let span = |centre: f64, half: f64| {
            ((centre - half) * kf).floor() as i64..=((centre + half) * kf).floor() as i64
        };
        let (rows, columns) = (span(self.latitude, dlat), span(self.longitude, dlng));
        let in_box = (rows.end() - rows.start() + 1) * (columns.end() - columns.start() + 1);
        if usize::try_from(in_box).map_or(true, |n| n > max.saturating_mul(2)) {
            return None;
        }
        // A cell touches the circle when its point nearest to the centre
        // (clamped latitude and longitude, nearly exact for cells this
        // small) is inside; with a margin of 2% and 10 m for that "nearly".
        let reach = self.radius_m * 1.02 + 10.0;
        let mut cells = Vec::new();
        for i in rows {
            for j in columns.clone() {
                let (lat0, lng0) = (i as f64 / kf, j as f64 / kf);
                let lat = self.latitude.clamp(lat0, lat0 + 1.0 / kf);
                let lng = self.longitude.clamp(lng0, lng0 + 1.0 / kf);
                if metres_between(self.latitude, self.longitude, lat, lng) <= reach {
                    cells.push(format!("{k}:{i}:{j}"));
                }
            }
        }
        (cells.len() <= max).then_some(cells)
    }
}

/// Great-circle distance (haversine, mean earth radius).
fn metres_between(lat1: f64, lng1: f64, lat2: f64, lng2: f64) -> f64 {
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let (dp, dl) = ((lat2 - lat1).to_radians(), (lng2 - lng1).to_radians());
    let h = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    2.0 * 6_371_008.8 * h.sqrt().min(1.0).asin()
}

#[derive(Debug, Clone, Default)]
pub struct SearchFilter {
    /// Desk and department callers see staff-only entries.
    pub staff: bool,
    /// The owning cities whose entries' hidden fields (positions among
    /// them) the caller may see: its desk's, and those that granted it.
    pub confidential: Vec<Uuid>,
    /// Words that must all occur (substring, after normalization).
    pub terms: Vec<String>,
    /// A topic code; its descendants match too.
    pub topic: Option<String>,
    /// A form code; its descendants match too.
    pub form: Option<String>,
    /// A municipality the entry serves.
    pub serves: Option<Uuid>,
    /// The municipality where the entry is.
    pub municipality_id: Option<Uuid>,
    pub intent: Option<ParticipationIntent>,
    pub legal_form: Option<LegalForm>,
    pub near: Option<Near>,
}

/// How a result list is ordered; each with `id` as the tie-breaker.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Order {
    /// Name starts with the first word, then name contains it, then the rest.
    Relevance,
    /// Nearest location first (needs `near`).
    Distance,
    /// Creation order.
    Id,
}

/// Where a page ends: the sort key and id of its last row.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SearchCursor {
    pub key: f64,
    pub id: Uuid,
}

#[derive(Debug, QueryableByName)]
pub struct SearchRow {
    #[diesel(embed)]
    pub resource: Resource,
    #[diesel(sql_type = Double)]
    pub sort_key: f64,
    /// Metres to the nearest location, with `near`.
    #[diesel(sql_type = Nullable<Double>)]
    pub distance_m: Option<f64>,
}

enum Bind {
    Text(String),
    TextArray(Vec<String>),
    Uuid(Uuid),
    Double(f64),
    BigInt(i64),
    UuidArray(Vec<Uuid>),
}

/// A SQL text with its numbered parameters.
#[derive(Default)]
struct Sql {
    binds: Vec<Bind>,
}

impl Sql {
    fn bind(&mut self, value: Bind) -> String {
        self.binds.push(value);
        format!("${}", self.binds.len())
    }

    fn query(self, text: String) -> BoxedSqlQuery<'static, Pg, diesel::query_builder::SqlQuery> {
        self.binds
            .into_iter()
            .fold(diesel::sql_query(text).into_boxed(), |q, b| match b {
                Bind::Text(v) => q.bind::<Text, _>(v),
                Bind::TextArray(v) => q.bind::<Array<Text>, _>(v),
                Bind::Uuid(v) => q.bind::<SqlUuid, _>(v),
                Bind::Double(v) => q.bind::<Double, _>(v),
                Bind::BigInt(v) => q.bind::<BigInt, _>(v),
                Bind::UuidArray(v) => q.bind::<Array<SqlUuid>, _>(v),
            })
    }
}

/// `r.hidden_fields` names `field`. The name is the domain's, written into
/// the statement as a constant (not a parameter: the planner estimates
/// `@>` on a constant from the column's statistics, as it always did); it is
/// plain snake_case, which a test checks.
pub(crate) fn hides(field: HideableField) -> String {
    format!("r.hidden_fields @> ARRAY['{}']", field.as_str())
}

/// `r.hidden_fields` names `field` and the caller has no need-to-know for
/// the entry's owning city (`confidential`, a bound array of city ids).
fn hides_from_caller(field: HideableField, confidential: &str) -> String {
    format!(
        "({} AND r.municipality_id <> ALL({confidential}))",
        hides(field)
    )
}

/// `r.visibility` is `public`, named by the domain, like [`hides`].
fn is_public() -> String {
    format!("r.visibility = '{}'", EntryVisibility::Public.as_str())
}

const RESOURCE_COLUMNS: &str = "r.id, r.external_key, r.name, r.name_kana, r.other_names, r.legal_form, \
r.description, r.municipality_id, r.serves_municipality_ids, r.topics, r.forms, r.phone, r.email, r.website, \
r.contact_person, r.opening_hours, r.target_ages, r.languages, r.participation_intent, r.partner_organization_id, \
r.visibility, r.hidden_fields, r.last_verified_at, r.last_verified_by, r.version, r.created_at, r.updated_at";

/// `FROM … WHERE …` of the filtered, visible entries (alias `r`), and the
/// distance expression when `near` is given (alias `n`). Text, topic, form,
/// served city and radius are all answered by the search tokens' GIN index
/// (migration 2026-11-27-000007), together.
fn source(filter: &SearchFilter, sql: &mut Sql) -> (String, Option<String>) {
    let mut from = String::from("resources r");
    let mut conditions: Vec<String> = Vec::new();
    if !filter.staff {
        conditions.push(is_public());
    }
    let mut required: Vec<String> = Vec::new();
    required.extend(filter.topic.iter().map(|code| format!("t:{code}")));
    required.extend(filter.form.iter().map(|code| format!("f:{code}")));
    required.extend(filter.serves.iter().map(|id| format!("s:{id}")));
    if !required.is_empty() {
        let p = sql.bind(Bind::TextArray(required));
        conditions.push(format!("r.search_tokens @> {p}"));
    }
    for term in &filter.terms {
        let p = sql.bind(Bind::Text(term.clone()));
        conditions.push(format!(
            "r.search_tokens @> living_gate_query_tokens(living_gate_search_normalize({p})) \
             AND strpos(r.search_text, living_gate_search_normalize({p})) > 0"
        ));
    }
    let mut distance_column = None;
    if let Some(near) = filter.near {
        // Only entries with a position in the cells touching the circle,
        // then the exact great-circle distance (earthdistance's `<@>`,
        // statute miles between (longitude, latitude) points) of each
        // one's nearest position.
        let cells = sql.bind(Bind::TextArray(near.cell_tokens()));
        let lat = sql.bind(Bind::Double(near.latitude));
        let lng = sql.bind(Bind::Double(near.longitude));
        let radius = sql.bind(Bind::Double(near.radius_m));
        conditions.push(format!("r.position_tokens && {cells}"));
        from.push_str(&format!(
            " CROSS JOIN LATERAL (SELECT min(p <@> point({lng}, {lat})) * 1609.344 AS distance_m \
             FROM unnest(r.search_points) AS p) n"
        ));
        conditions.push(format!("n.distance_m <= {radius}"));
        // A hidden position, coarse or not, is never searched around by
        // those without need-to-know: coarse cells would still rank it.
        let confidential = sql.bind(Bind::UuidArray(filter.confidential.clone()));
        conditions.push(format!(
            "NOT {}",
            hides_from_caller(HideableField::Position, &confidential)
        ));
        distance_column = Some("n.distance_m".to_owned());
    }
    if let Some(municipality) = filter.municipality_id {
        let p = sql.bind(Bind::Uuid(municipality));
        conditions.push(format!("r.municipality_id = {p}"));
    }
    if let Some(intent) = filter.intent {
        let p = sql.bind(Bind::Text(intent.as_str().to_owned()));
        conditions.push(format!("r.participation_intent = {p}"));
    }
    if let Some(legal_form) = filter.legal_form {
        let p = sql.bind(Bind::Text(legal_form.as_str().to_owned()));
        conditions.push(format!("r.legal_form = {p}"));
    }
    let mut text = from;
    if !conditions.is_empty() {
        text.push_str(" WHERE ");
        text.push_str(&conditions.join(" AND "));
    }
    (text, distance_column)
}

/// One page of matching entries, `limit + 1` rows at most (the caller
/// learns from the extra row that a next page exists).
pub async fn search(
    conn: &mut AsyncPgConnection,
    filter: &SearchFilter,
    order: Order,
    after: Option<SearchCursor>,
    limit: i64,
) -> DbResult<Vec<SearchRow>> {
    match (order, filter.near, <[String]>::first(&filter.terms)) {
        (Order::Distance, Some(near), _) => nearest(conn, filter, near, after, limit).await,
        (Order::Relevance, _, Some(first)) => relevant(conn, filter, first, after, limit).await,
        _ => page(conn, filter, order, after, limit).await,
    }
}

/// The tiers of the relevance order, best first: the name starts with the
/// first word, the name contains it (elsewhere), the rest. Each is the
/// sort key of its entries.
const TIERS: [f64; 3] = [0.0, 1.0, 2.0];

/// The condition of a tier of the relevance order for the first word `p`
/// (a bound parameter). The first tier is answered by the index too: the
/// entry's tokens hold `n:` and the first one and two characters of its
/// name (migration 2026-12-03-000033).
fn tier_condition(tier: usize, p: &str) -> String {
    let word = format!("living_gate_search_normalize({p})");
    match tier {
        0 => format!(
            "r.search_tokens @> ARRAY['n:' || left({word}, 2)] AND strpos(r.name_search, {word}) = 1"
        ),
        1 => format!("strpos(r.name_search, {word}) > 1"),
        _ => format!("strpos(r.name_search, {word}) = 0"),
    }
}

/// By relevance, a tier at a time, each in id order: the same order as
/// sorting every match by (tier, id), without reading every match. A page
/// reads the first tiers' matches from the cursor on until it is full (a
/// frequent word such as `DV` fills a page from its first tiers after a
/// few hundred entries in id order, where sorting read all its matches).
async fn relevant(
    conn: &mut AsyncPgConnection,
    filter: &SearchFilter,
    first: &str,
    after: Option<SearchCursor>,
    limit: i64,
) -> DbResult<Vec<SearchRow>> {
    let wanted = usize::try_from(limit)
        .unwrap_or(usize::MAX)
        .saturating_add(1);
    let mut rows: Vec<SearchRow> = Vec::new();
    for (tier, key) in TIERS.iter().enumerate() {
        // The cursor is (key, id): tiers before its key are done, its own
        // continues after its id, the later ones start from their first.
        let from = match after {
            Some(a) if a.key > *key => continue,
            Some(a) if a.key == *key => Some(a.id),
            _ => None,
        };
        let mut sql = Sql::default();
        let (source, distance) = source(filter, &mut sql);
        let p = sql.bind(Bind::Text(first.to_owned()));
        let mut text = format!(
            "SELECT {RESOURCE_COLUMNS}, {key:.1}::float8 AS sort_key, {} AS distance_m FROM {source} {} {}",
            distance.unwrap_or_else(|| "NULL::float8".into()),
            if source.contains(" WHERE ") { "AND" } else { "WHERE" },
            tier_condition(tier, &p),
        );
        if let Some(id) = from {
            let id = sql.bind(Bind::Uuid(id));
            text.push_str(&format!(" AND r.id > {id}"));
        }
        let remaining = i64::try_from(wanted - rows.len()).unwrap_or(i64::MAX);
        let limit = sql.bind(Bind::BigInt(remaining));
        text.push_str(&format!(" ORDER BY r.id LIMIT {limit}"));
        rows.extend(sql.query(text).load::<SearchRow>(conn).await?);
        if rows.len() >= wanted {
            break;
        }
    }
    Ok(rows)
}

/// Nearest first. The circle of half the radius (a quarter of its area,
/// so of the index work) is searched first: when it holds `limit + 1`
/// matches past the cursor, they are the nearest ones (every match outside
/// it is farther); otherwise the full circle is searched.
async fn nearest(
    conn: &mut AsyncPgConnection,
    filter: &SearchFilter,
    near: Near,
    after: Option<SearchCursor>,
    limit: i64,
) -> DbResult<Vec<SearchRow>> {
    let half = Near {
        radius_m: near.radius_m / 2.0,
        ..near
    };
    if after.is_none_or(|a| a.key < half.radius_m) {
        let inner = SearchFilter {
            near: Some(half),
            ..filter.clone()
        };
        let rows = page(conn, &inner, Order::Distance, after, limit).await?;
        if rows.len() > usize::try_from(limit).unwrap_or(usize::MAX) {
            return Ok(rows);
        }
    }
    page(conn, filter, Order::Distance, after, limit).await
}

/// One page of the given order, `limit + 1` rows at most.
async fn page(
    conn: &mut AsyncPgConnection,
    filter: &SearchFilter,
    order: Order,
    after: Option<SearchCursor>,
    limit: i64,
) -> DbResult<Vec<SearchRow>> {
    let mut sql = Sql::default();
    let (source, distance) = source(filter, &mut sql);
    let sort_key = match (order, &distance, <[String]>::first(&filter.terms)) {
        (Order::Distance, Some(d), _) => d.clone(),
        (Order::Relevance, _, Some(first)) => {
            let p = sql.bind(Bind::Text(first.clone()));
            format!(
                "(CASE WHEN strpos(r.name_search, living_gate_search_normalize({p})) = 1 THEN 0 \
                  WHEN strpos(r.name_search, living_gate_search_normalize({p})) > 0 THEN 1 ELSE 2 END)::float8"
            )
        }
        _ => "0::float8".to_owned(),
    };
    let distance = distance.unwrap_or_else(|| "NULL::float8".into());
    let mut text = format!(
        "SELECT * FROM (SELECT {RESOURCE_COLUMNS}, {sort_key} AS sort_key, {distance} AS distance_m FROM {source}) s"
    );
    if let Some(after) = after {
        let key = sql.bind(Bind::Double(after.key));
        let id = sql.bind(Bind::Uuid(after.id));
        text.push_str(&format!(" WHERE (s.sort_key, s.id) > ({key}, {id})"));
    }
    let limit = sql.bind(Bind::BigInt(limit + 1));
    text.push_str(&format!(" ORDER BY s.sort_key, s.id LIMIT {limit}"));
    Ok(sql.query(text).load(conn).await?)
}

/// A point of the map: one location with a position, of a visible entry
/// whose position the caller may see, with the entry's row: the map renders
/// the entry as the domain's redaction leaves it, like every other output.
#[derive(Debug, QueryableByName)]
pub struct MapPoint {
    #[diesel(embed)]
    pub resource: Resource,
    #[diesel(sql_type = SqlUuid)]
    pub location_id: Uuid,
    #[diesel(sql_type = Nullable<Text>)]
    pub label: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub postal_code: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub prefecture: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub city: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub street: Option<String>,
    #[diesel(sql_type = Double)]
    pub latitude: f64,
    #[diesel(sql_type = Double)]
    pub longitude: f64,
}

/// Up to `limit` points, by entry id then location order.
pub async fn map(
    conn: &mut AsyncPgConnection,
    filter: &SearchFilter,
    limit: i64,
) -> DbResult<Vec<MapPoint>> {
    let mut sql = Sql::default();
    let (source, _) = source(filter, &mut sql);
    // Those without need-to-know for an entry's city see no point of its
    // hidden position unless it is published coarse (so the limit counts
    // the points they see), and no label (it names the place) of a hidden
    // address. The redaction removes the label and rounds again.
    let confidential = sql.bind(Bind::UuidArray(filter.confidential.clone()));
    let position_rule = format!(
        " AND NOT ({} AND NOT EXISTS (SELECT 1 FROM resource_coarse_positions c WHERE c.resource_id = r.id))",
        hides_from_caller(HideableField::Position, &confidential)
    );
    let label = format!(
        "CASE WHEN {} THEN NULL ELSE l.label END",
        hides_from_caller(HideableField::Address, &confidential)
    );
    let limit = sql.bind(Bind::BigInt(limit));
    let text = format!(
        "SELECT {RESOURCE_COLUMNS}, l.id AS location_id, {label} AS label, l.postal_code, l.prefecture, l.city, \
                l.street, l.latitude, l.longitude \
         FROM (SELECT r.* FROM {source}) r \
         JOIN resource_locations l ON l.resource_id = r.id AND l.latitude IS NOT NULL{position_rule} \
         ORDER BY r.id, l.ordinal LIMIT {limit}"
    );
    Ok(sql.query(text).load(conn).await?)
}

/// One count of the figures: `dimension` is `total`, `topic` (entries with
/// exactly this term), `topic_total` (with the term or a descendant), `form`,
/// `municipality`, `served_municipality`, `legal_form` or `intent`.
#[derive(Debug, QueryableByName)]
pub struct Count {
    #[diesel(sql_type = Text)]
    pub dimension: String,
    #[diesel(sql_type = Text)]
    pub key: String,
    #[diesel(sql_type = BigInt)]
    pub count: i64,
}

/// The figures of the entries matching `filter`: with no filter but the
/// city, the counts kept ahead by the entries' writes (migration
/// 2026-12-03-000033), otherwise counted from the entries.
pub async fn stats(conn: &mut AsyncPgConnection, filter: &SearchFilter) -> DbResult<Vec<Count>> {
    if kept_ahead(filter) {
        kept_stats(conn, filter).await
    } else {
        recount_stats(conn, filter).await
    }
}

/// The counts kept ahead answer `filter`: it names at most the owning city.
fn kept_ahead(filter: &SearchFilter) -> bool {
    filter.terms.is_empty()
        && filter.topic.is_none()
        && filter.form.is_none()
        && filter.serves.is_none()
        && filter.intent.is_none()
        && filter.legal_form.is_none()
        && filter.near.is_none()
}

/// The figures of a city (or of every city) from the counts kept ahead:
/// the public rows for the public, every row for staff. The same answer as
/// [`recount_stats`] (a test compares them after every kind of write).
pub async fn kept_stats(
    conn: &mut AsyncPgConnection,
    filter: &SearchFilter,
) -> DbResult<Vec<Count>> {
    let mut sql = Sql::default();
    let mut conditions = Vec::new();
    if !filter.staff {
        conditions.push("f.public".to_owned());
    }
    if let Some(municipality) = filter.municipality_id {
        let p = sql.bind(Bind::Uuid(municipality));
        conditions.push(format!("f.municipality_id = {p}"));
    }
    let mut text = String::from(
        "SELECT f.dimension, f.key, sum(f.entries)::bigint AS count FROM resource_figures f",
    );
    if !conditions.is_empty() {
        text.push_str(" WHERE ");
        text.push_str(&conditions.join(" AND "));
    }
    text.push_str(" GROUP BY f.dimension, f.key HAVING sum(f.entries) > 0");
    Ok(sql.query(text).load(conn).await?)
}

/// The figures counted from the matching entries.
pub async fn recount_stats(
    conn: &mut AsyncPgConnection,
    filter: &SearchFilter,
) -> DbResult<Vec<Count>> {
    let mut sql = Sql::default();
    let (source, _) = source(filter, &mut sql);
    let text = format!(
        "WITH RECURSIVE tree(root, code, id) AS (
            SELECT code, code, id FROM taxonomy_terms WHERE vocabulary = 'topic'
            UNION ALL
            SELECT tree.root, t.code, t.id FROM taxonomy_terms t JOIN tree ON t.parent_id = tree.id),
         v AS MATERIALIZED (SELECT r.id, r.topics, r.forms, r.municipality_id, r.serves_municipality_ids,
                                   r.legal_form, r.participation_intent FROM {source})
         SELECT 'total' AS dimension, '' AS key, count(*) AS count FROM v
         UNION ALL SELECT 'topic', t, count(*) FROM v, unnest(v.topics) t GROUP BY t
         UNION ALL SELECT 'topic_total', tree.root, count(DISTINCT v.id) FROM v CROSS JOIN unnest(v.topics) t JOIN tree ON tree.code = t GROUP BY tree.root
         UNION ALL SELECT 'form', f, count(*) FROM v, unnest(v.forms) f GROUP BY f
         UNION ALL SELECT 'municipality', v.municipality_id::text, count(*) FROM v GROUP BY v.municipality_id
         UNION ALL SELECT 'served_municipality', s::text, count(*) FROM v, unnest(v.serves_municipality_ids) s GROUP BY s
         UNION ALL SELECT 'legal_form', v.legal_form, count(*) FROM v GROUP BY v.legal_form
         UNION ALL SELECT 'intent', v.participation_intent, count(*) FROM v GROUP BY v.participation_intent"
    );
    Ok(sql.query(text).load(conn).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_domain_names_written_into_statements_are_plain_snake_case() {
        let plain = |name: &str| {
            !name.is_empty() && name.chars().all(|c| c.is_ascii_lowercase() || c == '_')
        };
        for field in HideableField::ALL {
            assert!(plain(field.as_str()), "{field:?}");
        }
        assert!(plain(EntryVisibility::Public.as_str()));
        // The statements as they were before the names came from the domain.
        assert_eq!(
            hides(HideableField::Position),
            "r.hidden_fields @> ARRAY['position']"
        );
        assert_eq!(
            hides(HideableField::Address),
            "r.hidden_fields @> ARRAY['address']"
        );
        assert_eq!(is_public(), "r.visibility = 'public'");
    }
}
