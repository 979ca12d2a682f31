//! `coord=gcj02`: points given and answered in GCJ-02 (mini-programs, Chinese map SDKs)
//! while Doorstep stores WGS-84.

use doorstep_domain::types::{GeoPoint, gcj02_to_wgs84, wgs84_to_gcj02};
use doorstep_tests::market::{MALL_LAT, MALL_LON, business_body, posting_body};
use doorstep_tests::{Backend, item_ids as ids, on_both_databases, spawn_app};
use serde_json::Value;

on_both_databases!(
    a_search_by_a_gcj02_point_finds_what_its_wgs84_point_finds,
    a_point_stored_in_gcj02_reads_back_in_both_systems,
    an_unknown_coordinate_system_is_refused_naming_coord,
);

fn metres(a: (f64, f64), b: (f64, f64)) -> f64 {
    GeoPoint::new(a.0, a.1)
        .unwrap()
        .distance_m(GeoPoint::new(b.0, b.1).unwrap())
}

fn point(view: &Value) -> (f64, f64) {
    (
        view["lat"].as_f64().expect("lat"),
        view["lon"].as_f64().expect("lon"),
    )
}

async fn a_search_by_a_gcj02_point_finds_what_its_wgs84_point_finds(backend: Backend) {
    let app = spawn_app(backend).await;
    let officer = app.officer().await;
    let shop = app.verified_shop("13912345678", &officer).await;
    // Three postings 0.4, 1.1 and 2.3 km north-east of the mall, stored in WGS-84.
    let mut postings = Vec::new();
    for (i, step) in [0.003, 0.008, 0.016].into_iter().enumerate() {
        let mut body = posting_body(&format!("咖啡师{i}"));
        body["lat"] = (MALL_LAT + step).into();
        body["lon"] = (MALL_LON + step).into();
        postings.push(app.open_posting(&shop, &body).await.to_string());
    }
    let (lat, lon) = (MALL_LAT, MALL_LON);
    let wgs_path = format!("/api/v1/jobs/search?lat={lat}&lon={lon}&radius_km=5&sort=distance");
    let by_wgs = app.eventually(&wgs_path, None, |r| ids(r).len() == 3).await;
    assert_eq!(ids(&by_wgs), postings, "{}", by_wgs.body);

    let (g_lat, g_lon) = wgs84_to_gcj02(lat, lon);
    assert!(
        metres((lat, lon), (g_lat, g_lon)) > 300.0,
        "GCJ-02 is offset in Suzhou"
    );
    let gcj_path = format!(
        "/api/v1/jobs/search?lat={g_lat}&lon={g_lon}&radius_km=5&sort=distance&coord=gcj02"
    );
    let by_gcj = app.get(&gcj_path, None).await;
    assert_eq!(by_gcj.status, 200, "{}", by_gcj.body);
    assert_eq!(ids(&by_gcj), ids(&by_wgs));
    for (a, b) in by_gcj.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .zip(by_wgs.body["items"].as_array().unwrap())
    {
        let (da, db) = (
            a["distance_m"].as_i64().unwrap(),
            b["distance_m"].as_i64().unwrap(),
        );
        // Whole metres, each rounded from a converted point: a metre or two apart at most.
        assert!((da - db).abs() <= 2, "{da} m vs {db} m");
    }
    // The same GCJ-02 numbers read as WGS-84 are a different point: the order changes or
    // the distances do, so the parameter is not ignored.
    let misread = app
        .get(
            &format!("/api/v1/jobs/search?lat={g_lat}&lon={g_lon}&radius_km=5&sort=distance"),
            None,
        )
        .await;
    let first = |r: &doorstep_tests::ApiResponse| r.body["items"][0]["distance_m"].as_i64();
    assert_ne!(first(&misread), first(&by_wgs), "{}", misread.body);

    // Stations near a GCJ-02 point: the same coord handling on another query route.
    let near = app
        .get(
            &format!("/api/v1/stations?lat={g_lat}&lon={g_lon}&coord=gcj02"),
            None,
        )
        .await;
    assert_eq!(near.status, 200, "{}", near.body);
}

async fn a_point_stored_in_gcj02_reads_back_in_both_systems(backend: Backend) {
    let app = spawn_app(backend).await;
    let merchant = app.register_as("merchant", "13912345678").await;
    let token = Some(merchant.access_token.as_str());
    // A mini-program's location picker gives GCJ-02.
    let given = (31.3213, 120.6762);
    let mut body = business_body("漫咖啡 圆融店");
    body["lat"] = given.0.into();
    body["lon"] = given.1.into();
    let created = app
        .post("/api/v1/businesses?coord=gcj02", &body, token)
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    // The answer speaks the caller's system...
    assert!(
        metres(point(&created.body), given) < 0.5,
        "{}",
        created.body
    );
    let id = created.body["id"].as_str().unwrap().to_owned();
    // ...so does a later read that asks for it...
    let gcj = app
        .get(&format!("/api/v1/businesses/{id}?coord=gcj02"), token)
        .await;
    assert_eq!(gcj.status, 200, "{}", gcj.body);
    assert!(metres(point(&gcj.body), given) < 0.5, "{}", gcj.body);
    // ...while what is stored, and read by default, is WGS-84.
    let wgs = app.get(&format!("/api/v1/businesses/{id}"), token).await;
    let stored = point(&wgs.body);
    assert!(
        metres(stored, gcj02_to_wgs84(given.0, given.1)) < 0.5,
        "{}",
        wgs.body
    );
    assert!(metres(stored, given) > 300.0, "{}", wgs.body);

    // A list of the caller's own businesses, with a strict query parser of its own, too.
    let mine = app.get("/api/v1/businesses/mine?coord=GCJ02", token).await;
    assert_eq!(mine.status, 200, "{}", mine.body);
    let first = mine
        .body
        .as_array()
        .map(|a| a[0].clone())
        .unwrap_or_else(|| mine.body["items"][0].clone());
    assert!(metres(point(&first), given) < 0.5, "{}", mine.body);

    // A posting without its own point takes the business's; both systems agree on it.
    let posting = app
        .post(
            &format!("/api/v1/businesses/{id}/postings?coord=gcj02"),
            &posting_body("周末咖啡师"),
            token,
        )
        .await;
    assert_eq!(posting.status, 201, "{}", posting.body);
    assert!(
        metres(point(&posting.body), given) < 0.5,
        "{}",
        posting.body
    );
}

async fn an_unknown_coordinate_system_is_refused_naming_coord(backend: Backend) {
    let app = spawn_app(backend).await;
    for path in [
        "/api/v1/jobs/search?lat=31.3&lon=120.6&coord=bd09",
        "/api/v1/stations?lat=31.3&lon=120.6&coord=",
        "/api/v1/stations/map.geojson?coord=wgs-84",
    ] {
        let response = app.get(path, None).await;
        assert_eq!(response.status, 400, "{path}: {}", response.body);
        assert_eq!(response.problem_code(), "invalid_query");
        assert_eq!(
            response.field_errors(),
            vec![("coord".to_owned(), "unknown_coord_system".to_owned())],
            "{path}"
        );
    }
    // The default, spelled out, is accepted.
    let map = app
        .get("/api/v1/stations/map.geojson?coord=wgs84", None)
        .await;
    assert_eq!(map.status, 200, "{}", map.body);
}
