//! The fixture accounts every [`TestApp`](super::TestApp) starts with: one
//! per role, over the reference data (municipalities, Zama's departments).

use living_gate_api::auth::passwords;
use living_gate_api::startup::demo_data as seed;
use living_gate_db::accounts::users::{self, NewUser};
use living_gate_db::reference::organizations::{self, NewOrganization};
use living_gate_db::{reference::departments, reference::municipalities, AsyncPgConnection, Page};
use living_gate_domain::identity::{OrganizationKind, UserStatus};
use living_gate_domain::Role;
use std::sync::OnceLock;
use uuid::Uuid;

/// The password of every fixture account.
pub const PASSWORD: &str = "相模川の朝焼けは本当に綺麗 2026";

/// Who is calling, for table-driven tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Who {
    Anonymous,
    Desk,
    /// 市民協働課 of Zama.
    Department,
    /// 地域福祉課 of Zama: a department not matched to anything.
    OtherDepartment,
    /// さがみテック株式会社.
    Partner,
    /// A partner of another organization.
    OtherPartner,
    Analyst,
    /// The municipal admin of Zama.
    Admin,
    /// The desk of another city (Ayase).
    AyaseDesk,
    /// A department of another city (Ayase's 協働推進課).
    AyaseDepartment,
    /// The platform admin (municipalities, service accounts, every city's accounts).
    PlatformAdmin,
}

impl Who {
    pub const ALL: [Who; 11] = [
        Who::Anonymous,
        Who::Desk,
        Who::Department,
        Who::OtherDepartment,
        Who::Partner,
        Who::OtherPartner,
        Who::Analyst,
        Who::Admin,
        Who::AyaseDesk,
        Who::AyaseDepartment,
        Who::PlatformAdmin,
    ];
}

/// One fixture account.
#[derive(Debug, Clone)]
pub struct Account {
    pub id: Uuid,
    pub email: String,
    pub role: Role,
    pub municipality_id: Option<Uuid>,
    pub department_id: Option<Uuid>,
    pub organization_id: Option<Uuid>,
}

#[derive(Debug, Clone)]
pub struct Fixtures {
    pub zama: Uuid,
    pub ayase: Uuid,
    pub ebina: Uuid,
    /// Ayase's 協働推進課 (a department of another city than the cases').
    pub ayase_department: Uuid,
    pub shimin_kyodo: Uuid,
    pub chiiki_fukushi: Uuid,
    pub partner_org: Uuid,
    pub other_org: Uuid,
    pub accounts: Vec<(Who, Account)>,
}

impl Fixtures {
    pub fn account(&self, who: Who) -> &Account {
        self.accounts
            .iter()
            .find(|(w, _)| *w == who)
            .map(|(_, a)| a)
            .expect("every role but anonymous has a fixture account")
    }

    /// The department a department account belongs to.
    pub fn department(&self, who: Who) -> Uuid {
        self.account(who)
            .department_id
            .unwrap_or_else(|| panic!("{who:?} is not a department account"))
    }
}

/// A demo account (`.demo_data()`), with the password it was created with.
#[derive(Debug, Clone)]
pub struct DemoAccount {
    pub email: String,
    pub role: Role,
    pub password: String,
}

fn password_hash() -> String {
    static HASH: OnceLock<String> = OnceLock::new();
    HASH.get_or_init(|| passwords::hash(PASSWORD).expect("hash"))
        .clone()
}

/// The demo data set, as `living-gate seed-demo` loads it (without writing
/// credentials anywhere): accounts, cases and the directory.
pub(super) async fn load_demo_data(conn: &mut AsyncPgConnection) -> Vec<DemoAccount> {
    seed::demo_organizations(conn)
        .await
        .expect("demo organizations");
    let accounts = seed::demo_accounts(conn).await.expect("demo accounts");
    seed::demo_cases(conn).await.expect("demo cases");
    load_demo_directory(conn).await;
    accounts
        .into_iter()
        .map(|a| DemoAccount {
            email: a.email,
            role: a.role,
            password: a.password,
        })
        .collect()
}

/// The demo directory (loaded once: a second call changes nothing).
pub(super) async fn load_demo_directory(conn: &mut AsyncPgConnection) {
    seed::demo_directory(conn).await.expect("demo directory");
}

pub(super) async fn load_fixtures(conn: &mut AsyncPgConnection) -> Fixtures {
    seed::reference_data(conn).await.expect("reference data");
    let zama = municipalities::find_by_code(conn, "142166")
        .await
        .expect("query")
        .expect("zama");
    let ebina = municipalities::find_by_code(conn, "142158")
        .await
        .expect("query")
        .expect("ebina");
    let ayase = municipalities::find_by_code(conn, "142182")
        .await
        .expect("query")
        .expect("ayase");
    let ayase_department = departments::insert(
        conn,
        &departments::NewDepartment {
            id: Uuid::now_v7(),
            municipality_id: ayase.id,
            code: "kyodo-suishin".into(),
            name: "協働推進課".into(),
            name_en: "Collaboration Promotion Division".into(),
        },
    )
    .await
    .expect("ayase department")
    .id;
    let all = departments::list(
        conn,
        Default::default(),
        Page {
            after: None,
            limit: 100,
        },
    )
    .await
    .expect("departments");
    let department = |code: &str| {
        all.iter()
            .find(|d| d.code == code)
            .expect("seeded department")
            .id
    };
    let shimin_kyodo = department("shimin-kyodo");
    let chiiki_fukushi = department("chiiki-fukushi");
    let mut organization = async |name: &str| {
        organizations::insert(
            conn,
            &NewOrganization {
                id: Uuid::now_v7(),
                name: name.into(),
                name_kana: None,
                kind: OrganizationKind::Company,
                corporate_number: None,
                postal_code: None,
                address: None,
                website: None,
            },
        )
        .await
        .expect("organization")
        .id
    };
    let partner_org = organization("テスト株式会社").await;
    let other_org = organization("よその株式会社").await;
    let specs = [
        (
            Who::Desk,
            "desk@test.example.jp",
            Role::Desk,
            Some(zama.id),
            None,
            None,
        ),
        (
            Who::Department,
            "shimin@test.example.jp",
            Role::Department,
            Some(zama.id),
            Some(shimin_kyodo),
            None,
        ),
        (
            Who::OtherDepartment,
            "fukushi@test.example.jp",
            Role::Department,
            Some(zama.id),
            Some(chiiki_fukushi),
            None,
        ),
        (
            Who::Partner,
            "partner@test.example.jp",
            Role::Partner,
            None,
            None,
            Some(partner_org),
        ),
        (
            Who::OtherPartner,
            "other@test.example.jp",
            Role::Partner,
            None,
            None,
            Some(other_org),
        ),
        (
            Who::Analyst,
            "analyst@test.example.jp",
            Role::Analyst,
            None,
            None,
            None,
        ),
        (
            Who::Admin,
            "admin@test.example.jp",
            Role::Admin,
            Some(zama.id),
            None,
            None,
        ),
        (
            Who::AyaseDesk,
            "desk@ayase.test.example.jp",
            Role::Desk,
            Some(ayase.id),
            None,
            None,
        ),
        (
            Who::AyaseDepartment,
            "kyodo@ayase.test.example.jp",
            Role::Department,
            Some(ayase.id),
            Some(ayase_department),
            None,
        ),
        (
            Who::PlatformAdmin,
            "platform@test.example.jp",
            Role::PlatformAdmin,
            None,
            None,
            None,
        ),
    ];
    let mut accounts = Vec::new();
    for (who, email, role, municipality_id, department_id, organization_id) in specs {
        let user = users::insert(
            conn,
            &NewUser {
                id: Uuid::now_v7(),
                email: email.into(),
                display_name: format!("{who:?}"),
                role,
                municipality_id,
                department_id,
                organization_id,
                status: UserStatus::Active,
                password_hash: Some(password_hash()),
            },
        )
        .await
        .expect("user");
        accounts.push((
            who,
            Account {
                id: user.id,
                email: user.email,
                role,
                municipality_id,
                department_id,
                organization_id,
            },
        ));
    }
    Fixtures {
        zama: zama.id,
        ayase: ayase.id,
        ebina: ebina.id,
        ayase_department,
        shimin_kyodo,
        chiiki_fukushi,
        partner_org,
        other_org,
        accounts,
    }
}
