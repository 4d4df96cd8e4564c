//! Avatars: upload from the account page and the admin user page, the refused file classes and
//! limits (security.md 1.13), content-addressed serving, and removal over REST (contract 3.6),
//! on SQLite and PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common::{ADMIN, ADMIN_PASSWORD, ORIGIN, TestApp, TestDb, error_body, pgv_body};
use crate::factors::user;
use axum::http::{self, Method, StatusCode, header};
use serde_json::{Value, json};
use std::io::Cursor;

on_both_databases!(
    an_avatar_is_uploaded_served_replaced_and_removed,
    refused_files_change_nothing,
    stored_jpegs_carry_no_metadata,
    avatars_are_changed_only_by_their_owner_and_admins,
    rest_avatar_removal_follows_the_contract,
);

/// A PNG whose left half is red and right half blue.
fn png(width: u32, height: u32) -> Vec<u8> {
    let image = image::RgbImage::from_fn(width, height, |x, _| {
        if x < width / 2 {
            image::Rgb([220, 20, 20])
        } else {
            image::Rgb([20, 20, 220])
        }
    });
    let mut bytes = Vec::new();
    image
        .write_to(&mut Cursor::new(&mut bytes), image::ImageFormat::Png)
        .unwrap();
    bytes
}

fn encode(image: &image::DynamicImage, format: image::ImageFormat) -> Vec<u8> {
    let mut bytes = Vec::new();
    image
        .write_to(&mut Cursor::new(&mut bytes), format)
        .unwrap();
    bytes
}

/// A JPEG (left half red, right half blue) with an EXIF segment right after the start marker
/// carrying a description and orientation 6 ("rotate 90° clockwise to show upright").
fn jpeg_with_exif(description: &str) -> Vec<u8> {
    let picture = image::DynamicImage::ImageRgb8(image::RgbImage::from_fn(64, 32, |x, _| {
        if x < 32 {
            image::Rgb([220, 20, 20])
        } else {
            image::Rgb([20, 20, 220])
        }
    }));
    let plain = encode(&picture, image::ImageFormat::Jpeg);
    let mut text = description.as_bytes().to_vec();
    text.push(0);
    // A little-endian TIFF with one IFD: ImageDescription (ASCII) and Orientation (SHORT).
    let mut tiff = b"II*\0".to_vec();
    tiff.extend_from_slice(&8_u32.to_le_bytes());
    tiff.extend_from_slice(&2_u16.to_le_bytes());
    let text_offset: u32 = 8 + 2 + 2 * 12 + 4;
    tiff.extend_from_slice(&0x010E_u16.to_le_bytes());
    tiff.extend_from_slice(&2_u16.to_le_bytes());
    tiff.extend_from_slice(&(text.len() as u32).to_le_bytes());
    tiff.extend_from_slice(&text_offset.to_le_bytes());
    tiff.extend_from_slice(&0x0112_u16.to_le_bytes());
    tiff.extend_from_slice(&3_u16.to_le_bytes());
    tiff.extend_from_slice(&1_u32.to_le_bytes());
    tiff.extend_from_slice(&6_u16.to_le_bytes());
    tiff.extend_from_slice(&[0, 0]);
    tiff.extend_from_slice(&0_u32.to_le_bytes());
    tiff.extend_from_slice(&text);
    let mut payload = b"Exif\0\0".to_vec();
    payload.extend_from_slice(&tiff);
    let mut segment = vec![0xFF, 0xE1];
    segment.extend_from_slice(&((payload.len() + 2) as u16).to_be_bytes());
    segment.extend_from_slice(&payload);
    let mut bytes = plain[..2].to_vec();
    bytes.extend_from_slice(&segment);
    bytes.extend_from_slice(&plain[2..]);
    bytes
}

/// Uploads as a signed-in browser: `PUT /account/avatar`, or the admin route for `user_id`.
async fn upload(
    app: &TestApp,
    cookie: &str,
    user_id: Option<&str>,
    bytes: Vec<u8>,
) -> crate::common::Reply {
    let path = match user_id {
        Some(id) => format!("/admin/users/{id}/avatar"),
        None => "/account/avatar".to_owned(),
    };
    app.browser(Method::PUT, &path, Some(cookie), bytes).await
}

/// The path part of an avatar URL (the tests talk to the router, not to the public host).
fn path_of(url: &Value) -> String {
    let url = url.as_str().expect("an avatar URL");
    assert!(url.starts_with(&format!("{ORIGIN}/assets/v1/")), "{url}");
    url.trim_start_matches(ORIGIN).to_owned()
}

async fn rest_profile(app: &TestApp, id: &str) -> Value {
    let reply = app
        .api(Method::GET, &format!("/users/{id}/profile"), None)
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    reply.body["profile"].clone()
}

async fn an_avatar_is_uploaded_served_replaced_and_removed(db: &TestDb) {
    let app = TestApp::start(db).await;
    let (id, cookie) = user(&app, "painter").await;
    assert_eq!(rest_profile(&app, &id).await.get("avatarUrl"), None);

    let first = upload(&app, &cookie, None, png(600, 300)).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.text);
    let first_path = path_of(&first.body["avatar_url"]);
    assert_eq!(
        rest_profile(&app, &id).await["avatarUrl"],
        first.body["avatar_url"]
    );

    // Served as a fixed image type that browsers neither sniff nor run, cached for good.
    let (status, headers, bytes) = app.get_bytes(&first_path).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[header::CONTENT_TYPE], "image/jpeg");
    assert_eq!(headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
    assert_eq!(
        headers[header::CACHE_CONTROL],
        "public, max-age=31536000, immutable"
    );
    assert_eq!(
        headers[header::CONTENT_SECURITY_POLICY],
        "default-src 'none'; sandbox"
    );
    let served = image::load_from_memory_with_format(&bytes, image::ImageFormat::Jpeg).unwrap();
    assert_eq!(
        (served.width(), served.height()),
        (256, 256),
        "square, resized"
    );

    // WebP in; a new picture gets a new address and the old one is gone.
    let webp = encode(
        &image::DynamicImage::ImageRgb8(image::RgbImage::from_pixel(
            80,
            80,
            image::Rgb([10, 200, 10]),
        )),
        image::ImageFormat::WebP,
    );
    let second = upload(&app, &cookie, None, webp).await;
    assert_eq!(second.status, StatusCode::OK, "{}", second.text);
    let second_path = path_of(&second.body["avatar_url"]);
    assert_ne!(first_path, second_path);
    assert_eq!(app.get_bytes(&first_path).await.0, StatusCode::NOT_FOUND);
    assert_eq!(app.get_bytes(&second_path).await.0, StatusCode::OK);

    // Removed from the account page: the profile has no URL and the picture is not served.
    let removed = app
        .server_fn("remove_own_avatar", Some(&cookie), json!({}))
        .await;
    assert_eq!(removed.status, StatusCode::OK, "{}", removed.text);
    assert_eq!(removed.body["avatar_url"], Value::Null);
    assert_eq!(rest_profile(&app, &id).await.get("avatarUrl"), None);
    assert_eq!(app.get_bytes(&second_path).await.0, StatusCode::NOT_FOUND);

    // Keys that are not content addresses, or another organisation's path, find nothing.
    for path in [
        "/assets/v1/x/y".to_owned(),
        "/assets/v1/1/..%2F..%2Fetc%2Fpasswd".to_owned(),
        second_path.replacen("/assets/v1/", "/assets/v1/0", 1),
    ] {
        assert_eq!(
            app.get_bytes(&path).await.0,
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
}

async fn refused_files_change_nothing(db: &TestDb) {
    let app = TestApp::start(db).await;
    let (id, cookie) = user(&app, "careful").await;
    let kept = upload(&app, &cookie, None, png(64, 64)).await;
    assert_eq!(kept.status, StatusCode::OK, "{}", kept.text);
    let kept_url = kept.body["avatar_url"].clone();

    let mut appended_zip = png(32, 32);
    appended_zip.extend_from_slice(b"PK\x03\x04\x14\0\0\0 payload.html");
    let mut script_in_comment = encode(
        &image::DynamicImage::ImageRgb8(image::RgbImage::new(16, 16)),
        image::ImageFormat::Jpeg,
    );
    let comment = b"<script>alert(document.cookie)</script>";
    let mut segment = vec![0xFF, 0xFE];
    segment.extend_from_slice(&((comment.len() + 2) as u16).to_be_bytes());
    segment.extend_from_slice(comment);
    script_in_comment.splice(2..2, segment);
    let mut garbled = png(64, 64);
    for byte in &mut garbled[60..90] {
        *byte = 0x55;
    }
    let gif = b"GIF89a\x01\0\x01\0\x80\0\0\0\0\0\xff\xff\xff!\xf9\x04\x01\0\0\0\0,\0\0\0\0\x01\0\x01\0\0\x02\x02D\x01\0;".to_vec();
    let mut oversized = png(8, 8);
    oversized.resize(5 * 1024 * 1024 + 1, 0);

    let refusals: Vec<(&str, Vec<u8>, StatusCode, &str)> = vec![
        (
            "empty",
            Vec::new(),
            StatusCode::BAD_REQUEST,
            "Choose an image file",
        ),
        (
            "svg",
            br#"<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>"#
                .to_vec(),
            StatusCode::BAD_REQUEST,
            "SVG and other text files are not accepted; choose a PNG, JPEG or WebP image",
        ),
        (
            "html",
            b"\n  <html><body>hello</body></html>".to_vec(),
            StatusCode::BAD_REQUEST,
            "SVG and other text files are not accepted; choose a PNG, JPEG or WebP image",
        ),
        (
            "gif",
            gif,
            StatusCode::BAD_REQUEST,
            "This file is not a PNG, JPEG or WebP image",
        ),
        (
            "plain text",
            b"just some words".to_vec(),
            StatusCode::BAD_REQUEST,
            "This file is not a PNG, JPEG or WebP image",
        ),
        (
            "png with an appended zip",
            appended_zip,
            StatusCode::BAD_REQUEST,
            "The file carries other content besides the picture; save it again as a plain PNG, JPEG or WebP",
        ),
        (
            "jpeg with a script in a comment",
            script_in_comment,
            StatusCode::BAD_REQUEST,
            "The file carries other content besides the picture; save it again as a plain PNG, JPEG or WebP",
        ),
        (
            "pixel flood, tall",
            encode(
                &image::DynamicImage::ImageLuma8(image::GrayImage::new(1, 20_000)),
                image::ImageFormat::Png,
            ),
            StatusCode::BAD_REQUEST,
            "The image is larger than 4096 × 4096 pixels",
        ),
        (
            "pixel flood, one pixel too wide",
            encode(
                &image::DynamicImage::ImageLuma8(image::GrayImage::new(4097, 1)),
                image::ImageFormat::Png,
            ),
            StatusCode::BAD_REQUEST,
            "The image is larger than 4096 × 4096 pixels",
        ),
        (
            "garbled pixels",
            garbled,
            StatusCode::BAD_REQUEST,
            "The image could not be read; it may be damaged",
        ),
        (
            "over 5 MiB",
            oversized,
            StatusCode::PAYLOAD_TOO_LARGE,
            "The file is larger than 5 MiB",
        ),
    ];
    for (class, bytes, status, message) in refusals {
        let reply = upload(&app, &cookie, None, bytes).await;
        assert_eq!(reply.status, status, "{class}: {}", reply.text);
        assert_eq!(reply.body["code"], "Invalid", "{class}");
        assert_eq!(reply.body["field"], "avatar", "{class}");
        assert_eq!(reply.body["message"], message, "{class}");
        assert_eq!(
            rest_profile(&app, &id).await["avatarUrl"],
            kept_url,
            "{class}: the avatar before stays"
        );
    }
    assert_eq!(
        app.get_bytes(&path_of(&kept_url)).await.0,
        StatusCode::OK,
        "still served"
    );

    // The limit itself is allowed: 4096 × 4096 pixels.
    let largest = encode(
        &image::DynamicImage::ImageLuma8(image::GrayImage::new(4096, 4096)),
        image::ImageFormat::Png,
    );
    let reply = upload(&app, &cookie, None, largest).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
}

async fn stored_jpegs_carry_no_metadata(db: &TestDb) {
    let app = TestApp::start(db).await;
    let (_, cookie) = user(&app, "traveller").await;
    let secret = "GPS 47.3769 N 8.5417 E, taken at home";
    let upload_bytes = jpeg_with_exif(secret);
    assert!(
        upload_bytes
            .windows(secret.len())
            .any(|window| window == secret.as_bytes())
    );
    let reply = upload(&app, &cookie, None, upload_bytes).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    let (_, _, stored) = app.get_bytes(&path_of(&reply.body["avatar_url"])).await;

    let contains = |needle: &[u8]| stored.windows(needle.len()).any(|window| window == needle);
    assert!(!contains(b"Exif"), "no EXIF block");
    assert!(!contains(secret.as_bytes()), "no description text");
    // No APP1..APP15 or comment segment among the markers before the image data.
    let mut at = 2;
    while at + 4 <= stored.len() && stored[at] == 0xFF {
        let marker = stored[at + 1];
        if marker == 0xDA {
            break;
        }
        assert!(
            !(0xE1..=0xEF).contains(&marker) && marker != 0xFE,
            "metadata segment {marker:#x}"
        );
        let length = u16::from_be_bytes([stored[at + 2], stored[at + 3]]) as usize;
        at += 2 + length;
    }
    // The orientation was applied before it was dropped: red on top, blue below.
    let upright = image::load_from_memory(&stored).unwrap().to_rgb8();
    let top = upright.get_pixel(upright.width() / 2, 3);
    let bottom = upright.get_pixel(upright.width() / 2, upright.height() - 4);
    assert!(top[0] > 150 && top[2] < 100, "top is red: {top:?}");
    assert!(
        bottom[2] > 150 && bottom[0] < 100,
        "bottom is blue: {bottom:?}"
    );
}

async fn avatars_are_changed_only_by_their_owner_and_admins(db: &TestDb) {
    let app = TestApp::start(db).await;
    let (victim, victim_cookie) = user(&app, "victim").await;
    let (_, mallory) = user(&app, "mallory").await;
    let kept = upload(&app, &victim_cookie, None, png(40, 40)).await;
    let kept_url = kept.body["avatar_url"].clone();

    // A plain user can neither upload for nor remove another user's avatar.
    let reply = upload(&app, &mallory, Some(&victim), png(20, 20)).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN, "{}", reply.text);
    let reply = app
        .server_fn(
            "remove_user_avatar",
            Some(&mallory),
            json!({"user_id": victim}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN, "{}", reply.text);
    assert_eq!(rest_profile(&app, &victim).await["avatarUrl"], kept_url);

    // Without a session, or from another site, nothing is accepted.
    let reply = app
        .browser(Method::PUT, "/account/avatar", None, png(20, 20))
        .await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{}", reply.text);
    let request = http::Request::builder()
        .method(Method::PUT)
        .uri("/account/avatar")
        .header(header::ORIGIN, "https://evil.example")
        .header(header::COOKIE, &victim_cookie)
        .body(axum::body::Body::from(png(20, 20)))
        .unwrap();
    assert_eq!(app.send(request).await.status, StatusCode::FORBIDDEN);
    assert_eq!(rest_profile(&app, &victim).await["avatarUrl"], kept_url);

    // An admin replaces and removes it from the user page.
    let (_, admin) = app.sign_in(ADMIN, ADMIN_PASSWORD).await;
    let admin = admin.unwrap();
    let replaced = upload(&app, &admin, Some(&victim), png(30, 30)).await;
    assert_eq!(replaced.status, StatusCode::OK, "{}", replaced.text);
    assert_ne!(replaced.body["avatar_url"], kept_url);
    let refused = upload(&app, &admin, Some(&victim), b"<svg/>".to_vec()).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    let unknown = upload(&app, &admin, Some("42"), png(30, 30)).await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND, "{}", unknown.text);
    let removed = app
        .server_fn(
            "remove_user_avatar",
            Some(&admin),
            json!({"user_id": victim}),
        )
        .await;
    assert_eq!(removed.status, StatusCode::OK, "{}", removed.text);
    assert_eq!(rest_profile(&app, &victim).await.get("avatarUrl"), None);
}

async fn rest_avatar_removal_follows_the_contract(db: &TestDb) {
    let app = TestApp::start(db).await;
    let (id, cookie) = user(&app, "pictured").await;
    let uploaded = upload(&app, &cookie, None, png(40, 40)).await;
    let path = path_of(&uploaded.body["avatar_url"]);
    let before = app
        .api(Method::GET, &format!("/users/{id}/profile"), None)
        .await;
    let sequence: u64 = before.body["details"]["sequence"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();

    let removed = app
        .api(Method::DELETE, &format!("/users/{id}/avatar"), None)
        .await;
    assert_eq!(removed.status, StatusCode::OK, "{}", removed.text);
    let details = removed.body["details"].as_object().unwrap();
    assert_eq!(details["sequence"], json!((sequence + 1).to_string()));
    assert!(details.contains_key("changeDate"));
    assert!(!details.contains_key("creationDate"));
    assert!(details.contains_key("resourceOwner"));
    assert_eq!(app.get_bytes(&path).await.0, StatusCode::NOT_FOUND);
    assert_eq!(rest_profile(&app, &id).await.get("avatarUrl"), None);

    // No avatar: still a success, with its own event (contract 3.6, quirk 6).
    let again = app
        .api(Method::DELETE, &format!("/users/{id}/avatar"), None)
        .await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.text);
    assert_eq!(
        again.body["details"]["sequence"],
        json!((sequence + 2).to_string())
    );

    let not_found = error_body(5, "Errors.Users.NotFound", "USER-35N8f");
    let reply = app.api(Method::DELETE, "/users/42/avatar", None).await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    assert_eq!(reply.body, not_found);
    let too_long = format!("/users/{}/avatar", "1".repeat(201));
    let reply = app.api(Method::DELETE, &too_long, None).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        reply.body,
        pgv_body(
            "invalid RemoveHumanAvatarRequest.UserId: value length must be between 1 and 200 runes, inclusive"
        )
    );

    // Another organisation's manager does not see the user; a viewer may not change it; a
    // service account (a machine user) has no avatar to remove; no token is 401.
    let other = app.create_org("Elsewhere").await;
    let stranger = app
        .service_token(app::model::Role::OrgUserManager, &other.0, "stranger")
        .await;
    let reply = app
        .rest(
            Method::DELETE,
            &format!("/users/{id}/avatar"),
            Some(&stranger),
            None,
            None,
        )
        .await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND, "{}", reply.text);
    assert_eq!(reply.body, not_found);
    let default_org = app.roster.services.default_org().await.unwrap();
    let viewer = app
        .service_token(app::model::Role::OrgUserViewer, &default_org.0, "viewer")
        .await;
    let reply = app
        .rest(
            Method::DELETE,
            &format!("/users/{id}/avatar"),
            Some(&viewer),
            None,
            None,
        )
        .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN, "{}", reply.text);
    let machine = app.owner().await;
    let app::model::Actor::Service(machine) = machine else {
        unreachable!()
    };
    let reply = app
        .api(
            Method::DELETE,
            &format!("/users/{}/avatar", machine.user_id),
            None,
        )
        .await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND, "{}", reply.text);
    assert_eq!(reply.body, not_found);
    let reply = app
        .rest(
            Method::DELETE,
            &format!("/users/{id}/avatar"),
            None,
            None,
            None,
        )
        .await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
}
