//! Local fixtures of the other cities: desks and departments of Ayase,
//! Yamato and Ebina (the shared `Who` has Zama's only), each a real account
//! with a real token, for the directory's ownership and need-to-know tests.

use crate::harness::TestApp;
use living_gate_api::auth::tokens::{self, Subject};
use living_gate_db::accounts::users::{self, NewUser};
use living_gate_db::reference::{departments, municipalities};
use living_gate_domain::identity::UserStatus;
use living_gate_domain::Role;
use reqwest::{Method, RequestBuilder, Response};
use serde_json::Value;
use uuid::Uuid;

fn password_hash() -> String {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| {
        living_gate_api::auth::passwords::hash(crate::harness::PASSWORD).expect("hash")
    })
    .clone()
}

pub const AYASE: &str = "142182";
pub const EBINA: &str = "142158";

/// A staff account of some city, with its token.
#[derive(Debug, Clone)]
pub struct Staff {
    pub id: Uuid,
    pub municipality_id: Uuid,
    token: String,
}

impl Staff {
    pub fn request(&self, app: &TestApp, method: Method, path: &str) -> RequestBuilder {
        app.client
            .request(method, format!("{}{path}", app.base))
            .bearer_auth(&self.token)
    }

    pub async fn get(&self, app: &TestApp, path: &str) -> Response {
        self.request(app, Method::GET, path)
            .send()
            .await
            .expect("request")
    }

    pub async fn post(&self, app: &TestApp, path: &str, body: &Value) -> Response {
        self.request(app, Method::POST, path)
            .json(body)
            .send()
            .await
            .expect("request")
    }

    pub async fn patch(&self, app: &TestApp, path: &str, etag: &str, body: &Value) -> Response {
        self.request(app, Method::PATCH, path)
            .header("If-Match", etag)
            .json(body)
            .send()
            .await
            .expect("request")
    }
}

pub async fn municipality(app: &TestApp, code: &str) -> Uuid {
    let mut conn = app.conn().await;
    municipalities::find_by_code(&mut conn, code)
        .await
        .expect("query")
        .expect("a seeded city")
        .id
}

/// A new staff account of `role` in `municipality` (a department account
/// in `department`).
pub async fn staff(
    app: &TestApp,
    role: Role,
    municipality_id: Uuid,
    department_id: Option<Uuid>,
) -> Staff {
    let mut conn = app.conn().await;
    let id = Uuid::now_v7();
    users::insert(
        &mut conn,
        &NewUser {
            id,
            email: format!("{id}@city.example.jp"),
            display_name: format!("{role} of another city"),
            role,
            municipality_id: Some(municipality_id),
            department_id,
            organization_id: None,
            status: UserStatus::Active,
            password_hash: Some(password_hash()),
        },
    )
    .await
    .expect("user");
    let subject = Subject {
        id,
        role,
        department_id,
        organization_id: None,
        municipality_id: Some(municipality_id),
        client_id: None,
    };
    let token = tokens::issue(&app.state.keys, &app.state.auth, &subject)
        .expect("token")
        .0;
    Staff {
        id,
        municipality_id,
        token,
    }
}

/// The desk of the city with this code.
pub async fn desk(app: &TestApp, code: &str) -> Staff {
    let city = municipality(app, code).await;
    staff(app, Role::Desk, city, None).await
}

/// The desk of the city with this id.
pub async fn desk_of(app: &TestApp, municipality_id: Uuid) -> Staff {
    staff(app, Role::Desk, municipality_id, None).await
}

/// A user of a new department of the city with this code.
pub async fn department(app: &TestApp, code: &str, name: &str) -> Staff {
    let city = municipality(app, code).await;
    let mut conn = app.conn().await;
    let id = Uuid::now_v7();
    departments::insert(
        &mut conn,
        &departments::NewDepartment {
            id,
            municipality_id: city,
            code: format!("dept-{}", id.simple()),
            name: name.to_owned(),
            name_en: "A department".to_owned(),
        },
    )
    .await
    .expect("department");
    staff(app, Role::Department, city, Some(id)).await
}
