//! Roster's binary: read settings, start logging, build the app, serve it and run the outbox
//! worker until Ctrl-C or SIGTERM.

use anyhow::Context as _;
use server::config::{Config, LogFormat};
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let config = Config::from_env().context("reading ROSTER_* settings")?;
    init_tracing(&config);
    tracing::info!(listen = %config.listen, public_url = %config.public_url, database = config.database_url.split(':').next().unwrap_or_default(), "starting Roster");

    let roster = server::build_app(config.clone()).await?;
    if config.run_outbox_worker {
        tokio::spawn(roster.worker.clone().run());
    }
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .with_context(|| format!("listening on {} (ROSTER_LISTEN)", config.listen))?;

    // Start-up output for the person who ran the command: where to go and how to sign in.
    #[allow(clippy::print_stdout)]
    {
        println!();
        println!("  Roster is running at {}", config.public_origin());
        if let Some(password) = &roster.bootstrap.generated_password {
            println!(
                "  First admin: username {:?}, one-time password {:?} (shown only now; you choose a new one at first sign-in)",
                roster.bootstrap.admin_username, password
            );
        } else if roster.bootstrap.created {
            println!(
                "  First admin: username {:?} with the password from ROSTER_ADMIN_PASSWORD",
                roster.bootstrap.admin_username
            );
        }
        if let Some(path) = &roster.bootstrap.pat_written_to {
            println!("  Service account token written to {}", path.display());
        }
        println!();
    }

    axum::serve(listener, roster.router)
        .with_graceful_shutdown(shutdown_signal())
        .await
        .context("serving HTTP")?;
    roster.services.db().close().await;
    Ok(())
}

fn init_tracing(config: &Config) {
    let filter = EnvFilter::try_new(&config.log_filter).unwrap_or_else(|_| EnvFilter::new("info"));
    // Logs go to stderr; stdout carries only the start-up banner for the person at the console.
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match config.log_format {
        LogFormat::Json => builder.json().init(),
        LogFormat::Text => builder.init(),
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
    tracing::info!("shutting down");
}
