//! Demo accounts of every role, created with fresh passwords.

use crate::auth::{passwords, secrets};
use living_gate_db::accounts::users::{self, NewUser};
use living_gate_db::reference::organizations::{self, OrganizationFilter};
use living_gate_db::{AsyncPgConnection, DbError, Page};
use living_gate_domain::identity::UserStatus;
use living_gate_domain::Role;
use uuid::Uuid;

use super::reference::{zama, DEMO_ORGANIZATIONS};

/// A demo account created with a fresh password.
pub struct DemoAccount {
    pub email: String,
    pub role: Role,
    pub password: String,
}

/// Creates the demo accounts that do not exist yet; returns them with their
/// new passwords (existing accounts keep theirs and are not returned).
pub async fn demo_accounts(conn: &mut AsyncPgConnection) -> Result<Vec<DemoAccount>, DbError> {
    let (zama, zama_departments) = zama(conn).await?;
    let department = |code: &str| {
        zama_departments
            .iter()
            .find(|d| d.code == code)
            .map(|d| d.id)
    };
    let partner_filter = OrganizationFilter {
        q: Some(DEMO_ORGANIZATIONS[0].0.into()),
        ..Default::default()
    };
    let partner_org = organizations::list(
        conn,
        &partner_filter,
        Page {
            after: None,
            limit: 1,
        },
    )
    .await?
    .first()
    .map(|o| o.id);
    // (email, display name, role, municipality, department, organization)
    type Spec<'a> = (
        &'a str,
        &'a str,
        Role,
        Option<Uuid>,
        Option<Uuid>,
        Option<Uuid>,
    );
    let accounts: Vec<Spec> = vec![
        (
            "admin@living-gate.example.jp",
            "管理者 デモ",
            Role::Admin,
            Some(zama.id),
            None,
            None,
        ),
        (
            "platform-admin@living-gate.example.jp",
            "基盤管理者 デモ",
            Role::PlatformAdmin,
            None,
            None,
            None,
        ),
        (
            "desk@living-gate.example.jp",
            "窓口 太郎",
            Role::Desk,
            Some(zama.id),
            None,
            None,
        ),
        (
            "shimin-kyodo@living-gate.example.jp",
            "市民協働課 花子",
            Role::Department,
            Some(zama.id),
            department("shimin-kyodo"),
            None,
        ),
        (
            "chiiki-fukushi@living-gate.example.jp",
            "地域福祉課 次郎",
            Role::Department,
            Some(zama.id),
            department("chiiki-fukushi"),
            None,
        ),
        (
            "partner@sagami-tech.example.jp",
            "相模 一郎",
            Role::Partner,
            None,
            None,
            partner_org,
        ),
        (
            "analyst@living-gate.example.jp",
            "分析 さくら",
            Role::Analyst,
            None,
            None,
            None,
        ),
    ];
    let mut created = Vec::new();
    for (email, name, role, municipality_id, department_id, organization_id) in accounts {
        if users::find_by_email(conn, email).await?.is_some() {
            continue;
        }
        let password = secrets::random_token()[..20].to_owned();
        let to_hash = password.clone();
        let hash = tokio::task::spawn_blocking(move || passwords::hash(&to_hash))
            .await
            .map_err(|e| DbError::Unavailable(e.to_string()))?
            .map_err(DbError::Unavailable)?;
        users::insert(
            conn,
            &NewUser {
                id: Uuid::now_v7(),
                email: email.into(),
                display_name: name.into(),
                role,
                municipality_id,
                department_id,
                organization_id,
                status: UserStatus::Active,
                password_hash: Some(hash),
            },
        )
        .await?;
        created.push(DemoAccount {
            email: email.into(),
            role,
            password,
        });
    }
    Ok(created)
}
