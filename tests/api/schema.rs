//! Schema invariants (indexes, `created_at`, the KPI vocabulary of the
//! triggers), migrations, and scale-out.

use crate::harness::{json, problem, TestApp, Who};
use diesel::sql_types::{BigInt, Text};
use diesel::QueryableByName;
use diesel_async::RunQueryDsl;
use living_gate_db::migrate;
use living_gate_test_db::{server_url, with_database, TestDatabase};
use reqwest::StatusCode;

#[derive(QueryableByName, Debug)]
struct Name {
    #[diesel(sql_type = Text)]
    name: String,
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    count: i64,
}

#[tokio::test(flavor = "multi_thread")]
async fn every_foreign_key_has_an_index_and_every_table_a_created_at() {
    let app = TestApp::spawn().await;
    let mut conn = app.conn().await;
    let unindexed: Vec<Name> = diesel::sql_query(
        "SELECT c.conrelid::regclass || '.' || a.attname AS name
         FROM pg_constraint c
         JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
         WHERE c.contype = 'f'
           AND NOT EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.conrelid AND i.indkey[0] = c.conkey[1])",
    )
    .load(&mut conn)
    .await
    .expect("query");
    assert!(
        unindexed.is_empty(),
        "foreign keys without an index: {unindexed:?}"
    );
    let without_created_at: Vec<Name> = diesel::sql_query(
        "SELECT table_name::text AS name FROM information_schema.tables t
         WHERE table_schema = 'public' AND table_type = 'BASE TABLE'
           -- The KPI counters summarise other rows; they are not records of their own.
           AND table_name NOT IN ('__diesel_schema_migrations', 'kpi_facts', 'kpi_histograms', 'kpi_year_histograms', 'referral_counts',
                                  'resource_figures')
           AND NOT EXISTS (SELECT 1 FROM information_schema.columns c
                           WHERE c.table_schema = 'public' AND c.table_name = t.table_name AND c.column_name = 'created_at')",
    )
    .load(&mut conn)
    .await
    .expect("query");
    assert!(
        without_created_at.is_empty(),
        "tables without created_at: {without_created_at:?}"
    );
}

/// diesel's `32-column-tables` feature stays enough (the 64-column one
/// costs compile time): no table has more than 32 columns. `resources` has
/// exactly 32 (its search tokens and points among them): a new column there
/// must move another out first.
#[tokio::test(flavor = "multi_thread")]
async fn no_table_has_more_than_32_columns() {
    let app = TestApp::spawn().await;
    let mut conn = app.conn().await;
    let wide: Vec<Name> = diesel::sql_query(
        "SELECT c.relname || ' (' || count(*) || ')' AS name
         FROM pg_attribute a
         JOIN pg_class c ON c.oid = a.attrelid
         JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = 'public' AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped
         GROUP BY c.relname
         HAVING count(*) > 32",
    )
    .load(&mut conn)
    .await
    .expect("query");
    assert!(
        wide.is_empty(),
        "tables with more than 32 columns: {wide:?}"
    );
}

/// Every event kind the API writes is one the database accepts, and the
/// other way round: the CHECK constraint on `proposal_events.kind` lists
/// exactly `EventKind::ALL`.
#[tokio::test(flavor = "multi_thread")]
async fn the_feed_accepts_exactly_the_event_kinds_the_api_writes() {
    let app = TestApp::spawn().await;
    let mut conn = app.conn().await;
    let allowed: Vec<Name> = diesel::sql_query(
        "SELECT (regexp_matches(pg_get_constraintdef(oid), '''([a-z_]+)''', 'g'))[1] AS name
         FROM pg_constraint WHERE conname = 'proposal_events_kind_check'",
    )
    .load(&mut conn)
    .await
    .expect("query");
    let mut allowed: Vec<String> = allowed.into_iter().map(|n| n.name).collect();
    allowed.sort();
    let mut written: Vec<String> = living_gate_api::record::EventKind::ALL
        .iter()
        .map(|k| k.as_str().to_owned())
        .collect();
    written.sort();
    assert!(!written.is_empty());
    assert_eq!(allowed, written);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_audit_log_refuses_update_delete_and_truncate() {
    let app = TestApp::spawn().await;
    // Something to audit.
    let response = app
        .login(&app.fixtures.account(Who::Desk).email, "wrong password 123")
        .await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    // The app's role has no such privilege; the owner is stopped by the trigger.
    let mut app_conn = app.conn().await;
    let mut owner = app.owner_conn().await;
    for statement in [
        "UPDATE audit_log SET action = 'x'",
        "DELETE FROM audit_log",
        "TRUNCATE audit_log",
    ] {
        let error = diesel::sql_query(statement)
            .execute(&mut app_conn)
            .await
            .expect_err(statement);
        assert!(
            error.to_string().contains("permission denied"),
            "{statement}: {error}"
        );
        let error = diesel::sql_query(statement)
            .execute(&mut owner)
            .await
            .expect_err(statement);
        assert!(
            error.to_string().contains("append-only"),
            "{statement}: {error}"
        );
    }
    let mut conn = app_conn;
    let count: Count = diesel::sql_query("SELECT count(*) AS count FROM audit_log")
        .get_result(&mut conn)
        .await
        .expect("count");
    assert_eq!(count.count, 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn migrations_revert_and_reapply() {
    let db = TestDatabase::create().await.expect("db");
    let reverted = migrate::revert_all(&db.url).await.expect("revert");
    assert!(!reverted.is_empty());
    let reapplied = migrate::run_pending(&db.url).await.expect("reapply");
    assert_eq!(reverted.len(), reapplied.len());
    assert!(
        migrate::run_pending(&db.url)
            .await
            .expect("again")
            .is_empty(),
        "nothing left to apply"
    );
}

/// Two instances starting at once on one empty database: migrations run
/// once (advisory lock), and both serve the same data.
#[tokio::test(flavor = "multi_thread")]
async fn two_instances_on_one_database_behave_as_one() {
    let name = format!("lg_test_{}_scaleout", std::process::id());
    let server = server_url();
    let mut admin = migrate_connection(&server).await;
    diesel::sql_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .execute(&mut admin)
        .await
        .expect("drop");
    diesel::sql_query(format!("CREATE DATABASE {name}"))
        .execute(&mut admin)
        .await
        .expect("create");
    let url = with_database(&server, &name);
    let (a, b) = tokio::join!(migrate::run_pending(&url), migrate::run_pending(&url));
    let (a, b) = (a.expect("first instance"), b.expect("second instance"));
    let total = migrate::count();
    assert_eq!(
        a.len() + b.len(),
        total,
        "each migration applied exactly once: {a:?} {b:?}"
    );

    let mut conn = migrate_connection(&url).await;
    let count: Count =
        diesel::sql_query("SELECT count(*) AS count FROM __diesel_schema_migrations")
            .get_result(&mut conn)
            .await
            .expect("count");
    assert_eq!(count.count, i64::try_from(total).expect("count"));
    drop(conn);

    // Both app instances over the database: a change through one is seen by the other.
    let first = TestApp::builder()
        .database(TestDatabase::adopt(name, url))
        .spawn()
        .await;
    let second = first.spawn_instance().await;
    let created = first
        .post(
            "/v1/organizations",
            Who::Desk,
            &serde_json::json!({"name": "並行株式会社", "kind": "company"}),
        )
        .await;
    let created = json(created, StatusCode::CREATED).await;
    let id = created["id"].as_str().expect("id");
    let seen = first
        .client
        .get(format!("{}/v1/organizations/{id}", second.base))
        .bearer_auth(first.token(Who::Desk).expect("token"))
        .send()
        .await
        .expect("request");
    assert_eq!(json(seen, StatusCode::OK).await["name"], "並行株式会社");
}

async fn migrate_connection(url: &str) -> diesel_async::AsyncPgConnection {
    use diesel_async::AsyncConnection;
    diesel_async::AsyncPgConnection::establish(url)
        .await
        .expect("connect")
}

#[tokio::test(flavor = "multi_thread")]
async fn databases_left_by_crashed_runs_are_swept() {
    use living_gate_test_db::sweep_orphans;
    let server = server_url();
    let mut admin = migrate_connection(&server).await;
    // A pid above the kernel's maximum never exists; our own pid does.
    let dead = "lg_test_4194999_0";
    let alive = format!("lg_test_{}_swept_check", std::process::id());
    for name in [dead, alive.as_str()] {
        diesel::sql_query(format!("DROP DATABASE IF EXISTS {name}"))
            .execute(&mut admin)
            .await
            .expect("drop");
        diesel::sql_query(format!("CREATE DATABASE {name}"))
            .execute(&mut admin)
            .await
            .expect("create");
    }
    sweep_orphans(&mut admin).await.expect("sweep");
    let left: Vec<Name> = diesel::sql_query(
        "SELECT datname::text AS name FROM pg_database WHERE datname IN ($1, $2)",
    )
    .bind::<Text, _>(dead)
    .bind::<Text, _>(&alive)
    .load(&mut admin)
    .await
    .expect("query");
    let left: Vec<String> = left.into_iter().map(|n| n.name).collect();
    assert_eq!(
        left,
        vec![alive.clone()],
        "the dead process's database went, the live one's stayed"
    );
    diesel::sql_query(format!("DROP DATABASE IF EXISTS {alive}"))
        .execute(&mut admin)
        .await
        .expect("drop");
}

#[derive(QueryableByName, Debug)]
struct FunctionSource {
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text)]
    source: String,
}

/// The fact functions the KPI triggers count through: the argument of every
/// trigger that executes `kpi_count_facts`.
async fn kpi_fact_functions(conn: &mut diesel_async::AsyncPgConnection) -> Vec<FunctionSource> {
    diesel::sql_query(
        r"SELECT DISTINCT f.proname::text AS name, f.prosrc AS source
          FROM pg_trigger t
          JOIN pg_proc counter ON counter.oid = t.tgfoid
          JOIN pg_proc f ON f.oid = to_regproc(split_part(encode(t.tgargs, 'escape'), '\000', 1))
          WHERE counter.proname = 'kpi_count_facts'
          ORDER BY name",
    )
    .load(conn)
    .await
    .expect("fact functions")
}

/// The string literals of a function's source, comments left out.
fn literals(source: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut chars = source.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '-' if chars.peek() == Some(&'-') => {
                for c in chars.by_ref() {
                    if c == '\n' {
                        break;
                    }
                }
            }
            '\'' => {
                let mut literal = String::new();
                loop {
                    match chars.next() {
                        Some('\'') if chars.peek() == Some(&'\'') => {
                            chars.next();
                            literal.push('\'');
                        }
                        Some('\'') | None => break,
                        Some(c) => literal.push(c),
                    }
                }
                found.push(literal);
            }
            _ => {}
        }
    }
    found
}

/// A fact function emits a duration as the metric `hours:<measure>`.
const HOURS: &str = "hours:";

/// Literals of the fact functions that are not names: keys and key prefixes,
/// the statuses of hearings and matches their conditions test, the time
/// zone and a `date_trunc` field. Proposal statuses (keys of `status` and
/// `reached`, and conditions) are recognised through `Status`.
const NOT_NAMES: [&str; 8] = [
    "all",
    "kind:",
    "channel:",
    "theme:",
    "answered",
    "accepted",
    "Asia/Tokyo",
    "month",
];

/// Every literal of the fact functions is a fact metric, `hours:` and a
/// measure, or a known non-name; every metric and measure is written by
/// some function. The problems found, if any, in one message.
fn check_kpi_vocabulary(functions: &[FunctionSource]) -> Result<(), String> {
    use living_gate_domain::desk::workflow::Status;
    use living_gate_domain::kpi::{FactMetric, Measure};
    use std::collections::BTreeSet;
    let mut problems = Vec::new();
    let (mut metrics, mut measures) = (BTreeSet::new(), BTreeSet::new());
    for function in functions {
        for literal in literals(&function.source) {
            if let Some(measure) = literal.strip_prefix(HOURS) {
                match measure.parse::<Measure>() {
                    Ok(measure) => {
                        measures.insert(measure);
                    }
                    Err(e) => problems.push(format!("{}: {e}", function.name)),
                }
            } else if let Ok(metric) = literal.parse::<FactMetric>() {
                metrics.insert(metric);
            } else if !(NOT_NAMES.contains(&literal.as_str()) || Status::parse(&literal).is_some())
            {
                problems.push(format!(
                    "{}: `{literal}` is no fact metric (add it to the vocabulary, \
                     crates/domain/src/kpi/vocabulary.rs) nor a known non-name (NOT_NAMES)",
                    function.name
                ));
            }
        }
    }
    for metric in FactMetric::ALL.into_iter().filter(|m| !metrics.contains(m)) {
        problems.push(format!("no trigger writes the fact metric {metric:?}"));
    }
    for measure in Measure::ALL.into_iter().filter(|m| !measures.contains(m)) {
        problems.push(format!("no trigger writes the measure {measure:?}"));
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("\n"))
    }
}

/// The names the KPI counters are written under are the domain's
/// vocabulary (`kpi::FactMetric`, `kpi::Measure`), all of it: the loader
/// refuses a name it does not know, so a trigger writing one would fail
/// every report.
#[tokio::test(flavor = "multi_thread")]
async fn the_kpi_triggers_write_the_domain_vocabulary_and_all_of_it() {
    use living_gate_domain::kpi::FactMetric;
    let app = TestApp::spawn().await;
    let mut conn = app.owner_conn().await;

    // Only the counting trigger and the recount write the counters…
    let writers: Vec<FunctionSource> = diesel::sql_query(
        r"SELECT p.proname::text AS name, p.prosrc AS source
          FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
          WHERE n.nspname IN ('public', 'kpi')
            AND p.prosrc ~* '(INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+kpi_(facts|histograms|year_histograms)\M'
          ORDER BY name",
    )
    .load(&mut conn)
    .await
    .expect("writers");
    let writer_names: Vec<&str> = writers.iter().map(|w| w.name.as_str()).collect();
    assert_eq!(writer_names, ["kpi_count_facts", "kpi_rebuild_facts"]);
    // …and both take their names from the fact functions: `hours:<measure>`
    // goes to the histograms under the measure, anything else to kpi_facts.
    let functions = kpi_fact_functions(&mut conn).await;
    assert!(!functions.is_empty(), "no KPI triggers found");
    let strip_hours = format!("substr(d.metric, {})", HOURS.len() + 1);
    assert!(
        writers[0].source.contains(&format!("LIKE '{HOURS}%'"))
            && writers[0].source.contains(&strip_hours),
        "kpi_count_facts files `{HOURS}<measure>` under the measure"
    );
    for function in &functions {
        assert!(
            writers[1].source.contains(&format!("{}(", function.name)),
            "kpi_rebuild_facts recounts through {}",
            function.name
        );
    }
    check_kpi_vocabulary(&functions).unwrap_or_else(|problems| panic!("{problems}"));

    // The check can fail: a trigger writing a name the domain does not know.
    diesel::sql_query(
        "DO $$ BEGIN EXECUTE replace(pg_get_functiondef('kpi_match_facts'::regproc), \
         '''matches_made''', '''matches_planned'''); END $$",
    )
    .execute(&mut conn)
    .await
    .expect("replace kpi_match_facts");
    let problems = check_kpi_vocabulary(&kpi_fact_functions(&mut conn).await)
        .expect_err("an unknown name and a metric nobody writes");
    assert!(
        problems.contains("`matches_planned` is no fact metric")
            && problems.contains(&format!("{:?}", FactMetric::MatchesMade)),
        "{problems}"
    );
}

#[derive(QueryableByName)]
struct EnumCheck {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    column_name: String,
    #[diesel(sql_type = Text)]
    definition: String,
}

/// Every enumeration a row carries, by column, and the names its CHECK
/// constraint must list: exactly the enum's (`held_from`: the six steps,
/// where an `on_hold` case resumes).
fn checked_enum_columns() -> Vec<((&'static str, &'static str), Vec<&'static str>)> {
    use living_gate_domain::code::names;
    use living_gate_domain::desk::attachment::{AttachedTo, AttachmentSource, ScanStatus};
    use living_gate_domain::desk::coordination::{HearingStatus, Interest, MatchRole, MatchStatus};
    use living_gate_domain::desk::feed::{EventKind, Visibility};
    use living_gate_domain::desk::logic_model::LogicModelStatus;
    use living_gate_domain::desk::proposal::{Channel, Kind};
    use living_gate_domain::desk::trip::TripStatus;
    use living_gate_domain::desk::workflow::{Status, STEPS};
    use living_gate_domain::directory::{
        EntryVisibility, HideableField, LegalForm, ParticipationIntent, SuggestionStatus,
        SurveyChannel, Vocabulary,
    };
    use living_gate_domain::identity::{
        OrganizationKind, OrganizationStatus, RecordStatus, UserStatus,
    };
    use living_gate_domain::intake::SubmissionStatus;
    use living_gate_domain::notify::{AttemptOutcome, Language, MailKind, OutboxState};
    use living_gate_domain::Role;
    vec![
        (("municipalities", "status"), names::<RecordStatus>()),
        (("departments", "status"), names::<RecordStatus>()),
        (("organizations", "kind"), names::<OrganizationKind>()),
        (("organizations", "status"), names::<OrganizationStatus>()),
        (
            ("intake_submissions", "status"),
            names::<SubmissionStatus>(),
        ),
        (("users", "role"), names::<Role>()),
        (("users", "status"), names::<UserStatus>()),
        (("service_accounts", "status"), names::<RecordStatus>()),
        (
            ("identity_providers", "audience"),
            names::<living_gate_domain::signin::ProviderAudience>(),
        ),
        (("identity_providers", "status"), names::<RecordStatus>()),
        (
            ("retention_rules", "kind"),
            names::<living_gate_domain::retention::RuleKind>(),
        ),
        (("proposals", "kind"), names::<Kind>()),
        (("proposals", "channel"), names::<Channel>()),
        (("proposals", "status"), names::<Status>()),
        (
            ("proposals", "held_from"),
            STEPS.iter().map(|s| s.as_str()).collect(),
        ),
        (("hearings", "status"), names::<HearingStatus>()),
        (("hearings", "interest"), names::<Interest>()),
        (("messages", "visibility"), names::<Visibility>()),
        (("proposal_events", "kind"), names::<EventKind>()),
        (("proposal_events", "visibility"), names::<Visibility>()),
        (("matches", "role"), names::<MatchRole>()),
        (("matches", "status"), names::<MatchStatus>()),
        (("network_matches", "status"), names::<MatchStatus>()),
        (
            ("network_matches", "answered_via"),
            names::<living_gate_domain::desk::network::AgreementChannel>(),
        ),
        (("logic_models", "status"), names::<LogicModelStatus>()),
        (("trips", "status"), names::<TripStatus>()),
        (("taxonomy_terms", "vocabulary"), names::<Vocabulary>()),
        (("resources", "legal_form"), names::<LegalForm>()),
        (
            ("resources", "participation_intent"),
            names::<ParticipationIntent>(),
        ),
        (("resources", "visibility"), names::<EntryVisibility>()),
        (("resources", "hidden_fields"), names::<HideableField>()),
        (("survey_recipients", "channel"), names::<SurveyChannel>()),
        (
            ("referrals", "channel"),
            names::<living_gate_domain::platform::referral::ReferralChannel>(),
        ),
        (
            ("referrals", "outcome"),
            names::<living_gate_domain::platform::referral::ReferralOutcome>(),
        ),
        (
            ("liaison_meetings", "kind"),
            names::<living_gate_domain::platform::meeting::MeetingKind>(),
        ),
        (
            ("meeting_follow_ups", "status"),
            names::<living_gate_domain::platform::meeting::FollowUpStatus>(),
        ),
        (
            ("survey_recipients", "works_on"),
            names::<living_gate_domain::platform::survey::WorksOn>(),
        ),
        (
            ("survey_recipients", "participation_intent"),
            names::<ParticipationIntent>(),
        ),
        (
            ("platform_events", "kind"),
            names::<living_gate_domain::platform::event::PlatformEventKind>(),
        ),
        (
            ("resource_suggestions", "status"),
            names::<SuggestionStatus>(),
        ),
        (
            ("resource_details", "accessibility"),
            names::<living_gate_domain::directory::details::AccessibilityFeature>(),
        ),
        (
            ("resource_details", "target_groups"),
            names::<living_gate_domain::directory::details::TargetGroup>(),
        ),
        (
            ("resource_details", "cost"),
            names::<living_gate_domain::directory::details::Cost>(),
        ),
        (
            ("resource_details", "verification_method"),
            names::<living_gate_domain::directory::details::VerificationMethod>(),
        ),
        (("outbox_messages", "kind"), names::<MailKind>()),
        (("outbox_messages", "language"), names::<Language>()),
        (("users", "mail_language"), names::<Language>()),
        (("outbox_messages", "state"), names::<OutboxState>()),
        (("outbox_attempts", "outcome"), names::<AttemptOutcome>()),
        (
            ("webhook_subscriptions", "state"),
            names::<living_gate_domain::webhooks::SubscriptionState>(),
        ),
        (
            ("webhook_deliveries", "outcome"),
            names::<living_gate_domain::webhooks::DeliveryOutcome>(),
        ),
        (("notification_preferences", "kind"), names::<MailKind>()),
        (("attachments", "attached_to"), names::<AttachedTo>()),
        (("attachments", "visibility"), names::<Visibility>()),
        (("attachments", "source"), names::<AttachmentSource>()),
        (("attachments", "scan_status"), names::<ScanStatus>()),
    ]
}

/// Columns rows carry as enums that no CHECK constraint guards (the db
/// layer refuses an unknown name when it reads them).
const UNCHECKED_ENUM_COLUMNS: &[(&str, &str)] = &[
    ("proposals", "themes"),
    ("proposal_events", "actor_role"),
    ("proposal_events", "from_status"),
    ("proposal_events", "to_status"),
    ("audit_log", "actor_role"),
];

/// The quoted literals of a constraint definition (`'a'::text, 'b'::text`).
fn check_literals(definition: &str) -> Vec<&str> {
    definition.split('\'').skip(1).step_by(2).collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn every_check_constraint_lists_exactly_its_enum() {
    let app = TestApp::spawn().await;
    let mut conn = app.conn().await;
    // Single-column CHECKs that list text values: `x IN ('a', 'b')` (which
    // PostgreSQL keeps as `x = ANY (ARRAY['a'::text, …])`) or `x <@ ARRAY[…]`.
    let checks: Vec<EnumCheck> = diesel::sql_query(
        "SELECT c.conrelid::regclass::text AS table_name, a.attname::text AS column_name,
                pg_get_constraintdef(c.oid) AS definition
         FROM pg_constraint c
         JOIN pg_namespace n ON n.oid = c.connamespace AND n.nspname = 'public'
         JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
         WHERE c.contype = 'c' AND cardinality(c.conkey) = 1
           AND pg_get_constraintdef(c.oid) LIKE '%ARRAY[''%'
         ORDER BY 1, 2",
    )
    .load(&mut conn)
    .await
    .expect("query");
    let expected = checked_enum_columns();
    let in_database: Vec<(&str, &str)> = checks
        .iter()
        .map(|c| (c.table_name.as_str(), c.column_name.as_str()))
        .collect();
    let mut declared: Vec<(&str, &str)> = expected.iter().map(|(column, _)| *column).collect();
    declared.sort_unstable();
    assert_eq!(
        in_database, declared,
        "a CHECK constraint lists names but no enum is declared for its column here, or the reverse"
    );
    for check in &checks {
        let column = (check.table_name.as_str(), check.column_name.as_str());
        let mut allowed = check_literals(&check.definition);
        allowed.sort_unstable();
        let mut names = expected
            .iter()
            .find(|(c, _)| *c == column)
            .map(|(_, names)| names.clone())
            .unwrap_or_default();
        names.sort_unstable();
        assert_eq!(
            allowed, names,
            "{}.{}: the CHECK constraint ({}) and the enum disagree",
            column.0, column.1, check.definition
        );
    }
    for column in UNCHECKED_ENUM_COLUMNS {
        assert!(
            !in_database.contains(column),
            "{column:?} has a CHECK now: declare it with its enum above"
        );
    }
    let existing: Vec<Name> = diesel::sql_query(
        "SELECT table_name::text || '.' || column_name::text AS name
         FROM information_schema.columns WHERE table_schema = 'public'",
    )
    .load(&mut conn)
    .await
    .expect("columns");
    let existing: Vec<String> = existing.into_iter().map(|n| n.name).collect();
    for (table, column) in UNCHECKED_ENUM_COLUMNS {
        assert!(
            existing.contains(&format!("{table}.{column}")),
            "no column {table}.{column}"
        );
    }
}

/// Drops every CHECK constraint on `table.column` (in the test's own database).
async fn drop_checks(conn: &mut diesel_async::AsyncPgConnection, table: &str, column: &str) {
    diesel::sql_query(format!(
        "DO $$ DECLARE c record; BEGIN
           FOR c IN SELECT conname FROM pg_constraint
                    WHERE conrelid = '{table}'::regclass AND contype = 'c'
                      AND conkey @> ARRAY[(SELECT attnum FROM pg_attribute
                                           WHERE attrelid = '{table}'::regclass AND attname = '{column}')]
           LOOP EXECUTE format('ALTER TABLE {table} DROP CONSTRAINT %I', c.conname); END LOOP;
         END $$"
    ))
    .execute(conn)
    .await
    .expect("drop checks");
}

async fn set(conn: &mut diesel_async::AsyncPgConnection, statement: &str, id: &str) {
    let id: uuid::Uuid = id.parse().expect("uuid");
    let updated = diesel::sql_query(statement)
        .bind::<diesel::sql_types::Uuid, _>(id)
        .execute(conn)
        .await
        .expect(statement);
    assert_eq!(updated, 1, "{statement}");
}

/// A read error that names the column and the unknown name.
fn assert_read_error<T: std::fmt::Debug>(result: living_gate_db::DbResult<T>, column: &str) {
    match result {
        Err(living_gate_db::DbError::Query(error)) => {
            // "Error deserializing field 'status'", caused by "`archived` is not a …".
            let mut message = error.to_string();
            let mut cause = std::error::Error::source(&error);
            while let Some(inner) = cause {
                message.push_str(&format!(": {inner}"));
                cause = inner.source();
            }
            assert!(
                message.contains(column) && message.contains("archived"),
                "{message}"
            );
        }
        other => panic!("{column}: expected a read error, got {other:?}"),
    }
}

/// Today's rows hold only known names (the CHECK constraints see to it), but
/// should one not, reading it fails loudly: no enum falls back to a default.
#[tokio::test(flavor = "multi_thread")]
async fn an_unknown_name_in_a_row_is_a_read_error_never_a_default() {
    use living_gate_db::{desk::events, desk::proposals, directory::resources};
    let app = TestApp::spawn().await;
    let submit = |title: &str| {
        serde_json::json!({
            "kind": "proposal", "title": title, "summary": "駅前の空き店舗で多世代の居場所をつくる。",
            "themes": ["community_support"], "sdg_goals": [11], "channel": "web",
            "municipality_id": app.fixtures.zama
        })
    };
    let by_status = json(
        app.post("/v1/proposals", Who::Partner, &submit("状態の壊れた案件"))
            .await,
        StatusCode::CREATED,
    )
    .await;
    let by_hold = json(
        app.post("/v1/proposals", Who::Partner, &submit("保留元の壊れた案件"))
            .await,
        StatusCode::CREATED,
    )
    .await;
    let entry = json(
        app.post(
            "/v1/resources",
            Who::Desk,
            &serde_json::json!({"name": "壊れた項目の団体", "legal_form": "npo",
                "municipality_id": app.fixtures.zama, "description": "", "topics": [], "forms": []}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let (case_id, held_id, entry_id) = (
        by_status["id"].as_str().expect("id"),
        by_hold["id"].as_str().expect("id"),
        entry["id"].as_str().expect("id"),
    );
    let mut conn = app.owner_conn().await;
    drop_checks(&mut conn, "proposals", "status").await;
    drop_checks(&mut conn, "proposals", "held_from").await;
    drop_checks(&mut conn, "resources", "hidden_fields").await;
    set(
        &mut conn,
        "UPDATE proposals SET status = 'archived' WHERE id = $1",
        case_id,
    )
    .await;
    set(
        &mut conn,
        "UPDATE proposals SET held_from = 'archived' WHERE id = $1",
        held_id,
    )
    .await;
    set(
        &mut conn,
        "UPDATE resources SET hidden_fields = ARRAY['phone', 'archived'] WHERE id = $1",
        entry_id,
    )
    .await;
    // An unchecked column: only the db layer guards it.
    set(
        &mut conn,
        "UPDATE proposal_events SET to_status = 'archived' WHERE proposal_id = $1",
        held_id,
    )
    .await;

    let id = |raw: &str| raw.parse::<uuid::Uuid>().expect("uuid");
    // text, nullable text and text[] columns.
    assert_read_error(proposals::find(&mut conn, id(case_id)).await, "status");
    assert_read_error(proposals::find(&mut conn, id(held_id)).await, "held_from");
    assert_read_error(
        resources::find(&mut conn, id(entry_id)).await,
        "hidden_fields",
    );
    let audience = events::Audience {
        scope: proposals::Scope::Municipality(app.fixtures.zama),
        shared_only: false,
    };
    assert_read_error(
        events::timeline(&mut conn, id(held_id), audience, None, 10).await,
        "to_status",
    );

    // Through the API: an internal error (500), never a case shown as `received`.
    for path in [
        format!("/v1/proposals/{case_id}"),
        format!("/v1/proposals/{held_id}"),
        format!("/v1/resources/{entry_id}"),
        "/v1/proposals".to_owned(),
    ] {
        let body = problem(
            app.get(&path, Who::Desk).await,
            StatusCode::INTERNAL_SERVER_ERROR,
        )
        .await;
        assert!(!body.to_string().contains("archived"), "{path}: {body}");
    }
}

/// The service's role (`living_gate_app`, migration 000011) has rows, not
/// structure: no DDL, no TRUNCATE, no way to switch off a trigger or
/// row-level security, and the case history is append-only for it. Checked
/// through the app's own pool, beside the owner who may.
#[tokio::test(flavor = "multi_thread")]
async fn the_app_role_has_rows_not_structure() {
    let app = TestApp::builder().demo_data().spawn().await;
    let mut conn = app.conn().await;
    let role: living_gate_db::pool::ServingRole = living_gate_db::pool::serving_role(&app.pool)
        .await
        .expect("role");
    assert!(!role.superuser && !role.owns_tables, "{role:?}");
    // Rows it may write.
    diesel::sql_query("UPDATE proposals SET updated_at = updated_at")
        .execute(&mut conn)
        .await
        .expect("the app updates cases");
    for statement in [
        "UPDATE proposal_events SET reason = 'rewritten'",
        "DELETE FROM proposal_events",
        "TRUNCATE proposal_events",
        "TRUNCATE proposals CASCADE",
        "ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only",
        "ALTER TABLE proposals DISABLE ROW LEVEL SECURITY",
        "ALTER TABLE proposals ADD COLUMN smuggled text",
        "DROP TABLE messages",
        "CREATE TABLE public.smuggled (id int)",
        "DROP TRIGGER audit_log_append_only ON audit_log",
        "CREATE ROLE smuggler SUPERUSER",
        "SET ROLE postgres",
    ] {
        let error = diesel::sql_query(statement)
            .execute(&mut conn)
            .await
            .expect_err(statement);
        let text = error.to_string();
        assert!(
            ["permission denied", "must be owner", "must be superuser"]
                .iter()
                .any(|refusal| text.contains(refusal)),
            "{statement}: {text}"
        );
    }
    // The owner may (the refusals above are the role's, not the statements').
    let mut owner = app.owner_conn().await;
    diesel::sql_query("ALTER TABLE proposals ADD COLUMN smuggled text")
        .execute(&mut owner)
        .await
        .expect("the owner alters tables");
    let events: Count = diesel::sql_query("SELECT count(*) AS count FROM proposal_events")
        .get_result(&mut conn)
        .await
        .expect("count");
    assert!(events.count > 0, "the demo cases have history");
}
