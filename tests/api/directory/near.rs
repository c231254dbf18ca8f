//! Searches by distance: the grid cells a radius search asks for cover the
//! circle, and pages by distance come nearest first.

use super::{create, entry};
use crate::harness::{json, TestApp, Who};
use reqwest::StatusCode;
use serde_json::json;

/// A position `distance_m` from (`lat`, `lng`) on the bearing `bearing` (radians).
fn destination(lat: f64, lng: f64, distance_m: f64, bearing: f64) -> (f64, f64) {
    let d = distance_m / 6_371_009.0;
    let (phi, lambda) = (lat.to_radians(), lng.to_radians());
    let phi2 = (phi.sin() * d.cos() + phi.cos() * d.sin() * bearing.cos()).asin();
    let lambda2 =
        lambda + (bearing.sin() * d.sin() * phi.cos()).atan2(d.cos() - phi.sin() * phi2.sin());
    (phi2.to_degrees(), lambda2.to_degrees())
}

#[actix_web::test]
async fn the_cells_a_radius_search_asks_for_hold_every_position_inside_the_circle() {
    use diesel::sql_types::{Array, Bool, Double, Text};
    use diesel_async::RunQueryDsl;
    use living_gate_db::directory::resource_search::Near;

    #[derive(diesel::QueryableByName)]
    struct Found {
        #[diesel(sql_type = Bool)]
        found: bool,
    }
    let app = TestApp::spawn().await;
    let mut conn = app.conn().await;
    let mut checked = 0;
    // Centres on cell corners and edges too (35.49 and 139.40 are corners of every level).
    for (lat, lng) in [
        (35.4887, 139.4077),
        (35.49, 139.40),
        (35.5, 139.4581),
        (35.4464, 139.0),
    ] {
        for radius_m in [
            100.0, 450.0, 1_000.0, 2_000.0, 3_000.0, 5_000.0, 20_000.0, 50_000.0,
        ] {
            let near = Near {
                latitude: lat,
                longitude: lng,
                radius_m,
            };
            let cells = near.cell_tokens();
            assert!(
                (1..=64).contains(&cells.len()),
                "{radius_m} m: {} cells",
                cells.len()
            );
            for step in 0..16 {
                let bearing = f64::from(step) * std::f64::consts::PI / 8.0;
                for fraction in [0.0, 0.5, 0.999] {
                    let (plat, plng) = destination(lat, lng, radius_m * fraction, bearing);
                    let row: Found =
                        diesel::sql_query("SELECT living_gate_grid_cells($1, $2) && $3 AS found")
                            .bind::<Double, _>(plat)
                            .bind::<Double, _>(plng)
                            .bind::<Array<Text>, _>(&cells)
                            .get_result(&mut conn)
                            .await
                            .expect("cells");
                    assert!(
                        row.found,
                        "({plat}, {plng}) is {radius_m} × {fraction} m from ({lat}, {lng})"
                    );
                    checked += 1;
                }
            }
        }
    }
    assert_eq!(checked, 4 * 8 * 16 * 3);
}

#[actix_web::test]
async fn pages_by_distance_are_the_nearest_in_order_inside_and_outside_half_the_radius() {
    let app = TestApp::spawn().await;
    let (lat, lng) = (35.4887, 139.4077);
    // Half the radius (1 km) holds four entries, the full circle six; one is outside.
    for metres in [1_900.0, 100.0, 900.0, 2_100.0, 300.0, 1_400.0, 600.0] {
        let (plat, plng) = destination(lat, lng, metres, 1.0);
        create(
            &app,
            &entry(
                &app,
                &format!("{metres} m"),
                json!({
            "locations": [{"latitude": plat, "longitude": plng}]}),
            ),
        )
        .await;
    }
    let mut names = Vec::new();
    let mut pages = 0;
    let mut path = format!("/v1/resources?near={lat},{lng}&radius_km=2&limit=2");
    loop {
        let body = json(app.get(&path, Who::Anonymous).await, StatusCode::OK).await;
        let items = body["items"].as_array().expect("items");
        let distances: Vec<f64> = items
            .iter()
            .map(|i| i["distance_m"].as_f64().expect("distance"))
            .collect();
        assert!(distances.windows(2).all(|w| w[0] <= w[1]), "{distances:?}");
        names.extend(
            items
                .iter()
                .map(|i| i["name"].as_str().expect("name").to_owned()),
        );
        pages += 1;
        match body["next_cursor"].as_str() {
            Some(cursor) => {
                path = format!("/v1/resources?near={lat},{lng}&radius_km=2&limit=2&cursor={cursor}")
            }
            None => break,
        }
    }
    assert_eq!(
        names,
        ["100 m", "300 m", "600 m", "900 m", "1400 m", "1900 m"]
    );
    assert_eq!(pages, 3);
}
