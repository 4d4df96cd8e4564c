//! Shared harness for the in-process HTTP tests: a fresh database of either kind, a built
//! Roster, and small helpers for REST calls, server functions and the outbox.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

pub mod authenticator;
pub mod sinks;

use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use http_body_util::BodyExt as _;
use serde_json::Value;
use server::Roster;
use server::config::Config;
use server::domain::clock::{Clock, ManualClock, SystemClock};
use sqlx::Connection as _;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use tower::ServiceExt as _;

/// The admin the tests bootstrap.
pub const ADMIN: &str = "admin";
pub const ADMIN_PASSWORD: &str = "Correct-horse-battery-staple-1";
/// The public URL the tests pretend Roster runs at.
pub const ORIGIN: &str = "http://localhost:3000";

/// Which database a scenario runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Sqlite,
    Postgres,
}

/// A database created for one test.
pub struct TestDb {
    pub kind: Kind,
    pub url: String,
    name: Option<String>,
    _dir: Option<tempfile::TempDir>,
}

fn postgres_admin_url() -> String {
    std::env::var("ROSTER_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned())
}

impl TestDb {
    pub async fn new(kind: Kind) -> TestDb {
        match kind {
            Kind::Sqlite => {
                let dir = tempfile::tempdir().unwrap();
                let url = format!("sqlite://{}", dir.path().join("roster.db").display());
                TestDb {
                    kind,
                    url,
                    name: None,
                    _dir: Some(dir),
                }
            }
            Kind::Postgres => {
                let admin_url = postgres_admin_url();
                let name = format!("roster_test_{}", rand::random::<u64>());
                let mut conn = sqlx::PgConnection::connect(&admin_url).await.unwrap_or_else(|error| {
                    panic!(
                        "PostgreSQL is needed for the postgres half of the tests ({admin_url}): {error}. \
                         Run ./scripts/test, which starts one when none answers."
                    )
                });
                sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
                    .execute(&mut conn)
                    .await
                    .unwrap();
                let mut url = url::Url::parse(&admin_url).unwrap();
                url.set_path(&name);
                TestDb {
                    kind,
                    url: url.to_string(),
                    name: Some(name),
                    _dir: None,
                }
            }
        }
    }

    /// Drops a PostgreSQL test database.
    pub async fn cleanup(self) {
        if let Some(name) = &self.name
            && let Ok(mut conn) = sqlx::PgConnection::connect(&postgres_admin_url()).await
        {
            let _ = sqlx::query(sqlx::AssertSqlSafe(format!(
                "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
            )))
            .execute(&mut conn)
            .await;
        }
    }
}

/// Runs one scenario on SQLite and on PostgreSQL, as two tests.
macro_rules! on_both_databases {
    ($($scenario:ident),* $(,)?) => {
        $(
            mod $scenario {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    let db = $crate::common::TestDb::new($crate::common::Kind::Sqlite).await;
                    super::$scenario(&db).await;
                    db.cleanup().await;
                }

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    let db = $crate::common::TestDb::new($crate::common::Kind::Postgres).await;
                    super::$scenario(&db).await;
                    db.cleanup().await;
                }
            }
        )*
    };
}

/// A running (in-process) Roster plus the files it writes.
pub struct TestApp {
    pub roster: Roster,
    pub outbox_dir: PathBuf,
    /// The bootstrap service account's token (IAM_OWNER in tests).
    pub token: String,
    _dir: tempfile::TempDir,
}

/// A response as the tests look at it.
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Value,
    pub text: String,
}

impl TestApp {
    pub async fn start(db: &TestDb) -> TestApp {
        TestApp::start_with(db, Arc::new(SystemClock), &[]).await
    }

    pub async fn start_with_clock(db: &TestDb, clock: Arc<ManualClock>) -> TestApp {
        TestApp::start_with(db, clock, &[]).await
    }

    pub async fn start_with(db: &TestDb, clock: Arc<dyn Clock>, extra: &[(&str, &str)]) -> TestApp {
        TestApp::try_start_with(db, clock, extra).await.unwrap()
    }

    /// Like [`TestApp::start_with`], but a failed start is returned (with its whole error
    /// chain as text) instead of failing the test.
    pub async fn try_start_with(
        db: &TestDb,
        clock: Arc<dyn Clock>,
        extra: &[(&str, &str)],
    ) -> Result<TestApp, String> {
        // `ROSTER_TEST_LOG=1` shows the server's logs next to a failing test.
        if std::env::var_os("ROSTER_TEST_LOG").is_some() {
            let _ = tracing_subscriber::fmt().with_test_writer().try_init();
        }
        let dir = tempfile::tempdir().unwrap();
        let outbox_dir = dir.path().join("outbox");
        let pat_path = dir.path().join("pat.txt");
        let mut settings: HashMap<String, String> = [
            ("ROSTER_DATABASE_URL", db.url.as_str()),
            ("ROSTER_ADMIN_USERNAME", ADMIN),
            ("ROSTER_ADMIN_PASSWORD", ADMIN_PASSWORD),
            ("ROSTER_ADMIN_EMAIL", "admin@example.com"),
            ("ROSTER_PUBLIC_URL", ORIGIN),
            ("ROSTER_BOOTSTRAP_PAT_ROLE", "IAM_OWNER"),
            ("ROSTER_SECRET_KEY", &"42".repeat(32)),
        ]
        .into_iter()
        .map(|(key, value)| (key.to_owned(), value.to_owned()))
        .collect();
        settings.insert("ROSTER_OUTBOX_DIR".into(), outbox_dir.display().to_string());
        settings.insert(
            "ROSTER_BOOTSTRAP_PAT_PATH".into(),
            pat_path.display().to_string(),
        );
        for (key, value) in extra {
            settings.insert((*key).to_owned(), (*value).to_owned());
        }
        let config = Config::from_lookup(|name| settings.get(name).cloned()).unwrap();
        let roster = server::build_app_with_clock(config, clock)
            .await
            .map_err(|error| format!("{error:#}"))?;
        let pat_path = settings
            .get("ROSTER_BOOTSTRAP_PAT_PATH")
            .map(PathBuf::from)
            .unwrap_or(pat_path);
        let token = std::fs::read_to_string(&pat_path)
            .unwrap_or_default()
            .trim()
            .to_owned();
        Ok(TestApp {
            roster,
            outbox_dir,
            token,
            _dir: dir,
        })
    }

    /// Sends a request through the router.
    pub async fn send(&self, request: Request<Body>) -> Reply {
        let response = self.roster.router.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Reply {
            status,
            headers,
            body,
            text,
        }
    }

    /// A REST call with a bearer token (or none), an optional org header and a raw body.
    pub async fn rest(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        org: Option<&str>,
        body: Option<&str>,
    ) -> Reply {
        let mut builder = Request::builder()
            .method(method)
            .uri(format!("/management/v1{path}"));
        if let Some(token) = token {
            builder = builder.header(header::AUTHORIZATION, format!("Bearer {token}"));
        }
        if let Some(org) = org {
            builder = builder.header("x-zitadel-orgid", org);
        }
        if body.is_some() {
            builder = builder.header(header::CONTENT_TYPE, "application/json");
        }
        self.send(
            builder
                .body(Body::from(body.unwrap_or_default().to_owned()))
                .unwrap(),
        )
        .await
    }

    /// A REST call as the bootstrap service account.
    pub async fn api(&self, method: Method, path: &str, body: Option<&Value>) -> Reply {
        let body = body.map(Value::to_string);
        self.rest(method, path, Some(&self.token), None, body.as_deref())
            .await
    }

    /// Calls a server function as a browser on our origin would.
    pub async fn server_fn(&self, name: &str, cookie: Option<&str>, args: Value) -> Reply {
        let mut builder = Request::builder()
            .method(Method::POST)
            .uri(format!("/api/{name}"))
            .header(header::CONTENT_TYPE, "application/json")
            .header(header::ACCEPT, "application/json")
            .header(header::ORIGIN, ORIGIN);
        if let Some(cookie) = cookie {
            builder = builder.header(header::COOKIE, cookie);
        }
        self.send(builder.body(Body::from(args.to_string())).unwrap())
            .await
    }

    /// The bootstrap service account (IAM_OWNER) as an actor, for set-up through the domain.
    pub async fn owner(&self) -> app::model::Actor {
        let owner = self
            .roster
            .services
            .resolve_bearer(&self.token)
            .await
            .unwrap()
            .unwrap();
        app::model::Actor::Service(owner)
    }

    /// Creates another organisation.
    pub async fn create_org(&self, name: &str) -> app::model::OrgId {
        let owner = self.owner().await;
        self.roster.services.create_org(&owner, name).await.unwrap()
    }

    /// A new service account with `role` in `org` (empty: the instance); returns its token.
    pub async fn service_token(&self, role: app::model::Role, org: &str, name: &str) -> String {
        let owner = self.owner().await;
        self.roster
            .services
            .create_service_account(
                &owner,
                &app::model::CreateServiceAccountForm {
                    username: name.to_owned(),
                    name: name.to_owned(),
                    role,
                    org_id: org.to_owned(),
                },
            )
            .await
            .unwrap()
            .token
    }

    /// A browser request on our origin with an optional session cookie and a raw body.
    pub async fn browser(
        &self,
        method: Method,
        path: &str,
        cookie: Option<&str>,
        body: Vec<u8>,
    ) -> Reply {
        let mut builder = Request::builder()
            .method(method)
            .uri(path)
            .header(header::ORIGIN, ORIGIN);
        if let Some(cookie) = cookie {
            builder = builder.header(header::COOKIE, cookie);
        }
        self.send(builder.body(Body::from(body)).unwrap()).await
    }

    /// A GET as a browser would send it, returning the raw bytes too.
    pub async fn get_bytes(&self, path: &str) -> (StatusCode, HeaderMap, Vec<u8>) {
        let request = Request::builder().uri(path).body(Body::empty()).unwrap();
        let response = self.roster.router.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        (status, headers, bytes.to_vec())
    }

    /// Signs in through the server function and returns the `Cookie` header value.
    pub async fn sign_in(&self, login: &str, password: &str) -> (Reply, Option<String>) {
        self.sign_in_from(None, login, password).await
    }

    /// Signs in from a browser that already holds `cookie`.
    pub async fn sign_in_from(
        &self,
        cookie: Option<&str>,
        login: &str,
        password: &str,
    ) -> (Reply, Option<String>) {
        let reply = self
            .server_fn(
                "sign_in",
                cookie,
                serde_json::json!({ "login": login, "password": password }),
            )
            .await;
        let cookie = session_cookie(&reply);
        (reply, cookie)
    }

    /// Delivers queued messages to the outbox directory and returns every message file's text.
    pub async fn delivered_messages(&self) -> Vec<String> {
        self.roster.worker.deliver_due().await.unwrap();
        let Ok(entries) = std::fs::read_dir(&self.outbox_dir) else {
            return Vec::new();
        };
        let mut files: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .map(|entry| entry.path())
            .filter(|path| path.extension().is_some_and(|ext| ext == "txt"))
            .collect();
        files.sort();
        files
            .iter()
            .map(|path| std::fs::read_to_string(path).unwrap())
            .collect()
    }

    /// The init link from the newest invitation mail to `recipient`.
    pub async fn init_link_for(&self, recipient: &str) -> Option<url::Url> {
        self.delivered_messages()
            .await
            .into_iter()
            .rev()
            .filter(|text| {
                text.starts_with(&format!("To: {recipient}\n")) && text.contains("Template: init")
            })
            .find_map(|text| {
                text.split_whitespace()
                    .find(|word| word.starts_with(&format!("{ORIGIN}/init?")))
                    .and_then(|link| url::Url::parse(link).ok())
            })
    }
}

/// A query parameter of a URL.
/// The session cookie a reply sets (`name=token`, as a `Cookie` header value), if any.
pub fn session_cookie(reply: &Reply) -> Option<String> {
    reply
        .headers
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .find(|value| value.starts_with("roster_session="))
        .and_then(|value| value.split(';').next())
        .map(str::to_owned)
}

pub fn query_param(url: &url::Url, name: &str) -> Option<String> {
    url.query_pairs()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.into_owned())
}

/// The error body a contract row prescribes (a business error with its ZITADEL id).
pub fn error_body(code: u16, text: &str, id: &str) -> Value {
    serde_json::json!({
        "code": code,
        "message": format!("{text} ({id})"),
        "details": [{"@type": "type.googleapis.com/zitadel.v1.ErrorDetail", "id": id, "message": text}]
    })
}

/// A validation-layer (PGV) error body: InvalidArgument without details.
pub fn pgv_body(message: &str) -> Value {
    serde_json::json!({"code": 3, "message": message, "details": []})
}
