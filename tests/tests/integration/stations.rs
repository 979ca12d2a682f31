//! Stations: a rider finds the nearest station open now; officers keep the map right.

use doorstep_client::views::community::ReportView;
use doorstep_domain::media::samples;
use doorstep_domain::time;
use doorstep_tests::community::{SHILU, always_open, manhole, station_body};
use doorstep_tests::{Backend, on_both_databases, spawn_app};
use serde_json::json;

on_both_databases!(
    a_riders_day_from_the_station_to_the_reward,
    a_rider_finds_the_nearest_station_open_now,
    officers_keep_stations_and_bad_hours_are_named,
    the_map_is_geojson
);

async fn a_rider_finds_the_nearest_station_open_now(backend: Backend) {
    let app = spawn_app(backend).await;
    let officer = app.officer().await;
    let (lat, lon) = SHILU;
    // About 300 m north, open round the clock.
    let open = app
        .station(
            &officer,
            &station_body("石路暖新驿站", lat + 0.0027, lon, always_open()),
        )
        .await;
    // About 100 m east, but closed today for maintenance.
    let today = time::to_display(time::now()).date_naive();
    let mut closed_body = station_body("金门路零工驿站", lat, lon + 0.00105, always_open());
    closed_body["opening_hours"]["exceptions"] =
        json!([{"date": today, "windows": [], "note": "设备检修"}]);
    closed_body["amenities"] = json!(["rest", "water"]);
    let closed = app.station(&officer, &closed_body).await;
    // About 20 km away.
    app.station(
        &officer,
        &station_body("园区驿站", lat + 0.18, lon, always_open()),
    )
    .await;

    let near = format!("/api/v1/stations?lat={lat}&lon={lon}&radius_km=5");
    // Anyone may ask; nearest first, each saying whether it is open.
    let all = app.get(&near, None).await;
    assert_eq!(all.status, 200, "{}", all.body);
    let found = all.body["items"].as_array().unwrap();
    assert_eq!(found.len(), 2, "{}", all.body);
    assert_eq!(found[0]["id"], closed.to_string());
    assert_eq!(found[0]["open_now"], false);
    assert_eq!(found[0]["today_note"], "设备检修");
    let tomorrow = (today + chrono::Duration::days(1)).to_string();
    assert!(
        found[0]["opens_at"]
            .as_str()
            .is_some_and(|t| t.starts_with(&format!("{tomorrow}T00:00:00+08:00"))),
        "{}",
        found[0]
    );
    assert_eq!(found[1]["id"], open.to_string());
    assert_eq!(found[1]["open_now"], true);
    assert!(found[1]["closes_at"].is_null(), "open round the clock");
    let d0 = found[0]["distance_m"].as_u64().unwrap();
    let d1 = found[1]["distance_m"].as_u64().unwrap();
    assert!(
        (80..=120).contains(&d0) && (270..=330).contains(&d1),
        "{d0} {d1}"
    );

    // "Nearest open now" skips the closed one; an amenity filter narrows further.
    let open_now = app.get(&format!("{near}&open_now=true"), None).await;
    let ids: Vec<_> = open_now.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].clone())
        .collect();
    assert_eq!(ids, vec![json!(open.to_string())]);
    let charging = app
        .get(&format!("{near}&amenities=charging,water"), None)
        .await;
    assert_eq!(charging.body["items"].as_array().unwrap().len(), 1);

    // Bad questions are named.
    let bad = app.get(&format!("{near}&amenities=spa"), None).await;
    assert_eq!(bad.status, 400);
    assert_eq!(
        bad.field_errors(),
        vec![("amenities".into(), "unknown_amenity".into())]
    );
    let too_far = app
        .get(
            &format!("/api/v1/stations?lat={lat}&lon={lon}&radius_km=500"),
            None,
        )
        .await;
    assert_eq!(too_far.status, 422);
    assert_eq!(too_far.field_errors()[0].0, "radius_km");
    let nowhere = app.get("/api/v1/stations?lat=95&lon=120", None).await;
    assert_eq!(nowhere.status, 400);
    assert_eq!(nowhere.problem_code(), "invalid_query");
    // Page sizes outside 1 to 100 are refused as on every other list, never capped.
    for limit in [0, 101, 1000] {
        let refused = app
            .get(
                &format!("/api/v1/stations?lat={lat}&lon={lon}&limit={limit}"),
                None,
            )
            .await;
        assert_eq!(refused.status, 400, "limit={limit}: {}", refused.body);
        assert_eq!(
            refused.field_errors(),
            vec![("limit".into(), "out_of_range".into())]
        );
    }
}

async fn officers_keep_stations_and_bad_hours_are_named(backend: Backend) {
    let app = spawn_app(backend).await;
    let officer = app.officer().await;
    let rider = app.rider("13800000031").await;
    let (lat, lon) = SHILU;
    let body = station_body("石路暖新驿站", lat, lon, always_open());

    // Only officers keep stations.
    let refused = app
        .post("/api/v1/stations", &body, Some(&rider.access_token))
        .await;
    assert_eq!(refused.status, 403);
    assert_eq!(refused.problem_code(), "forbidden");
    assert_eq!(app.post("/api/v1/stations", &body, None).await.status, 401);

    // Hours that make no sense are named to the field.
    let mut bad = body.clone();
    bad["opening_hours"] = json!({
        "weekly": [
            {"day": 8, "open": "08:00", "close": "20:00"},
            {"day": 1, "open": "09:00", "close": "09:00"},
        ],
        "exceptions": [{"date": "2027-01-01", "windows": [{"open": "10:00", "close": "25:00"}]}],
    });
    bad["contact_phone"] = json!("12345");
    let refused = app
        .post("/api/v1/stations", &bad, Some(&officer.access_token))
        .await;
    assert_eq!(refused.status, 422);
    assert_eq!(
        refused.field_errors(),
        vec![
            ("contact_phone".into(), "invalid_phone".into()),
            ("opening_hours.weekly[0].day".into(), "out_of_range".into()),
            (
                "opening_hours.weekly[1].close".into(),
                "empty_window".into()
            ),
            (
                "opening_hours.exceptions[0].windows[0].close".into(),
                "invalid_time".into()
            ),
        ]
    );
    let mut unknown = body.clone();
    unknown["wifi_password"] = json!("12345678");
    let refused = app
        .post("/api/v1/stations", &unknown, Some(&officer.access_token))
        .await;
    assert_eq!(refused.status, 400);
    assert_eq!(refused.problem_code(), "unknown_field");

    // A night station: Friday 22:00 to Saturday 06:00 is one window.
    let id = app.station(&officer, &body).await;
    let mut night = body.clone();
    night["opening_hours"] = json!({"weekly": [{"day": 5, "open": "22:00", "close": "06:00"}]});
    night["active"] = json!(true);
    let updated = app
        .put(
            &format!("/api/v1/stations/{id}"),
            &night,
            Some(&officer.access_token),
        )
        .await;
    assert_eq!(updated.status, 200, "{}", updated.body);
    assert_eq!(updated.body["opening_hours"]["weekly"][0]["close"], "06:00");

    // A station closed down leaves the map and the list.
    night["active"] = json!(false);
    let closed = app
        .put(
            &format!("/api/v1/stations/{id}"),
            &night,
            Some(&officer.access_token),
        )
        .await;
    assert_eq!(closed.status, 200);
    assert_eq!(
        app.get(&format!("/api/v1/stations/{id}"), None)
            .await
            .status,
        404
    );
    let near = app
        .get(&format!("/api/v1/stations?lat={lat}&lon={lon}"), None)
        .await;
    assert_eq!(near.body, json!({"items": [], "next_cursor": null}));
}

async fn the_map_is_geojson(backend: Backend) {
    let app = spawn_app(backend).await;
    let officer = app.officer().await;
    let (lat, lon) = SHILU;
    let id = app
        .station(
            &officer,
            &station_body("石路暖新驿站", lat, lon, always_open()),
        )
        .await;
    let map = app.get("/api/v1/stations/map.geojson", None).await;
    assert_eq!(map.status, 200);
    assert_eq!(map.content_type(), "application/geo+json");
    assert_eq!(map.body["type"], "FeatureCollection");
    let feature = &map.body["features"][0];
    assert_eq!(feature["type"], "Feature");
    assert_eq!(feature["id"], id.to_string());
    assert_eq!(feature["geometry"]["type"], "Point");
    // GeoJSON puts longitude first.
    assert_eq!(feature["geometry"]["coordinates"], json!([lon, lat]));
    assert_eq!(feature["properties"]["name"], "石路暖新驿站");
    assert_eq!(feature["properties"]["open_now"], true);
}

/// The story: a rider finds the nearest open station, signs up for a first-aid
/// class there and is checked in, reports a broken manhole cover with a photo, sees it
/// dispatched and resolved, and redeems the points.
async fn a_riders_day_from_the_station_to_the_reward(backend: Backend) {
    let app = spawn_app(backend).await;
    let officer = app.officer().await;
    let rider = app.rider("13800000161").await;
    let (lat, lon) = SHILU;
    app.station(
        &officer,
        &station_body("石路暖新驿站", lat + 0.002, lon, always_open()),
    )
    .await;

    let nearest = app
        .get(
            &format!("/api/v1/stations?lat={lat}&lon={lon}&open_now=true&limit=1"),
            None,
        )
        .await;
    let station = nearest.body["items"][0]["id"].as_str().unwrap().to_owned();
    assert_eq!(nearest.body["items"][0]["name"], "石路暖新驿站");

    let class =
        crate::trainings::session(&app, &officer, &crate::trainings::first_aid_soon(&station))
            .await;
    let listed = app
        .get(&format!("/api/v1/trainings?station_id={station}"), None)
        .await;
    assert_eq!(doorstep_tests::item_ids(&listed), vec![class.clone()]);
    let seat = app
        .post(
            &format!("/api/v1/trainings/{class}/registrations"),
            &json!({}),
            Some(&rider.access_token),
        )
        .await;
    assert_eq!(seat.status, 201);
    let token = crate::trainings::token_for(&app, &rider, &class).await;
    let checked_in = app
        .post(
            &format!("/api/v1/trainings/{class}/check-ins"),
            &json!({"token": token}),
            Some(&officer.access_token),
        )
        .await;
    assert_eq!(checked_in.status, 200, "{}", checked_in.body);

    let report = app.file_report(&rider, &manhole(lat, lon)).await;
    let id = report.json::<ReportView>().id.to_string();
    let photo = app
        .post_bytes(
            &format!("/api/v1/reports/{id}/photos"),
            samples::jpeg_with_gps(),
            "image/jpeg",
            Some(&rider.access_token),
        )
        .await;
    assert_eq!(photo.status, 201);
    let office = app
        .post(
            "/api/v1/departments",
            &json!({"name": "石路街道城管中队", "email": "chengguan@shilu.example.cn"}),
            Some(&officer.access_token),
        )
        .await;
    let dispatched = app
        .post(
            &format!("/api/v1/reports/{id}/dispatch"),
            &json!({
                "department_id": office.body["id"],
                "deadline": (chrono::Utc::now() + chrono::Duration::days(2)).to_rfc3339(),
            }),
            Some(&officer.access_token),
        )
        .await;
    assert_eq!(dispatched.status, 200, "{}", dispatched.body);
    let link = dispatched.body["handling_link"].as_str().unwrap();
    let token = link.split("token=").nth(1).unwrap();
    let resolved = app
        .post(
            &format!("/api/v1/report-handling/resolve?token={token}"),
            &json!({"note": "井盖已更换"}),
            None,
        )
        .await;
    assert_eq!(resolved.status, 200, "{}", resolved.body);
    let mine = app
        .get(&format!("/api/v1/reports/{id}"), Some(&rider.access_token))
        .await;
    assert_eq!(mine.body["status"], "resolved");
    let kinds = app.inbox_kinds(&rider).await;
    for kind in [
        "training_attended",
        "report_received",
        "report_dispatched",
        "report_resolved",
    ] {
        assert!(
            kinds.contains(&kind.to_owned()),
            "{kind} missing from {kinds:?}"
        );
    }

    // 5 for the class and 10 for the verified report buy a charging voucher.
    let voucher = app
        .post(
            "/api/v1/rewards",
            &json!({"name": "换电券", "cost": 15, "stock": 10}),
            Some(&officer.access_token),
        )
        .await;
    let redeemed = app
        .post(
            &format!(
                "/api/v1/rewards/{}/redeem",
                voucher.body["id"].as_str().unwrap()
            ),
            &json!({}),
            Some(&rider.access_token),
        )
        .await;
    assert_eq!(redeemed.status, 201, "{}", redeemed.body);
    assert_eq!(redeemed.body["balance"], 0);
}
