//! Real protocol peers for delivery tests: a small SMTP server speaking the protocol over TCP,
//! and an HTTP webhook, both recording what they receive.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

/// One mail as the SMTP server received it.
#[derive(Clone, Debug)]
pub struct ReceivedMail {
    pub from: String,
    pub to: Vec<String>,
    pub data: String,
}

/// An SMTP server on 127.0.0.1 (no TLS, no auth): EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT.
pub struct SmtpServer {
    pub port: u16,
    pub mails: Arc<Mutex<Vec<ReceivedMail>>>,
    task: JoinHandle<()>,
}

impl SmtpServer {
    /// Starts on a free port.
    pub async fn start() -> SmtpServer {
        SmtpServer::start_on(0).await
    }

    /// Starts on `port` (e.g. after a "provider outage").
    pub async fn start_on(port: u16) -> SmtpServer {
        let listener = TcpListener::bind(("127.0.0.1", port)).await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let mails = Arc::new(Mutex::new(Vec::new()));
        let store = mails.clone();
        let task = tokio::spawn(async move {
            loop {
                let Ok((socket, _)) = listener.accept().await else {
                    return;
                };
                let store = store.clone();
                tokio::spawn(async move {
                    let _ = session(socket, store).await;
                });
            }
        });
        SmtpServer { port, mails, task }
    }

    pub fn received(&self) -> Vec<ReceivedMail> {
        self.mails.lock().unwrap().clone()
    }

    /// Stops listening (connections are refused afterwards).
    pub fn stop(self) {
        self.task.abort();
    }
}

async fn session(
    socket: tokio::net::TcpStream,
    store: Arc<Mutex<Vec<ReceivedMail>>>,
) -> std::io::Result<()> {
    let (read, mut write) = socket.into_split();
    let mut lines = BufReader::new(read);
    write.write_all(b"220 localhost test SMTP\r\n").await?;
    let (mut from, mut to) = (String::new(), Vec::new());
    let mut line = String::new();
    loop {
        line.clear();
        if lines.read_line(&mut line).await? == 0 {
            return Ok(());
        }
        let command = line.trim_end().to_owned();
        let upper = command.to_ascii_uppercase();
        if upper.starts_with("EHLO") {
            write
                .write_all(b"250-localhost\r\n250 8BITMIME\r\n")
                .await?;
        } else if upper.starts_with("HELO") || upper.starts_with("NOOP") {
            write.write_all(b"250 OK\r\n").await?;
        } else if upper.starts_with("MAIL FROM:") {
            from = command[10..].trim().to_owned();
            to.clear();
            write.write_all(b"250 OK\r\n").await?;
        } else if upper.starts_with("RCPT TO:") {
            to.push(command[8..].trim().to_owned());
            write.write_all(b"250 OK\r\n").await?;
        } else if upper == "DATA" {
            write
                .write_all(b"354 End data with <CR><LF>.<CR><LF>\r\n")
                .await?;
            let mut data = String::new();
            loop {
                line.clear();
                if lines.read_line(&mut line).await? == 0 {
                    return Ok(());
                }
                if line == ".\r\n" || line == ".\n" {
                    break;
                }
                data.push_str(line.strip_prefix('.').unwrap_or(&line));
            }
            store.lock().unwrap().push(ReceivedMail {
                from: from.clone(),
                to: to.clone(),
                data,
            });
            write.write_all(b"250 OK queued\r\n").await?;
        } else if upper == "RSET" {
            write.write_all(b"250 OK\r\n").await?;
        } else if upper == "QUIT" {
            write.write_all(b"221 Bye\r\n").await?;
            return Ok(());
        } else {
            write.write_all(b"502 Command not implemented\r\n").await?;
        }
    }
}

/// One webhook call.
#[derive(Clone, Debug)]
pub struct ReceivedSms {
    pub authorization: Option<String>,
    pub body: serde_json::Value,
}

/// An HTTP server taking `POST /sms`; answers `status` (200 unless told otherwise).
pub struct WebhookServer {
    pub url: String,
    pub calls: Arc<Mutex<Vec<ReceivedSms>>>,
    pub status: Arc<Mutex<u16>>,
}

impl WebhookServer {
    pub async fn start() -> WebhookServer {
        use axum::extract::State;
        use axum::http::{HeaderMap, StatusCode};
        use axum::routing::post;
        type Shared = (Arc<Mutex<Vec<ReceivedSms>>>, Arc<Mutex<u16>>);
        let calls = Arc::new(Mutex::new(Vec::new()));
        let status = Arc::new(Mutex::new(200_u16));
        let app = axum::Router::new()
            .route(
                "/sms",
                post(
                    |State((calls, status)): State<Shared>,
                     headers: HeaderMap,
                     body: axum::Json<serde_json::Value>| async move {
                        calls.lock().unwrap().push(ReceivedSms {
                            authorization: headers
                                .get("authorization")
                                .and_then(|value| value.to_str().ok())
                                .map(str::to_owned),
                            body: body.0,
                        });
                        StatusCode::from_u16(*status.lock().unwrap()).unwrap()
                    },
                ),
            )
            .with_state((calls.clone(), status.clone()));
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address: SocketAddr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        WebhookServer {
            url: format!("http://{address}/sms"),
            calls,
            status,
        }
    }

    pub fn received(&self) -> Vec<ReceivedSms> {
        self.calls.lock().unwrap().clone()
    }
}

/// A port on 127.0.0.1 for a provider that is down: bound but not listening, so connections
/// are refused at once, and no other test's server can take the port meanwhile (a freed port
/// taken by an HTTP server would make every SMTP attempt wait for its timeout).
pub struct DownPort {
    pub port: u16,
    socket: tokio::net::TcpSocket,
}

impl DownPort {
    pub fn new() -> DownPort {
        let socket = tokio::net::TcpSocket::new_v4().unwrap();
        socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
        let port = socket.local_addr().unwrap().port();
        DownPort { port, socket }
    }

    /// Frees the port, for the provider to come back on it.
    pub fn release(self) -> u16 {
        drop(self.socket);
        self.port
    }
}
