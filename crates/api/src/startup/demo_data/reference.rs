//! Reference data (the four municipalities and Zama's departments, what
//! `living-gate init` loads into a production database) and the demo
//! partner organizations (demo only). The directory taxonomy is reference
//! data too, but a migration inserts it.

use living_gate_db::kpi;
use living_gate_db::reference::departments::{self, NewDepartment};
use living_gate_db::reference::municipalities::{self, NewMunicipality};
use living_gate_db::reference::organizations::{self, NewOrganization, OrganizationFilter};
use living_gate_db::{AsyncPgConnection, DbError, Page};
use living_gate_domain::fiscal::default_reference_prefix;
use living_gate_domain::identity::OrganizationKind;
use uuid::Uuid;

/// (code, name, kana, English)
pub const MUNICIPALITIES: &[(&str, &str, &str, &str)] = &[
    ("142166", "座間市", "ざまし", "Zama"),
    ("142182", "綾瀬市", "あやせし", "Ayase"),
    ("142131", "大和市", "やまとし", "Yamato"),
    ("142158", "海老名市", "えびなし", "Ebina"),
];

/// Zama's departments: (code, name, English).
pub const ZAMA_DEPARTMENTS: &[(&str, &str, &str)] = &[
    (
        "shimin-kyodo",
        "市民協働課",
        "Citizen Collaboration Division",
    ),
    ("chiiki-fukushi", "地域福祉課", "Community Welfare Division"),
    ("kikaku", "企画課", "Planning Division"),
    (
        "kodomo-seisaku",
        "こども政策課",
        "Children's Policy Division",
    ),
    (
        "kankyo-seisaku",
        "環境政策課",
        "Environmental Policy Division",
    ),
    (
        "shoko-kanko",
        "商工観光課",
        "Commerce, Industry and Tourism Division",
    ),
    ("kenko-suishin", "健康推進課", "Health Promotion Division"),
    ("shogai-gakushu", "生涯学習課", "Lifelong Learning Division"),
    (
        "kaigo-hoken",
        "介護保険課",
        "Long-term Care Insurance Division",
    ),
];

/// Demo partner organizations (fictional): (name, kana, kind).
pub const DEMO_ORGANIZATIONS: &[(&str, &str, OrganizationKind)] = &[
    (
        "さがみテック株式会社",
        "さがみてっく",
        OrganizationKind::Company,
    ),
    (
        "湘北みらい大学",
        "しょうほくみらいだいがく",
        OrganizationKind::University,
    ),
    (
        "NPO法人ざま子ども未来ネット",
        "ざまこどもみらいねっと",
        OrganizationKind::Npo,
    ),
];

/// Loads the municipalities, Zama's departments and Zama's FY2026 target
/// (idempotent: rows that exist by code, or a target already set, are left alone).
pub async fn reference_data(conn: &mut AsyncPgConnection) -> Result<(), DbError> {
    for (code, name, kana, en) in MUNICIPALITIES {
        if municipalities::find_by_code(conn, code).await?.is_none() {
            municipalities::insert(
                conn,
                &NewMunicipality {
                    id: Uuid::now_v7(),
                    code: (*code).into(),
                    name: (*name).into(),
                    name_kana: (*kana).into(),
                    name_en: (*en).into(),
                    reference_prefix: default_reference_prefix(code),
                },
            )
            .await?;
        }
    }
    let (zama, existing) = zama(conn).await?;
    // Seed 000: at least one co-creation project (TRIP) in FY2026, Zama's target.
    kpi::insert_target(
        conn,
        &kpi::TargetValues {
            municipality_id: zama.id,
            fiscal_year: 2026,
            trips_started: 1,
            community_supports: None,
            proposals_received: None,
            updated_by: None,
        },
    )
    .await?;
    for (code, name, en) in ZAMA_DEPARTMENTS {
        if !existing.iter().any(|d| d.code == *code) {
            departments::insert(
                conn,
                &NewDepartment {
                    id: Uuid::now_v7(),
                    municipality_id: zama.id,
                    code: (*code).into(),
                    name: (*name).into(),
                    name_en: (*en).into(),
                },
            )
            .await?;
        }
    }
    Ok(())
}

/// Loads the demo partner organizations (idempotent, by name).
pub async fn demo_organizations(conn: &mut AsyncPgConnection) -> Result<(), DbError> {
    for (name, kana, kind) in DEMO_ORGANIZATIONS {
        let filter = OrganizationFilter {
            q: Some((*name).into()),
            ..Default::default()
        };
        if organizations::list(
            conn,
            &filter,
            Page {
                after: None,
                limit: 1,
            },
        )
        .await?
        .is_empty()
        {
            organizations::insert(
                conn,
                &NewOrganization {
                    id: Uuid::now_v7(),
                    name: (*name).into(),
                    name_kana: Some((*kana).into()),
                    kind: *kind,
                    corporate_number: None,
                    postal_code: None,
                    address: None,
                    website: None,
                },
            )
            .await?;
        }
    }
    Ok(())
}

/// Zama and its departments.
pub async fn zama(
    conn: &mut AsyncPgConnection,
) -> Result<(municipalities::Municipality, Vec<departments::Department>), DbError> {
    let zama = municipalities::find_by_code(conn, "142166")
        .await?
        .ok_or(DbError::NotFound)?;
    let filter = departments::DepartmentFilter {
        municipality_id: Some(zama.id),
    };
    let list = departments::list(
        conn,
        filter,
        Page {
            after: None,
            limit: 1000,
        },
    )
    .await?;
    Ok((zama, list))
}
