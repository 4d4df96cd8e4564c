//! `scripts/bench`: imports the realistic batch over REST and reads profiles under concurrency,
//! on SQLite and on PostgreSQL, and prints the figures next to this machine's raw floor measured
//! in the same run: Argon2id hashes per second, per core and on all cores (the bound for rows
//! with a plain password) and bare sqlx inserts and selects (the bound for everything else). It
//! also times the admin user list at 100,000 users.
//!
//! Options: `sqlite` or `postgres` to run one database only.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]

use app::model::{Actor, UserListQuery, UserSort, UserState};
use serde_json::Value;
use server::config::Config;
use server::domain::password::{HashCost, Hasher};
use server::store::Db;
use server::store::users::{CursorKey, ListCursor};
use sqlx::Connection as _;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Semaphore;

const CONCURRENCY: usize = 16;
const READS: usize = 10_000;
const LIST_USERS: usize = 100_000;

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|arg| !arg.starts_with("--"))
        .collect();
    let wanted = |name: &str| args.is_empty() || args.iter().any(|arg| arg == name);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        println!("Roster benchmark on {cores} cores (release build), concurrency {CONCURRENCY}");
        let argon2 = argon2_floor(cores).await;
        println!(
            "floor: Argon2id (m=19 MiB, t=2, p=1) {:.1} hashes/s per core, {:.1} hashes/s on all {cores} cores",
            argon2.per_core, argon2.all_cores
        );
        if wanted("sqlite") {
            let dir = tempfile::tempdir().unwrap();
            let url = format!("sqlite://{}", dir.path().join("bench.db").display());
            run(&url, "SQLite", argon2).await;
        }
        if wanted("postgres") {
            let (url, cleanup) = postgres_database().await;
            run(&url, "PostgreSQL", argon2).await;
            cleanup.await;
        }
    });
}

/// Argon2id hashes per second: one core's rate (the "one hash per core per second"
/// figure) and the whole machine's, which bounds an import of plain passwords.
#[derive(Clone, Copy)]
struct Argon2Floor {
    per_core: f64,
    all_cores: f64,
}

/// Hashes per second with one hash per core at a time, for as long as 3 seconds.
async fn argon2_floor(cores: usize) -> Argon2Floor {
    let hasher = Hasher::new(HashCost::default(), cores).unwrap();
    let started = Instant::now();
    let mut done = 0_usize;
    while started.elapsed() < Duration::from_secs(3) {
        let batch: Vec<_> = (0..cores)
            .map(|index| {
                let hasher = hasher.clone();
                tokio::spawn(async move { hasher.hash(&format!("floor-{index}")).await.unwrap() })
            })
            .collect();
        for handle in batch {
            handle.await.unwrap();
        }
        done += cores;
    }
    let all_cores = done as f64 / started.elapsed().as_secs_f64();
    Argon2Floor {
        per_core: all_cores / cores as f64,
        all_cores,
    }
}

async fn postgres_database() -> (String, impl Future<Output = ()>) {
    let admin = std::env::var("ROSTER_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned());
    let name = format!("roster_bench_{}", rand::random::<u32>());
    let mut conn = sqlx::PgConnection::connect(&admin).await.unwrap();
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut conn)
        .await
        .unwrap();
    let mut url = url::Url::parse(&admin).unwrap();
    url.set_path(&name);
    let cleanup = async move {
        let _ = sqlx::query(sqlx::AssertSqlSafe(format!(
            "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
        )))
        .execute(&mut conn)
        .await;
    };
    (url.to_string(), cleanup)
}

fn batch() -> Vec<Value> {
    let path = format!(
        "{}/tests/data/import/users.jsonl",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|line| {
            let mut row: Value = serde_json::from_str(line).unwrap();
            row.as_object_mut().unwrap().remove("expect");
            row
        })
        .collect()
}

async fn run(url: &str, label: &str, argon2_floor: Argon2Floor) {
    println!("\n== {label}");
    let dir = tempfile::tempdir().unwrap();
    let pat = dir.path().join("pat");
    let settings: HashMap<&str, String> = HashMap::from([
        ("ROSTER_DATABASE_URL", url.to_owned()),
        (
            "ROSTER_ADMIN_PASSWORD",
            "Quiet-orchard-lantern-19".to_owned(),
        ),
        ("ROSTER_BOOTSTRAP_PAT_PATH", pat.display().to_string()),
        ("ROSTER_BOOTSTRAP_PAT_ROLE", "IAM_OWNER".to_owned()),
        (
            "ROSTER_OUTBOX_DIR",
            dir.path().join("outbox").display().to_string(),
        ),
        ("ROSTER_SECRET_KEY", "11".repeat(32)),
        ("ROSTER_DB_MAX_CONNECTIONS", "20".to_owned()),
        ("ROSTER_OUTBOX_WORKER", "false".to_owned()),
    ]);
    let config = Config::from_lookup(|name| settings.get(name).cloned()).unwrap();
    let roster = server::build_app(config).await.unwrap();
    let token = std::fs::read_to_string(&pat).unwrap().trim().to_owned();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let router = roster.router.clone();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(CONCURRENCY)
        .build()
        .unwrap();

    let rows = batch();
    let (with_password, without): (Vec<Value>, Vec<Value>) = rows.into_iter().partition(|row| {
        row.get("password")
            .and_then(Value::as_str)
            .is_some_and(|p| !p.is_empty())
    });
    let (ids_a, rate_plain) = import_all(&client, &base, &token, with_password.clone()).await;
    let (ids_b, rate_other) = import_all(&client, &base, &token, without.clone()).await;
    let floors = sql_floors(roster.services.db()).await;
    println!(
        "import, rows with a plain password: {:>8.1} users/s ({} rows)   floor {:>8.1} hashes/s on all cores ({:.1} per core)",
        rate_plain,
        with_password.len(),
        argon2_floor.all_cores,
        argon2_floor.per_core
    );
    println!(
        "import, all other rows:             {:>8.1} users/s ({} rows)   floor {:>8.1} bare inserts/s",
        rate_other,
        without.len(),
        floors.inserts
    );
    let ids: Vec<String> = ids_a.into_iter().chain(ids_b).collect();
    let reads = read_profiles(&client, &base, &token, &ids).await;
    println!(
        "profile reads (GET /profile):       {:>8.1} reads/s ({READS} reads)    floor {:>8.1} bare selects/s",
        reads, floors.selects
    );
    list_at_scale(&roster, &token).await;
    roster.services.db().close().await;
}

/// Imports rows with `CONCURRENCY` requests in flight; returns the new ids and users/s.
async fn import_all(
    client: &reqwest::Client,
    base: &str,
    token: &str,
    rows: Vec<Value>,
) -> (Vec<String>, f64) {
    let permits = Arc::new(Semaphore::new(CONCURRENCY));
    let started = Instant::now();
    let mut handles = Vec::new();
    for row in rows {
        let permit = permits.clone().acquire_owned().await.unwrap();
        let (client, url, token) = (
            client.clone(),
            format!("{base}/management/v1/users/human/_import"),
            token.to_owned(),
        );
        handles.push(tokio::spawn(async move {
            let response = client
                .post(url)
                .bearer_auth(token)
                .json(&row)
                .send()
                .await
                .unwrap();
            let body: Value = response.json().await.unwrap();
            drop(permit);
            body.get("userId")
                .and_then(Value::as_str)
                .map(str::to_owned)
        }));
    }
    let mut ids = Vec::new();
    let mut total = 0;
    for handle in handles {
        total += 1;
        if let Some(id) = handle.await.unwrap() {
            ids.push(id);
        }
    }
    let rate = total as f64 / started.elapsed().as_secs_f64();
    (ids, rate)
}

async fn read_profiles(client: &reqwest::Client, base: &str, token: &str, ids: &[String]) -> f64 {
    let permits = Arc::new(Semaphore::new(CONCURRENCY));
    let started = Instant::now();
    let mut handles = Vec::new();
    for index in 0..READS {
        let permit = permits.clone().acquire_owned().await.unwrap();
        let url = format!(
            "{base}/management/v1/users/{}/profile",
            ids[index % ids.len()]
        );
        let (client, token) = (client.clone(), token.to_owned());
        handles.push(tokio::spawn(async move {
            let response = client.get(url).bearer_auth(token).send().await.unwrap();
            assert!(response.status().is_success());
            response.bytes().await.unwrap();
            drop(permit);
        }));
    }
    for handle in handles {
        handle.await.unwrap();
    }
    READS as f64 / started.elapsed().as_secs_f64()
}

struct Floors {
    inserts: f64,
    selects: f64,
}

/// Bare sqlx on the same database and pool: one committed insert per row, and primary-key
/// selects, with the same concurrency as the HTTP runs.
async fn sql_floors(db: &Db) -> Floors {
    const ROWS: usize = 2_000;
    {
        let mut tx = db.begin().await.unwrap();
        server::run!(tx.exec(), |conn| sqlx::query(
            "CREATE TABLE bench_floor (id TEXT PRIMARY KEY, payload TEXT NOT NULL)"
        )
        .execute(conn)
        .await
        .unwrap()
        .rows_affected());
        tx.commit().await.unwrap();
    }
    let payload = "x".repeat(400);
    let permits = Arc::new(Semaphore::new(CONCURRENCY));
    let started = Instant::now();
    let mut handles = Vec::new();
    for index in 0..ROWS {
        let permit = permits.clone().acquire_owned().await.unwrap();
        let (db, payload) = (db.clone(), payload.clone());
        handles.push(tokio::spawn(async move {
            let mut tx = db.begin().await.unwrap();
            server::run!(tx.exec(), |conn| sqlx::query(
                "INSERT INTO bench_floor (id, payload) VALUES ($1, $2)"
            )
            .bind(index.to_string())
            .bind(&payload)
            .execute(conn)
            .await
            .unwrap()
            .rows_affected());
            tx.commit().await.unwrap();
            drop(permit);
        }));
    }
    for handle in handles {
        handle.await.unwrap();
    }
    let inserts = ROWS as f64 / started.elapsed().as_secs_f64();
    let started = Instant::now();
    let mut handles = Vec::new();
    for index in 0..READS {
        let permit = permits.clone().acquire_owned().await.unwrap();
        let db = db.clone();
        handles.push(tokio::spawn(async move {
            let mut conn = db.conn().await.unwrap();
            let _: (String,) = server::run!(conn.exec(), |conn| sqlx::query_as(
                "SELECT payload FROM bench_floor WHERE id = $1"
            )
            .bind((index % ROWS).to_string())
            .fetch_one(conn)
            .await
            .unwrap());
            drop(permit);
        }));
    }
    for handle in handles {
        handle.await.unwrap();
    }
    let selects = READS as f64 / started.elapsed().as_secs_f64();
    Floors { inserts, selects }
}

/// Fills the database to 100,000 humans and times the admin list: first page, a page deep in
/// the list, and prefix searches.
async fn list_at_scale(roster: &server::Roster, token: &str) {
    let services = &roster.services;
    let db = services.db();
    let org = services.default_org().await.unwrap();
    let existing = {
        let mut conn = db.conn().await.unwrap();
        server::store::users::count(conn.exec(), &Default::default(), i64::MAX)
            .await
            .unwrap()
    };
    let started = Instant::now();
    let mut tx = db.begin().await.unwrap();
    let names = [
        "anna", "bert", "carla", "dmitri", "emma", "farid", "greta", "hiro", "ines", "jonas",
    ];
    for index in existing as usize..LIST_USERS {
        let first = names[index % names.len()];
        let username = format!("{first}.{index:06}");
        let email = format!("{username}@example.com");
        let last = format!("Family{:05}", index % 50_000);
        let display = format!("{first} {last}");
        server::store::users::insert(
            tx.exec(),
            &server::store::users::NewUser {
                id: &format!("9{index:017}"),
                org_id: org.as_str(),
                kind: "human",
                username: &username,
                username_key: &username,
                // Every tenth user has not activated the account yet (state filter).
                state: if index % 10 == 0 { 6 } else { 1 },
                first_name: first,
                last_name: &last,
                nick_name: "",
                display_name: &display,
                preferred_language: "und",
                gender: 0,
                email: &email,
                email_key: &email,
                email_verified: true,
                phone: None,
                phone_verified: false,
                password_hash: None,
                password_change_required: false,
                sequence: 1,
                created_at: index as i64,
            },
        )
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
    if let Db::Postgres(pool) = db {
        sqlx::query("ANALYZE users").execute(pool).await.unwrap();
    }
    println!(
        "seeded {LIST_USERS} users for the list in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let owner = Actor::Service(services.resolve_bearer(token).await.unwrap().unwrap());
    let time = |search: &'static str,
                sort: UserSort,
                descending: bool,
                state: Option<UserState>,
                after: Option<String>| {
        let owner = owner.clone();
        async move {
            let query = UserListQuery {
                search: search.to_owned(),
                after,
                limit: 50,
                sort,
                descending,
                state,
            };
            let mut best = Duration::MAX;
            let mut page = None;
            for _ in 0..5 {
                let started = Instant::now();
                page = Some(services.list_humans(&owner, &query).await.unwrap());
                best = best.min(started.elapsed());
            }
            (best, page.unwrap())
        }
    };
    let text_cursor = |key: &str| {
        Some(
            ListCursor {
                key: CursorKey::Text(key.to_owned()),
                tie: String::new(),
            }
            .encode(),
        )
    };
    let by_name = UserSort::Username;
    let (first, page) = time("", by_name, false, None, None).await;
    println!(
        "list, first page of 50 ({} total, capped):    {:>7.2} ms",
        page.total,
        first.as_secs_f64() * 1e3
    );
    let (deep, _) = time("", by_name, false, None, text_cursor("jonas.099000")).await;
    println!(
        "list, page after 99,000 users:                 {:>7.2} ms",
        deep.as_secs_f64() * 1e3
    );
    let (narrow, page) = time("greta.0420", by_name, false, None, None).await;
    println!(
        "list, search \"greta.0420\" ({} matches):        {:>7.2} ms",
        page.total,
        narrow.as_secs_f64() * 1e3
    );
    let (broad, page) = time("family1", by_name, false, None, None).await;
    println!(
        "list, search \"family1\" ({} matches):       {:>7.2} ms",
        page.total,
        broad.as_secs_f64() * 1e3
    );
    let (display, _) = time(
        "",
        UserSort::DisplayName,
        true,
        None,
        text_cursor("emma family2"),
    )
    .await;
    println!(
        "list, by display name descending, deep page:  {:>7.2} ms",
        display.as_secs_f64() * 1e3
    );
    let (created, _) = time("", UserSort::Created, true, None, None).await;
    println!(
        "list, newest first:                            {:>7.2} ms",
        created.as_secs_f64() * 1e3
    );
    let (initial, page) = time("", by_name, false, Some(UserState::Initial), None).await;
    println!(
        "list, state filter \"not activated\" ({} users):{:>7.2} ms",
        page.total,
        initial.as_secs_f64() * 1e3
    );
    let (sorted_state, _) = time("", UserSort::State, false, None, None).await;
    println!(
        "list, sorted by state:                         {:>7.2} ms",
        sorted_state.as_secs_f64() * 1e3
    );
}
