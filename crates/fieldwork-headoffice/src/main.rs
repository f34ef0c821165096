//! `fieldwork-headoffice`: run the head-office server and manage its users and devices.

use std::io::Read;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use fieldwork_headoffice::config::{BlobLocation, Config, DatabaseLocation, RateLimit};
use fieldwork_headoffice::console::Console;
use fieldwork_headoffice::error::{Error, Result};
use fieldwork_headoffice::moveup;
use fieldwork_headoffice::secrets::hash_password;
use fieldwork_headoffice::store::{NewUser, UserRole};

#[derive(Debug, Parser)]
#[command(name = "fieldwork-headoffice", version, about = "Fieldwork head office server")]
struct Cli {
    /// Folder holding the database and the blobs.
    #[arg(
        long,
        env = "FIELDWORK_HEADOFFICE_DIR",
        default_value = "headoffice-data",
        global = true
    )]
    data_dir: PathBuf,
    /// Where photos and signatures are kept: s3://bucket[/prefix] for an S3-compatible bucket
    /// (endpoint, region and credentials from AWS_ENDPOINT_URL, AWS_REGION, AWS_ACCESS_KEY_ID,
    /// AWS_SECRET_ACCESS_KEY; AWS_ALLOW_HTTP=true for a plain-HTTP endpoint). Default: the data
    /// folder.
    #[arg(long, env = "FIELDWORK_HEADOFFICE_BLOBS", global = true, value_name = "S3_URL")]
    blobs: Option<BlobLocation>,
    /// The database: postgres://user[:password]@host[:port]/dbname for PostgreSQL (several
    /// instances may share it). Default: headoffice.db (SQLite) in the data folder.
    #[arg(long, env = "FIELDWORK_HEADOFFICE_DATABASE", global = true, value_name = "URL")]
    database: Option<DatabaseLocation>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the sync and dispatcher API.
    Serve {
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: SocketAddr,
        /// PEM certificate chain: serve HTTPS (with --tls-key).
        #[arg(long, requires = "tls_key")]
        tls_cert: Option<PathBuf>,
        /// PEM private key for --tls-cert.
        #[arg(long, requires = "tls_cert")]
        tls_key: Option<PathBuf>,
        /// Mark session cookies Secure although head office serves plain HTTP (a TLS proxy is in front).
        #[arg(long)]
        behind_tls_proxy: bool,
        /// A load balancer or proxy (an IP address or a CIDR network; repeat, or separate with
        /// commas) whose X-Forwarded-For names the client: rate limits and sign-in throttling
        /// then count the client's address, not the proxy's. From any other peer the header is
        /// ignored; none is trusted by default.
        #[arg(long = "trusted-proxy", env = "FIELDWORK_HEADOFFICE_TRUSTED_PROXIES",
              value_delimiter = ',', value_name = "IP_OR_CIDR",
              value_parser = fieldwork_headoffice::config::parse_trusted_proxy)]
        trusted_proxies: Vec<ipnet::IpNet>,
        /// Requests a second each caller (device, signed-in user, or address when anonymous)
        /// may make to this instance before `429 rate_limited`. Each instance counts on its own:
        /// behind a load balancer spreading over N instances a caller may reach N times this.
        #[arg(long, env = "FIELDWORK_HEADOFFICE_RATE_LIMIT", default_value_t = 100.0,
              value_parser = parse_rate, value_name = "PER_SECOND")]
        rate_limit: f64,
        /// How many requests one caller may make at once before the rate applies.
        #[arg(long, env = "FIELDWORK_HEADOFFICE_RATE_BURST", default_value_t = 200,
              value_parser = clap::value_parser!(u32).range(1..), value_name = "REQUESTS")]
        rate_burst: u32,
        /// Log as JSON lines.
        #[arg(long)]
        json_logs: bool,
        /// The built dispatcher console (`make ui-build` writes ui/dist-dispatch), served at `/`.
        /// When the folder has no index.html only the API is served.
        #[arg(long, env = "FIELDWORK_UI_DIR", default_value = "ui/dist-dispatch")]
        ui_dir: PathBuf,
    },
    /// Manage users.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Manage signed-in devices.
    Device {
        #[command(subcommand)]
        command: DeviceCommand,
    },
    /// Fill an empty head office with demo users, customers and jobs.
    Seed {
        #[arg(long, required = true)]
        demo: bool,
        /// How many jobs.
        #[arg(long, default_value_t = 30)]
        jobs: usize,
    },
    /// Copy the embedded store (the data folder's SQLite database and blob folder) into an
    /// empty PostgreSQL database and a bucket, then compare the counts. Stop head office first.
    Move {
        /// The empty PostgreSQL database to move into: postgres://user[:password]@host[:port]/dbname.
        #[arg(long, value_name = "URL")]
        to_database: String,
        /// The bucket to copy the blobs into: s3://bucket[/prefix] (AWS_* variables as for
        /// --blobs). Without it the blobs stay in the data folder.
        #[arg(long, value_name = "S3_URL")]
        to_blobs: Option<BlobLocation>,
    },
    /// Back up the embedded SQLite database to a new file (SQLite's online backup: safe while
    /// head office serves). Back up the blob folder after it.
    Backup {
        /// The backup file to write (must not exist).
        #[arg(long, value_name = "FILE")]
        to: PathBuf,
    },
    /// Check the store: rows per table, SQLite's integrity and foreign keys, and that every
    /// recorded blob is in the blob store. Exits non-zero on a problem.
    Check,
}

#[derive(Debug, Subcommand)]
enum UserCommand {
    /// Add a user; the password is read from standard input.
    Add {
        name: String,
        #[arg(long, value_parser = ["technician", "dispatcher", "admin"])]
        role: String,
        #[arg(long, required = true)]
        password_stdin: bool,
    },
    /// List users.
    List,
}

#[derive(Debug, Subcommand)]
enum DeviceCommand {
    /// List devices with their last sync and whether they are revoked.
    List,
    /// Revoke a device by id or name: its next contact is refused and it wipes its data.
    Revoke { device: String },
}

/// A request rate: a positive, finite number of requests a second.
fn parse_rate(s: &str) -> std::result::Result<f64, String> {
    match s.parse::<f64>() {
        Ok(r) if r.is_finite() && r > 0.0 => Ok(r),
        _ => Err(format!("`{s}` is not a positive number of requests a second")),
    }
}

fn init_logs(json: bool) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,tower_http=info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_writer(std::io::stderr);
    if json {
        builder.json().init();
    } else {
        builder.init();
    }
}

#[allow(clippy::print_stdout)]
async fn run(cli: Cli) -> Result<()> {
    let mut config = Config::new(&cli.data_dir);
    config.blobs = cli.blobs.unwrap_or_default();
    config.database = cli.database.unwrap_or_default();
    match cli.command {
        Command::Serve {
            listen,
            tls_cert,
            tls_key,
            behind_tls_proxy,
            trusted_proxies,
            rate_limit,
            rate_burst,
            json_logs,
            ui_dir,
        } => {
            init_logs(json_logs);
            config.rate_limit = RateLimit { burst: rate_burst, per_second: rate_limit };
            config.secure_cookies = behind_tls_proxy || tls_cert.is_some();
            config.trusted_proxies = trusted_proxies;
            let state = fieldwork_headoffice::open(config).await?;
            fieldwork_headoffice::seed::catalogues(state.store.as_ref()).await?;
            let console = match Console::open(&ui_dir) {
                Ok(c) => {
                    tracing::info!(dir = %c.root().display(), "serving the dispatcher console at /");
                    Some(std::sync::Arc::new(c))
                }
                Err(e) => {
                    tracing::warn!(error = %e, "no dispatcher console: serving the API only");
                    None
                }
            };

            match (tls_cert, tls_key) {
                (Some(cert), Some(key)) => {
                    let listener = std::net::TcpListener::bind(listen)?;
                    tracing::info!(listen = %listener.local_addr()?, "head office listening (https)");
                    fieldwork_headoffice::serve_tls_app(
                        listener,
                        state,
                        console,
                        &cert,
                        &key,
                        fieldwork_headoffice::shutdown_signal(),
                    )
                    .await?;
                }
                _ => {
                    let listener = tokio::net::TcpListener::bind(listen).await?;
                    tracing::info!(listen = %listener.local_addr()?, "head office listening (http)");
                    fieldwork_headoffice::serve_app(
                        listener,
                        state,
                        console,
                        fieldwork_headoffice::shutdown_signal(),
                    )
                    .await?;
                }
            }
            tracing::info!("stopped");
        }
        Command::User { command: UserCommand::Add { name, role, password_stdin: _ } } => {
            let role = UserRole::parse(&role)?;
            let mut password = String::new();
            std::io::stdin().read_to_string(&mut password)?;
            let password = password.trim_end_matches(['\r', '\n']).to_owned();
            if password.chars().count() < 8 {
                return Err(Error::invalid("a password has at least 8 characters"));
            }
            let state = fieldwork_headoffice::open(config).await?;
            let cost = state.config.password_cost;
            let password_hash =
                tokio::task::spawn_blocking(move || hash_password(&password, cost)).await??;
            let user = state
                .store
                .add_user(NewUser { name, role, password_hash, technician: None })
                .await?;
            println!("added {} {} ({})", user.role.as_str(), user.name, user.id);
        }
        Command::User { command: UserCommand::List } => {
            let state = fieldwork_headoffice::open(config).await?;
            for u in state.store.list_users().await? {
                println!("{}\t{}\t{}", u.id, u.role.as_str(), u.name);
            }
        }
        Command::Device { command: DeviceCommand::List } => {
            let state = fieldwork_headoffice::open(config).await?;
            println!("id\tname\tuser\tlast_seen\tlast_applied_seq\tstatus");
            for d in state.store.list_devices().await? {
                println!(
                    "{}\t{}\t{}\t{}\t{}\t{}",
                    d.id,
                    d.name,
                    d.user_name,
                    d.last_seen_at.map(|t| t.to_rfc3339()).unwrap_or_else(|| "never".into()),
                    d.last_applied_seq,
                    if d.revoked_at.is_some() { "revoked" } else { "active" }
                );
            }
        }
        Command::Device { command: DeviceCommand::Revoke { device } } => {
            let state = fieldwork_headoffice::open(config).await?;
            let d = state.store.revoke_device(&device).await?;
            println!("revoked {} ({}) of {}", d.name, d.id, d.user_name);
        }
        Command::Seed { demo: _, jobs } => {
            let state = fieldwork_headoffice::open(config).await?;
            let s = fieldwork_headoffice::seed::demo(
                state.store.as_ref(),
                state.config.password_cost,
                jobs,
            )
            .await?;
            println!("seeded {} users, {} customers, {} jobs", s.users, s.customers, s.jobs);
            println!("demo accounts (user / password / role):");
            for (user, password, role) in fieldwork_headoffice::seed::DEMO_ACCOUNTS {
                println!("  {user} / {password} / {}", role.as_str());
            }
        }
        Command::Move { to_database, to_blobs } => {
            if config.database != DatabaseLocation::DataDir || config.blobs != BlobLocation::DataDir
            {
                return Err(Error::invalid(
                    "move copies the embedded store of --data-dir: leave --database and --blobs \
                     out, and name the target with --to-database and --to-blobs",
                ));
            }
            if !matches!(
                to_database.parse::<DatabaseLocation>(),
                Ok(DatabaseLocation::Postgres { .. })
            ) {
                return Err(Error::invalid(
                    "--to-database: expected postgres://user@host:port/dbname",
                ));
            }
            let options =
                moveup::MoveOptions { data_dir: cli.data_dir.clone(), to_database, to_blobs };
            let progress: moveup::Progress =
                std::sync::Arc::new(|line: &str| eprintln!("move: {line}"));
            let report = moveup::move_up(&options, progress).await?;
            print!("{}", report.render());
            if !report.matches() {
                return Err(Error::Internal("the counts differ after the move (see above)".into()));
            }
            println!("moved: every count matches");
        }
        Command::Backup { to } => {
            if config.database != DatabaseLocation::DataDir {
                return Err(Error::invalid(
                    "backup copies the embedded SQLite database; back up PostgreSQL with pg_dump",
                ));
            }
            let from = config.db_path();
            let target = to.clone();
            let counts = tokio::task::spawn_blocking(move || moveup::backup_sqlite(&from, &target))
                .await??;
            for (table, n) in &counts {
                println!("{table}\t{n}");
            }
            println!("backed up to {}", to.display());
        }
        Command::Check => {
            let report = moveup::check(&config).await?;
            print!("{}", report.render());
            if !report.ok() {
                return Err(Error::Internal("the store check found problems (see above)".into()));
            }
        }
    }
    Ok(())
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("fieldwork-headoffice: cannot start: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("fieldwork-headoffice: {} ({})", e, e.code());
            ExitCode::FAILURE
        }
    }
}
