//! Message delivery against real protocol peers, on SQLite and PostgreSQL: mail over SMTP to a
//! server started by the test, SMS to an HTTP webhook, retries after an outage, a worker that
//! died after claiming a message, expired codes, and two workers sending each message once.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common::sinks::{DownPort, SmtpServer, WebhookServer};
use crate::common::{TestApp, TestDb};
use axum::http::{Method, StatusCode};
use serde_json::json;
use server::domain::clock::{Clock as _, ManualClock};
use std::sync::Arc;

on_both_databases!(
    mail_goes_over_smtp_and_sms_to_the_webhook,
    a_provider_outage_is_retried_with_backoff,
    a_message_claimed_by_a_dead_worker_is_sent_later,
    messages_whose_code_expired_are_not_sent,
    two_workers_send_each_message_once,
    a_long_outage_does_not_drop_an_invitation,
    retrying_stops_when_the_code_expires_or_after_a_day,
    a_stale_workers_result_is_ignored,
    a_message_whose_code_was_replaced_is_not_sent,
    expired_codes_and_ceremonies_are_purged,
    sms_without_a_provider_are_dropped_when_mail_has_one,
    two_instances_on_one_database_send_each_message_once,
);

const START: i64 = 1_800_000_000_000_000;

async fn start(
    db: &TestDb,
    clock: Arc<ManualClock>,
    smtp_port: u16,
    webhook: Option<&str>,
) -> TestApp {
    let port = smtp_port.to_string();
    let mut settings = vec![
        ("ROSTER_SMTP_HOST", "127.0.0.1"),
        ("ROSTER_SMTP_PORT", port.as_str()),
        ("ROSTER_SMTP_TLS", "none"),
        ("ROSTER_SMTP_FROM", "Roster <roster@example.com>"),
    ];
    if let Some(url) = webhook {
        settings.push(("ROSTER_SMS_WEBHOOK_URL", url));
        settings.push(("ROSTER_SMS_WEBHOOK_AUTHORIZATION", "Bearer sms-secret"));
    }
    TestApp::start_with(db, clock, &settings).await
}

async fn invite(app: &TestApp, name: &str, phone: Option<&str>) -> String {
    let mut body = json!({
        "userName": name,
        "profile": {"firstName": "Ann", "lastName": "Lee", "preferredLanguage": if name.starts_with("de") { "de" } else { "en" }},
        "email": {"email": format!("{name}@example.com")},
    });
    if let Some(phone) = phone {
        body["phone"] = json!({"phone": phone});
    }
    let reply = app
        .api(Method::POST, "/users/human/_import", Some(&body))
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    reply.body["userId"].as_str().unwrap().to_owned()
}

async fn states(app: &TestApp, user_id: &str) -> Vec<(String, String, i32)> {
    let mut conn = app.roster.services.db().conn().await.unwrap();
    server::store::outbox::for_user(conn.exec(), user_id)
        .await
        .unwrap()
        .into_iter()
        .map(|message| (message.template, message.state, message.attempts))
        .collect()
}

/// The message of a user made by `template`.
async fn message(app: &TestApp, user_id: &str, template: &str) -> server::store::outbox::OutboxRow {
    let mut conn = app.roster.services.db().conn().await.unwrap();
    server::store::outbox::for_user(conn.exec(), user_id)
        .await
        .unwrap()
        .into_iter()
        .find(|message| message.template == template)
        .unwrap()
}

/// Runs the worker every `step` seconds for `total` seconds of the manual clock.
async fn run_worker_for(app: &TestApp, clock: &ManualClock, total: i64, step: i64) {
    let mut elapsed = 0;
    while elapsed < total {
        app.roster.worker.deliver_due().await.unwrap();
        clock.advance_secs(step);
        elapsed += step;
    }
}

async fn mail_goes_over_smtp_and_sms_to_the_webhook(db: &TestDb) {
    let smtp = SmtpServer::start().await;
    let webhook = WebhookServer::start().await;
    let clock = Arc::new(ManualClock::starting_at(START));
    let app = start(db, clock, smtp.port, Some(&webhook.url)).await;
    let id = invite(&app, "deutsch", Some("+41 71 000 00 00")).await;
    assert_eq!(app.roster.worker.deliver_due().await.unwrap(), 2);

    let mails = smtp.received();
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0].to, ["<deutsch@example.com>"]);
    assert!(mails[0].from.contains("roster@example.com"));
    let data = &mails[0].data;
    assert!(
        data.contains("Subject: Aktivieren Sie Ihr Roster-Konto"),
        "German for preferredLanguage de: {data}"
    );
    assert!(
        data.contains("http://localhost:3000/init?userID="),
        "{data}"
    );

    let sms = webhook.received();
    assert_eq!(sms.len(), 1);
    assert_eq!(sms[0].authorization.as_deref(), Some("Bearer sms-secret"));
    assert_eq!(sms[0].body["to"], "+41710000000");
    assert!(
        sms[0].body["text"]
            .as_str()
            .unwrap()
            .contains("Bestätigungscode")
    );

    let mut sent = states(&app, &id).await;
    sent.sort();
    assert_eq!(
        sent,
        [
            ("init".to_owned(), "sent".to_owned(), 1),
            ("verify_phone".to_owned(), "sent".to_owned(), 1)
        ]
    );
    assert_eq!(
        app.roster.worker.deliver_due().await.unwrap(),
        0,
        "nothing is sent twice"
    );
    // The codes do not stay in the outbox once the messages went out; the rest does.
    let mail = message(&app, &id, "init").await;
    assert_eq!(mail.body, "");
    assert_eq!(
        (mail.recipient.as_str(), mail.subject.as_str()),
        ("deutsch@example.com", "Aktivieren Sie Ihr Roster-Konto")
    );
    assert_eq!(message(&app, &id, "verify_phone").await.body, "");
}

async fn a_provider_outage_is_retried_with_backoff(db: &TestDb) {
    let down = DownPort::new();
    let port = down.port;
    let webhook = WebhookServer::start().await;
    *webhook.status.lock().unwrap() = 503;
    let clock = Arc::new(ManualClock::starting_at(START));
    let app = start(db, clock.clone(), port, Some(&webhook.url)).await;
    let id = invite(&app, "patient", Some("+49 30 1234567")).await;

    // Both providers are down: the attempts fail, are recorded, and nothing is lost.
    assert_eq!(app.roster.worker.deliver_due().await.unwrap(), 2);
    let mut conn = app.roster.services.db().conn().await.unwrap();
    let messages = server::store::outbox::for_user(conn.exec(), &id)
        .await
        .unwrap();
    assert!(
        messages
            .iter()
            .all(|message| message.state == "queued" && message.attempts == 1)
    );
    assert!(messages.iter().any(|message| {
        message
            .last_error
            .as_deref()
            .unwrap_or_default()
            .contains("SMTP")
    }));
    assert!(messages.iter().any(|message| message.last_error.as_deref()
        == Some("SMS webhook answered 503 Service Unavailable")));
    drop(conn);
    // Not due yet: the backoff holds it back.
    assert_eq!(app.roster.worker.deliver_due().await.unwrap(), 0);

    // The providers come back; after the backoff the messages go out.
    let smtp = SmtpServer::start_on(down.release()).await;
    *webhook.status.lock().unwrap() = 200;
    clock.advance_secs(6);
    assert_eq!(app.roster.worker.deliver_due().await.unwrap(), 2);
    assert_eq!(smtp.received().len(), 1);
    assert_eq!(
        webhook.received().len(),
        2,
        "one failed call, one delivered"
    );
    let mut conn = app.roster.services.db().conn().await.unwrap();
    let history = server::store::outbox::attempts_for_user(conn.exec(), &id)
        .await
        .unwrap();
    let mut outcomes: Vec<(i32, String)> = history
        .iter()
        .map(|attempt| (attempt.attempt, attempt.outcome.clone()))
        .collect();
    outcomes.sort();
    assert_eq!(
        outcomes,
        [
            (1, "failed".to_owned()),
            (1, "failed".to_owned()),
            (2, "sent".to_owned()),
            (2, "sent".to_owned())
        ]
    );
}

async fn a_message_claimed_by_a_dead_worker_is_sent_later(db: &TestDb) {
    let smtp = SmtpServer::start().await;
    let clock = Arc::new(ManualClock::starting_at(START));
    let app = start(db, clock.clone(), smtp.port, None).await;
    let id = invite(&app, "orphan", None).await;

    // A worker claims the message, then dies before sending it.
    let db = app.roster.services.db();
    let mut tx = db.begin().await.unwrap();
    let claimed = server::store::outbox::claim_next(tx.exec(), START, 60_000_000)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert!(claimed.is_some());

    // While its lease runs, nobody else takes it; afterwards another worker sends it once.
    assert_eq!(app.roster.worker.deliver_due().await.unwrap(), 0);
    clock.advance_secs(61);
    assert_eq!(app.roster.worker.deliver_due().await.unwrap(), 1);
    assert_eq!(smtp.received().len(), 1);
    assert_eq!(
        states(&app, &id).await,
        [("init".to_owned(), "sent".to_owned(), 2)]
    );
}

async fn messages_whose_code_expired_are_not_sent(db: &TestDb) {
    let smtp = SmtpServer::start().await;
    let clock = Arc::new(ManualClock::starting_at(START));
    let app = start(db, clock.clone(), smtp.port, None).await;
    let id = invite(&app, "late", None).await;
    clock.advance_secs(72 * 3600 + 1);
    assert_eq!(app.roster.worker.deliver_due().await.unwrap(), 1);
    assert!(smtp.received().is_empty());
    assert_eq!(
        states(&app, &id).await,
        [("init".to_owned(), "expired".to_owned(), 1)]
    );
    assert_eq!(message(&app, &id, "init").await.body, "");
}

async fn two_workers_send_each_message_once(db: &TestDb) {
    let smtp = SmtpServer::start().await;
    let clock = Arc::new(ManualClock::starting_at(START));
    let app = start(db, clock, smtp.port, None).await;
    for index in 0..24 {
        invite(&app, &format!("crowd{index}"), None).await;
    }
    let first = app.roster.worker.clone();
    let second = app.roster.worker.clone();
    let (a, b) = tokio::join!(
        tokio::spawn(async move { first.deliver_due().await.unwrap() }),
        tokio::spawn(async move { second.deliver_due().await.unwrap() }),
    );
    assert_eq!(a.unwrap() + b.unwrap(), 24);
    let mut recipients: Vec<String> = smtp
        .received()
        .into_iter()
        .flat_map(|mail| mail.to)
        .collect();
    recipients.sort();
    recipients.dedup();
    assert_eq!(smtp.received().len(), 24, "each message once");
    assert_eq!(recipients.len(), 24);
}

async fn a_long_outage_does_not_drop_an_invitation(db: &TestDb) {
    let down = DownPort::new();
    let port = down.port;
    let clock = Arc::new(ManualClock::starting_at(START));
    let app = start(db, clock.clone(), port, None).await;
    let id = invite(&app, "enduring", None).await;

    // Twenty-five minutes of SMTP outage: every due attempt fails, but the invitation (72 h
    // code) stays queued, retried at most 15 minutes apart.
    run_worker_for(&app, &clock, 25 * 60, 30).await;
    let queued = message(&app, &id, "init").await;
    assert_eq!(queued.state, "queued", "{queued:?}");
    assert!(
        queued.attempts >= 9,
        "more than the old limit of 8: {queued:?}"
    );
    assert!(
        queued.next_attempt_at - clock.now() <= 15 * 60 * 1_000_000,
        "{queued:?}"
    );

    // The provider comes back: the invitation goes out within 15 minutes.
    let smtp = SmtpServer::start_on(down.release()).await;
    run_worker_for(&app, &clock, 15 * 60 + 30, 30).await;
    assert_eq!(smtp.received().len(), 1);
    assert_eq!(message(&app, &id, "init").await.state, "sent");
}

async fn retrying_stops_when_the_code_expires_or_after_a_day(db: &TestDb) {
    let down = DownPort::new();
    let port = down.port;
    let clock = Arc::new(ManualClock::starting_at(START));
    let app = start(db, clock.clone(), port, None).await;
    let body = json!({
        "userName": "stranded",
        "profile": {"firstName": "Ann", "lastName": "Lee"},
        "email": {"email": "stranded@example.com", "isEmailVerified": true},
        "password": "Lantern-meadow-harbor-42",
    });
    let reply = app
        .api(Method::POST, "/users/human/_import", Some(&body))
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    let id = reply.body["userId"].as_str().unwrap().to_owned();
    // A verification mail with a 1-hour code, and a "password changed" notice without a code.
    let reply = app
        .api(
            Method::PUT,
            &format!("/users/{id}/email"),
            Some(&json!({"email": "elsewhere@example.com"})),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    let reply = app
        .api(
            Method::POST,
            &format!("/users/{id}/password"),
            Some(&json!({"password": "Orchard-rain-lantern-77"})),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);

    // Two hours of outage: the code's message is given up once its code would be dead by the
    // next attempt; the notice is still being retried.
    run_worker_for(&app, &clock, 2 * 3600, 30).await;
    let verify = message(&app, &id, "verify_email").await;
    assert_eq!(verify.state, "expired", "{verify:?}");
    assert_eq!(verify.body, "", "no code stays behind");
    let reason = verify.last_error.unwrap();
    assert!(reason.contains("SMTP"), "{reason}");
    assert!(
        reason.ends_with("given up: the code in it expires before the next attempt"),
        "{reason}"
    );
    assert_eq!(message(&app, &id, "password_changed").await.state, "queued");

    // After a day the notice is given up too, with the reason.
    run_worker_for(&app, &clock, 21 * 3600 + 1800, 600).await;
    assert_eq!(message(&app, &id, "password_changed").await.state, "queued");
    run_worker_for(&app, &clock, 3600, 600).await;
    let notice = message(&app, &id, "password_changed").await;
    assert_eq!(notice.state, "failed", "{notice:?}");
    assert!(
        notice.body.contains("password"),
        "a notice without a code keeps its text, to be sent again: {notice:?}"
    );
    let reason = notice.last_error.unwrap();
    assert!(reason.contains("SMTP"), "{reason}");
    assert!(
        reason.ends_with("given up after 24 hours of failed attempts"),
        "{reason}"
    );
    let attempts = notice.attempts;
    run_worker_for(&app, &clock, 3600, 600).await;
    assert_eq!(
        message(&app, &id, "password_changed").await.attempts,
        attempts,
        "no more attempts"
    );
}

/// A provider so slow that the worker's lease runs out: while it hangs, another worker takes
/// the message over and sends it; then the slow call fails.
#[derive(Debug)]
struct SlowSink {
    clock: Arc<ManualClock>,
    other: server::notify::worker::Worker,
}

#[async_trait::async_trait]
impl server::notify::sink::Sink for SlowSink {
    async fn deliver(
        &self,
        _: &server::store::outbox::OutboxRow,
    ) -> Result<(), server::notify::sink::Undelivered> {
        self.clock.advance_secs(61);
        assert_eq!(self.other.deliver_due().await.unwrap(), 1);
        Err("timed out".to_owned().into())
    }
}

async fn a_stale_workers_result_is_ignored(db: &TestDb) {
    let smtp = SmtpServer::start().await;
    let clock = Arc::new(ManualClock::starting_at(START));
    let app = start(db, clock.clone(), smtp.port, None).await;
    let id = invite(&app, "contested", None).await;
    let slow = server::notify::worker::Worker {
        sink: Arc::new(SlowSink {
            clock: clock.clone(),
            other: app.roster.worker.clone(),
        }),
        ..app.roster.worker.clone()
    };
    assert_eq!(slow.deliver_due().await.unwrap(), 1);

    // The second worker's "sent" stands; the slow worker's late failure did not queue the
    // message again, so it is not sent a second time.
    let sent = message(&app, &id, "init").await;
    assert_eq!(
        (
            sent.state.as_str(),
            sent.attempts,
            sent.last_error.as_deref()
        ),
        ("sent", 2, None)
    );
    clock.advance_secs(3600);
    assert_eq!(app.roster.worker.deliver_due().await.unwrap(), 0);
    assert_eq!(smtp.received().len(), 1);
    let mut conn = app.roster.services.db().conn().await.unwrap();
    let history: Vec<(i32, String)> = server::store::outbox::attempts_for_user(conn.exec(), &id)
        .await
        .unwrap()
        .into_iter()
        .map(|attempt| (attempt.attempt, attempt.outcome))
        .collect();
    assert_eq!(history, [(2, "sent".to_owned())]);
}

async fn a_message_whose_code_was_replaced_is_not_sent(db: &TestDb) {
    let smtp = SmtpServer::start().await;
    let clock = Arc::new(ManualClock::starting_at(START));
    let app = start(db, clock.clone(), smtp.port, None).await;
    let id = invite(&app, "twice", None).await;
    // The invitation is sent again before the first mail went out (e.g. during an outage).
    let reply = app
        .api(
            Method::POST,
            &format!("/users/{id}/_resend_initialization"),
            Some(&json!({})),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    assert_eq!(app.roster.worker.deliver_due().await.unwrap(), 1);
    let mails = smtp.received();
    assert_eq!(mails.len(), 1, "only the mail with the living code");
    let mut conn = app.roster.services.db().conn().await.unwrap();
    let mut messages = server::store::outbox::for_user(conn.exec(), &id)
        .await
        .unwrap();
    drop(conn);
    messages.reverse();
    let outcome: Vec<(&str, Option<&str>, &str)> = messages
        .iter()
        .map(|message| {
            (
                message.state.as_str(),
                message.last_error.as_deref(),
                message.body.as_str(),
            )
        })
        .collect();
    assert_eq!(
        outcome,
        [
            ("expired", Some("superseded by a newer code"), ""),
            ("sent", None, "")
        ]
    );
    // The mail that went out carries the code that works.
    // Quoted-printable: soft line breaks and `=3D` for `=`.
    let text = mails[0].data.replace("=\r\n", "").replace("=3D", "=");
    let link = text
        .split_whitespace()
        .find(|word| word.starts_with("http://localhost:3000/init?"))
        .map(|link| url::Url::parse(link).unwrap())
        .unwrap();
    let code = crate::common::query_param(&link, "code").unwrap();
    let form = json!({"form": {"user_id": id, "code": code, "password": "Lantern-meadow-harbor-42", "password_confirmation": "Lantern-meadow-harbor-42"}});
    let done = app.server_fn("complete_initialization", None, form).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.text);
}

async fn expired_codes_and_ceremonies_are_purged(db: &TestDb) {
    use server::store::{codes, factors};
    let smtp = SmtpServer::start().await;
    let clock = Arc::new(ManualClock::starting_at(START));
    let app = start(db, clock.clone(), smtp.port, None).await;
    // An invitation code (72 hours) and a phone code (1 hour).
    let id = invite(&app, "keeper", Some("+41 71 000 00 00")).await;
    let db = app.roster.services.db();
    let ceremony = |id: &str, expires_at: i64| factors::CeremonyRow {
        id: id.to_owned(),
        purpose: "passkey_registration".to_owned(),
        binding: "session".to_owned(),
        user_id: None,
        name: None,
        state: "{}".to_owned(),
        created_at: START,
        expires_at,
    };
    {
        let mut conn = db.conn().await.unwrap();
        factors::insert_ceremony(conn.exec(), &ceremony("old", START + 300_000_000))
            .await
            .unwrap();
        factors::insert_ceremony(conn.exec(), &ceremony("new", START + 7_200_000_000))
            .await
            .unwrap();
    }
    let latest = |purpose: &'static str| {
        let (db, id) = (db.clone(), id.clone());
        async move {
            let mut conn = db.conn().await.unwrap();
            codes::latest(conn.exec(), &id, purpose)
                .await
                .unwrap()
                .is_some()
        }
    };
    let worker = &app.roster.worker;
    let purged = worker.purge_expired().await.unwrap();
    assert_eq!(
        (purged.codes, purged.ceremonies),
        (0, 0),
        "nothing expired yet"
    );

    clock.advance_secs(3600);
    let purged = worker.purge_expired().await.unwrap();
    assert_eq!((purged.codes, purged.ceremonies), (1, 1));
    assert!(!latest("phone_verification").await);
    assert!(latest("init").await, "the invitation code still lives");
    let mut conn = db.conn().await.unwrap();
    assert!(
        factors::take_ceremony(conn.exec(), "new", "passkey_registration", "session", 0)
            .await
            .unwrap()
            .is_some()
    );
    drop(conn);

    clock.advance_secs(71 * 3600);
    assert_eq!(worker.purge_expired().await.unwrap().codes, 1);
    assert!(!latest("init").await);
}

async fn sms_without_a_provider_are_dropped_when_mail_has_one(db: &TestDb) {
    let smtp = SmtpServer::start().await;
    let clock = Arc::new(ManualClock::starting_at(START));
    let app = start(db, clock.clone(), smtp.port, None).await;
    let id = invite(&app, "textless", Some("+41 71 000 00 00")).await;
    assert_eq!(app.roster.worker.deliver_due().await.unwrap(), 2);
    assert_eq!(smtp.received().len(), 1, "the mail goes out");
    // The SMS is dropped at once, with the reason, and never written to disk.
    let sms = message(&app, &id, "verify_phone").await;
    assert_eq!(
        (sms.state.as_str(), sms.attempts, sms.last_error.as_deref()),
        ("failed", 1, Some("no SMS provider configured"))
    );
    assert_eq!(sms.body, "", "its code does not stay behind");
    assert!(
        !app.outbox_dir.exists() || std::fs::read_dir(&app.outbox_dir).unwrap().next().is_none(),
        "nothing in the file sink"
    );
    clock.advance_secs(3600);
    assert_eq!(
        app.roster.worker.deliver_due().await.unwrap(),
        0,
        "no retries"
    );
}

async fn two_instances_on_one_database_send_each_message_once(db: &TestDb) {
    let smtp = SmtpServer::start().await;
    let webhook = WebhookServer::start().await;
    let clock = Arc::new(ManualClock::starting_at(START));
    // Two Roster instances, each with its own pool and worker, on the same database.
    let first = start(db, clock.clone(), smtp.port, Some(&webhook.url)).await;
    let second = start(db, clock.clone(), smtp.port, Some(&webhook.url)).await;
    for index in 0..20 {
        invite(
            &first,
            &format!("many{index}"),
            Some(&format!("+41 71 000 10 {index:02}")),
        )
        .await;
    }
    let workers = [first.roster.worker.clone(), second.roster.worker.clone()];
    let rounds: Vec<_> = workers
        .into_iter()
        .map(|worker| tokio::spawn(async move { worker.deliver_due().await.unwrap() }))
        .collect();
    let mut handled = Vec::new();
    for round in rounds {
        handled.push(round.await.unwrap());
    }
    assert_eq!(handled.iter().sum::<usize>(), 40, "{handled:?}");

    let mut mails: Vec<String> = smtp
        .received()
        .into_iter()
        .flat_map(|mail| mail.to)
        .collect();
    mails.sort();
    let total = mails.len();
    mails.dedup();
    assert_eq!((total, mails.len()), (20, 20), "each mail once");
    let mut numbers: Vec<String> = webhook
        .received()
        .into_iter()
        .map(|sms| sms.body["to"].as_str().unwrap().to_owned())
        .collect();
    numbers.sort();
    let total = numbers.len();
    numbers.dedup();
    assert_eq!((total, numbers.len()), (20, 20), "each SMS once");
    for app in [&first, &second] {
        assert_eq!(app.roster.worker.deliver_due().await.unwrap(), 0);
    }
}
