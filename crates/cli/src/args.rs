//! Command-line arguments. Every setting can also come from a `SCORELEDGER_…` variable.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Scoreledger: an audit trail for a council's performance scorecard that nobody can
/// quietly rewrite. Every value, target, assessment, data note and publication is an
/// immutable event; reports are rebuilt exactly as they were published.
///
/// Start with `scoreledger demo` to load the 2016/17 Corporate Plan sample and see the
/// Quarter 3 report, a restatement and a measure's history.
#[derive(Debug, Parser)]
#[command(
    name = "scoreledger",
    version,
    propagate_version = true,
    max_term_width = 100
)]
pub struct Cli {
    /// A TOML file with any of the settings below (db, store, nats_stream, nats_prefix, user,
    /// name, role, councils, council). Flags and environment variables override it.
    #[arg(long, global = true, env = "SCORELEDGER_CONFIG")]
    pub config: Option<PathBuf>,

    /// The database holding the read models (and, unless --store says otherwise, the log):
    /// a file path or sqlite:PATH. Created on first use.
    // Values from the environment stay out of --help: a URL may carry a password.
    #[arg(
        long,
        global = true,
        env = "SCORELEDGER_DB",
        hide_env_values = true,
        default_value = "scoreledger.db"
    )]
    pub db: String,

    /// Where the event log lives: sqlite:PATH, or nats://HOST:PORT for a NATS JetStream
    /// server (production; nats://USER:PASSWORD@HOST:PORT with a login, never shown with its
    /// password; a cluster's servers separated by commas, nats://n1:4222,nats://n2:4222;
    /// tls://HOST:PORT for TLS). Default: the --db file.
    // Values from the environment stay out of --help: a URL may carry a password.
    #[arg(long, global = true, env = "SCORELEDGER_STORE", hide_env_values = true)]
    pub store: Option<String>,

    /// JetStream stream holding the log (with --store nats://…).
    #[arg(
        long,
        global = true,
        env = "SCORELEDGER_NATS_STREAM",
        default_value = "SCORELEDGER"
    )]
    pub nats_stream: String,

    /// Subject prefix of the log: commits go to <prefix>.<kind>.<id> (with --store nats://…).
    #[arg(
        long,
        global = true,
        env = "SCORELEDGER_NATS_PREFIX",
        default_value = "scoreledger"
    )]
    pub nats_prefix: String,

    /// Replicas of the log's stream (with --store nats://…): 1 on a single server, 3 on a
    /// three-node cluster (nats-server 2.12.3 or later). An existing stream with another count
    /// is refused, naming both; change it with `nats stream edit` as the admin user.
    #[arg(
        long,
        global = true,
        env = "SCORELEDGER_NATS_REPLICAS",
        default_value_t = 1,
        value_parser = clap::value_parser!(u8).range(1..=5)
    )]
    pub nats_replicas: u8,

    /// A NATS .creds file (a user JWT and its nkey seed, as nsc writes it) to log in with,
    /// instead of a user and password in the --store URL.
    #[arg(long, global = true, env = "SCORELEDGER_NATS_CREDS")]
    pub nats_creds: Option<PathBuf>,

    /// A file holding a NATS user's nkey seed (one line, SU…) to log in with, for servers
    /// that list the user's public key.
    #[arg(long, global = true, env = "SCORELEDGER_NATS_NKEY")]
    pub nats_nkey: Option<PathBuf>,

    /// A PEM file of the certificate authorities to trust for the NATS servers' certificates
    /// (otherwise the system's). Requires TLS, as a tls://HOST:PORT URL does.
    #[arg(long, global = true, env = "SCORELEDGER_NATS_TLS_CA")]
    pub nats_tls_ca: Option<PathBuf>,

    /// A client certificate (PEM) for NATS servers that verify clients; with --nats-tls-key.
    #[arg(
        long,
        global = true,
        env = "SCORELEDGER_NATS_TLS_CERT",
        requires = "nats_tls_key"
    )]
    pub nats_tls_cert: Option<PathBuf>,

    /// The private key (PEM) of --nats-tls-cert.
    #[arg(
        long,
        global = true,
        env = "SCORELEDGER_NATS_TLS_KEY",
        requires = "nats_tls_cert"
    )]
    pub nats_tls_key: Option<PathBuf>,

    /// Who you are: a user id recorded on every change you make.
    #[arg(
        long = "user",
        global = true,
        env = "SCORELEDGER_USER",
        default_value = "operator"
    )]
    pub user: String,

    /// Your name as it should appear in the history view (defaults to the user id).
    #[arg(long = "name", global = true, env = "SCORELEDGER_NAME")]
    pub name: Option<String>,

    /// The role you act in. officer: enter values and data notes; performance: also define
    /// measures, set targets, assess, lock periods and publish; approver: sign off; auditor:
    /// read everything, change nothing; admin: everything, and API tokens.
    #[arg(
        long = "role",
        global = true,
        env = "SCORELEDGER_ROLE",
        default_value = "performance"
    )]
    pub role: String,

    /// Act as a client of a running Scoreledger service at this address (e.g.
    /// https://scoreledger.example.org) instead of opening the database: reports, history,
    /// measures and the changes that have an API route go over HTTP with your bearer token,
    /// whose user and role act (so --role cannot be given with it).
    #[arg(long, global = true, env = "SCORELEDGER_SERVER")]
    pub server: Option<String>,

    /// A file holding your bearer token, for --server (otherwise SCORELEDGER_TOKEN).
    #[arg(long, global = true, env = "SCORELEDGER_TOKEN_FILE")]
    pub token_file: Option<PathBuf>,

    /// The log's private signing key (a file only its owner can read, as `keys generate`
    /// writes it). Default: SCORELEDGER_SIGNING_KEY holding the key itself, or, for an
    /// embedded log, the .key file beside it (scoreledger.db → scoreledger.key). Needed to
    /// write to a log that signs its commits.
    #[arg(long, global = true, env = "SCORELEDGER_SIGNING_KEY_FILE")]
    pub signing_key: Option<PathBuf>,

    /// Where signed checkpoints are exported for witnesses and auditors (and checked by
    /// `verify`). Default for an embedded log: the .checkpoints directory beside it.
    #[arg(long, global = true, env = "SCORELEDGER_CHECKPOINTS")]
    pub checkpoints: Option<PathBuf>,

    /// A deployment serving several councils: a TOML file naming each council and where its
    /// log and read models live ([[council]] tables with id, name, db, and optionally
    /// nats_stream, nats_prefix, signing_key, checkpoints). `serve`, `project` and `migrate`
    /// then work on every council; any other command needs --council. The NATS servers and
    /// login above are shared by all; --db, --nats-stream, --nats-prefix, --signing-key and
    /// --checkpoints are each council's, from the file, and refused beside it.
    #[arg(long, global = true, env = "SCORELEDGER_COUNCILS", value_name = "FILE")]
    pub councils: Option<PathBuf>,

    /// The council of the --councils file to work on: its database, stream, subject prefix,
    /// key and checkpoints, as the file gives them; the tokens `token create` makes name it.
    ///
    /// Example: scoreledger --councils councils.toml --council rotherham --role admin token create --for mel.meggs --holder "Mel Meggs" --as officer --directorate CYPS
    #[arg(long, global = true, env = "SCORELEDGER_COUNCIL", value_name = "ID")]
    pub council: Option<String>,

    /// The day the change you are entering was reported, when that was before today: history
    /// typed in from a past pack (the 2010 update reported to the Improvement Panel on 13 July
    /// 2010). The log still records when it was entered; `history --reported-by` and
    /// `audit observations` read either axis. Needs --reported-in.
    ///
    /// Example: scoreledger --reported-on 2010-07-13 --reported-in "Improvement Panel, 13 July
    /// 2010" record value -m "NI 59" -p "2010/11 to 13 Jul 2010" -v 80.16%
    #[arg(long, global = true, value_name = "DAY", requires = "reported_in")]
    pub reported_on: Option<chrono::NaiveDate>,

    /// The document it was reported in: meeting, date, page. Needs --reported-on.
    #[arg(long, global = true, value_name = "DOCUMENT", requires = "reported_on")]
    pub reported_in: Option<String>,

    /// Whether --role was given on the command line (rather than by the environment, the
    /// configuration file or the default): refused with --server.
    #[arg(skip)]
    pub role_on_command_line: bool,

    /// The key file the councils file names for the chosen council: like an embedded log's
    /// key beside it, absent until `keys generate` writes it there.
    #[arg(skip)]
    pub council_key: Option<PathBuf>,

    /// Which of the settings a councils file gives each council were given on the command
    /// line or in the environment (refused with --councils rather than silently replaced).
    #[arg(skip)]
    pub places_given: Vec<&'static str>,

    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Parses the command line, then fills what it left at defaults from the configuration file.
pub fn parse() -> Result<Cli, String> {
    use clap::{CommandFactory, FromArgMatches};
    let matches = Cli::command().get_matches();
    let mut cli = Cli::from_arg_matches(&matches).map_err(|err| err.to_string())?;
    cli.role_on_command_line =
        matches.value_source("role") == Some(clap::parser::ValueSource::CommandLine);
    cli.places_given = [
        "db",
        "nats_stream",
        "nats_prefix",
        "signing_key",
        "checkpoints",
    ]
    .into_iter()
    .filter(|id| {
        matches!(
            matches.value_source(id),
            Some(clap::parser::ValueSource::CommandLine | clap::parser::ValueSource::EnvVariable)
        )
    })
    .collect();
    if let Some(path) = cli.config.clone() {
        let file = crate::config::read(&path)?;
        crate::config::apply(&mut cli, &matches, file);
    }
    Ok(cli)
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Load the 2016/17 sample as a realistic year of history (Q1 and Q2 entered and
    /// published, a value revised with a reason, Q3 published on 13 January 2017) and show
    /// the Q3 report, the Q2 report as published next to Q2 as known now, and one
    /// measure's history. Uses a temporary database unless --db is given explicitly.
    Demo(DemoArgs),
    /// Create (or migrate) the database and report what it holds.
    Init,
    /// Measure a workload on a generated log in a temporary directory, beside the raw rate
    /// of the same store measured in the same run, and print both and their ratio.
    ///
    /// Example: scoreledger bench verify --commits 100000
    ///
    /// Example: scoreledger bench rebuild --commits 100000 --postgres postgres://postgres@127.0.0.1:5432/postgres
    Bench(BenchArgs),
    /// Import a scorecard (plan, priorities, outcomes, measures with their targets,
    /// values, assessments and notes) from JSON or CSV. All or nothing: a malformed row is
    /// reported by row and field and nothing is appended.
    Import(ImportArgs),
    /// Import a period's values, statuses, directions of travel and data notes for measures
    /// already defined, from a filled-in scorecard export (CSV or XLSX, the export's own
    /// columns). Shows every cell first — new, revised, changed, unchanged — and what is
    /// refused; a revised value needs a classification and a reason (columns of the sheet, or
    /// --classification and --reason for the whole file). All or nothing; importing the same
    /// file again appends nothing.
    ///
    /// Example: scoreledger report --period "Q4 2016/17" --format xlsx -o q4.xlsx
    ///
    /// Example: scoreledger import-values q4.xlsx --period "Q4 2016/17" --dry-run
    ImportValues(ImportValuesArgs),
    /// Import an improvement plan's update, as the 2010 Notice to Improve packs print one: a
    /// CSV of key actions (columns objective, key_action, lead, target_date, rag, arrow; the
    /// packs' section, workstream, baseline, targets, commentary and source_lines are read
    /// past). A key action not yet registered is registered and rated; a registered one whose
    /// target date or rating differs is moved or rated again; one that says the same appends
    /// nothing, so the same update twice changes nothing. Give the day and document it was
    /// reported in (--reported-on, --reported-in) and the audits tally it as of that day
    /// (`audit action-rag --reported-by`). All or nothing (--role performance or admin).
    ///
    /// Example: scoreledger --reported-on 2010-05-17 --reported-in "Notice to Improve update,
    /// 17 May 2010" import-actions fixtures/notice_to_improve_2010/actions-2010-05-17.csv
    /// --plan "RMBC Notice to Improve Action Plan"
    ImportActions(ImportActionsArgs),
    /// What each measure still lacks for a period — a value, its sign-off, a data note, its
    /// approval, a status, a direction of travel — by directorate and lead officer, with the
    /// day each is due (days after its period ends) and whether that day has passed.
    ///
    /// Example: scoreledger chase --period "Q4 2016/17" --directorate "Regeneration and Environment"
    ///
    /// Example: scoreledger chase --period "Q4 2016/17" --format csv > chase.csv
    Chase(ChaseArgs),
    /// Carry a plan into the next financial year (--role performance or admin): its
    /// priorities, outcomes and rules, and every measure that still applies when that year
    /// starts, each with its new target from --targets (a CSV with ref and target columns) or
    /// none yet. Measures withdrawn by then stay behind. Running it again appends nothing.
    ///
    /// Example: scoreledger roll-over --to 2017/18 --targets targets-2017-18.csv --dry-run
    RollOver(RollOverArgs),
    /// Record a value, target, status, direction of travel or data note for a measure.
    #[command(subcommand)]
    Record(RecordCommand),
    /// Sign off the current value of a period (maker–checker; --role approver or admin). The
    /// signer must not be whoever recorded or last revised the value; a later revision needs
    /// a new sign-off. `scoreledger measure REF` shows who signed off each value.
    ///
    /// Example: scoreledger --user jo.checker --role approver signoff -m 2.B1 -p "Q2 2016/17"
    Signoff(CheckArgs),
    /// Approve the current data note of a period (maker–checker; --role approver or admin).
    /// The approver must not be the note's author; a later edit needs a new approval.
    ///
    /// Example: scoreledger --user jo.checker --role approver approve-note -m 2.B1 -p "Q2 2016/17"
    ApproveNote(CheckArgs),
    /// Amend a measure's definition (--role performance or admin, with a reason): its text,
    /// action, lead officer, directorate, polarity, frequency or priority-measure flag. Each
    /// field changed is recorded before → after; fields already reading so are left out, and
    /// an amendment that changes nothing is refused. Reports from now on show the new
    /// definition; published reports keep the one they were built with.
    ///
    /// Example: scoreledger amend -m 2.B1 --lead-officer "Jo Smith" --reason "Cabinet reassigned it"
    Amend(AmendArgs),
    /// Withdraw a measure from a period on (--role performance or admin, with a reason):
    /// reports of that period and later leave it out and count their totals without it, and
    /// nothing more is entered for it then; reports published before keep it.
    ///
    /// Example: scoreledger withdraw -m 3.A4 --from "Q3 2016/17" --reason "Cabinet dropped it in the December refresh"
    Withdraw(ApplicabilityArgs),
    /// Reinstate a withdrawn measure from a period on (--role performance or admin, with a
    /// reason): reports of that period and later count it again.
    ///
    /// Example: scoreledger reinstate -m 3.A4 --from "Q1 2017/18" --reason "back in the 2017/18 plan"
    Reinstate(ApplicabilityArgs),
    /// Lock a period (and the months and terms inside it): from now on any change to it needs
    /// the performance team (or an admin) and a reason.
    Lock(LockArgs),
    /// Reopen a locked period, with a reason.
    Reopen(LockArgs),
    /// Publish the report of a period: builds it now, stores its SHA-256 and the log
    /// position it was built at, so it can be rebuilt byte for byte later.
    Publish(PublishArgs),
    /// Performance clinics of off-target measures (--role performance or admin): called for a
    /// day with its chair and the reason, then held with the actions it mandated (owner and
    /// deadline each), or cancelled with a reason. `audit clinics` lists them.
    ///
    /// Example: scoreledger clinic call -m 3.A1 --on 2017-02-13 --chair "Safer Rotherham
    /// Partnership Board" --reason "ASB year to date 6% above last year"
    #[command(subcommand)]
    Clinic(ClinicCommand),
    /// Improvement actions (--role performance or admin to change them): the key actions of an
    /// improvement plan, each with its objective, lead, target date and the measures it is
    /// meant to improve; a target date moved (with the reason, if there is one), an action
    /// completed. `audit action-dates` lists the moves, `audit unactioned` the off-target
    /// measures no action names.
    ///
    /// Example: scoreledger action register --plan "CYPS Improvement Plan" --objective
    /// "CAMHS referrals assessed within 3 weeks" --key-action "Appoint additional CAMHS staff"
    /// --lead "Mel Meggs" --target-date "March 2017" --measure "1.C4 (b)"
    #[command(subcommand)]
    Action(ActionCommand),
    /// The governance record (--role performance or admin to change it): the meetings reports
    /// went to, their agenda items (with the report each considered, and the paragraph of
    /// Schedule 12A to the Local Government Act 1972 an item considered in exempt session was
    /// exempt under), the decisions taken and any call-in. Exempt items stay in the log and
    /// in `meeting list`; `meeting list --public`, like the public pages, leaves them out.
    ///
    /// Example: scoreledger meeting item --body "Cabinet" --on 2017-01-13 --item 7
    /// --title "Corporate Plan Quarter 3 Performance Report" --report "Q3 2016/17"
    #[command(subcommand)]
    Meeting(MeetingCommand),
    /// Print the quarterly scorecard report of a period, as it stands now or as it stood.
    Report(ReportArgs),
    /// Who changed what, when, in which role, before → after, and why.
    History(HistoryArgs),
    /// One measure as the log stands (or stood): its definition, who was accountable when,
    /// and every target, value (with year-to-date increments for cumulative measures),
    /// assessment and data note.
    ///
    /// Example: scoreledger measure 2.B5 --on 2016-06-30
    Measure(MeasureArgs),
    /// Explain one number: the chain of changes that produced a cell of the scorecard (a
    /// value, target, status, direction of travel or data note), with who, when and why, and
    /// what every published report showed for it.
    ///
    /// Example: scoreledger explain -m 1.A3 -p 2015/16
    Explain(ExplainArgs),
    /// The auditor's standing questions over the whole scorecard: partial-coverage values,
    /// targets changed since the plan was approved, counts quoted elsewhere checked against
    /// the log, increments of cumulative measures.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Run the HTTP service on this machine's log and read models: JSON queries and
    /// commands, its OpenAPI document at /openapi.json, /healthz and /readyz; the read models
    /// are kept up to date as the log grows. Stops gracefully on Ctrl-C or SIGTERM, finishing
    /// the requests in flight.
    ///
    /// Example: scoreledger serve --addr 127.0.0.1:8080
    Serve(ServeArgs),
    /// Issue, list and revoke the bearer tokens of the HTTP API (issuing and revoking need
    /// --role admin). A token stands for one user in one role; its secret is shown once and
    /// only its SHA-256 is kept.
    #[command(subcommand)]
    Token(TokenCommand),
    /// List and end the web pages' sessions (--role admin). Ending one makes its cookie stop
    /// working at once.
    #[command(subcommand)]
    Session(SessionCommand),
    /// Keep the read models up to date as the log grows, until Ctrl-C or SIGTERM (on NATS
    /// through the durable consumer `projector-scorecard`). Every other command catches up on
    /// its own; run this beside writers elsewhere (other machines, the HTTP API).
    Project,
    /// Create or bring up to date the schemas of the log and the read models (also done at
    /// start-up by every command), and list the migrations applied.
    Migrate,
    /// Drop every read model and replay the whole log, committing every --batch commits.
    /// Safe to interrupt: the next command (or rebuild) carries on from the last batch.
    Rebuild(RebuildArgs),
    /// Set aside the one commit the log cannot read (a bug, a damaged disk) so the read models
    /// pass over it (--role admin, with a reason). Repair it from a backup if you can: the
    /// setting aside is itself a commit, shown in the history (`history --what set-aside`) and
    /// by every report built across it. Only a commit that really cannot be read is accepted;
    /// `/readyz` and the error of every command name its position.
    ///
    /// Example: scoreledger --role admin set-aside 4812 --reason "disk damaged on 3 May; no backup holds it"
    SetAside(SetAsideArgs),
    /// Verify the log as stored: recompute every commit's hash from what is stored, check every
    /// stream's chain of hashes and versions, the log's positions (no gap, no repeat, no
    /// reordering), every commit's signature by the log's key, the Merkle tree over all commits
    /// against every signed checkpoint in the log and every one exported (--checkpoints; a
    /// truncated or re-forged log is caught there), and that the read models are not ahead of
    /// the log. Names the first thing wrong, with its position and kind, and exits 5.
    ///
    /// Example: scoreledger verify --trust council.pub --json
    Verify(VerifyArgs),
    /// The log's Ed25519 signing key: generate the first, show which the log signs with, or
    /// rotate it (--role admin). The private key goes to a 0600 file, never into the log; the
    /// public key is recorded in the log and is what auditors check against.
    ///
    /// Example: scoreledger --role admin keys generate --origin scoreledger.example/sandwell
    #[command(subcommand)]
    Keys(KeysCommand),
    /// Signed checkpoints of the log (C2SP tlog-checkpoint notes over an RFC 6962 Merkle tree):
    /// record one now, print the latest (what a witness fetches), or list them.
    ///
    /// Example: scoreledger --role admin checkpoint record
    #[command(subcommand)]
    Checkpoint(CheckpointCommand),
    /// Prove a commit is in a signed checkpoint, or that a checkpoint extends an earlier one
    /// (RFC 6962 proofs, checkable with the public key and any implementation of the spec).
    ///
    /// Example: scoreledger proof inclusion 640
    #[command(subcommand)]
    Proof(ProofCommand),
    /// Back up the log into a new file DEST, while it is in use, losing nothing. The embedded
    /// log is copied online (SQLite's VACUUM INTO: consistent, with what is still in the
    /// write-ahead log; never a file copy); a log on NATS is written as a logical backup (JSON
    /// lines: a header naming the origin and head, then every commit as stored, in log order).
    /// The copy is verified before it is called a backup, and must hold every commit up to the
    /// head the log had when the backup began; otherwise it is removed and the exit is 5.
    ///
    /// Example: scoreledger --db scoreledger.db backup backups/scoreledger-2017-04-01.db
    Backup(BackupArgs),
    /// Restore a backup written by `backup` into an empty log (the --db / --store file, which
    /// must not exist or hold no commits, or an empty NATS stream), at the same positions. The
    /// backup is verified before anything is restored (one that does not verify is refused,
    /// naming the finding), and read models that do not describe the restored log (ahead of
    /// it, or of another log) are refused unless --rebuild rebuilds them. A restore onto NATS
    /// that was interrupted continues when run again with the same backup: the commits already
    /// in the stream are checked byte for byte, and a stream holding anything else is refused.
    ///
    /// Example: scoreledger --db restored.db restore backups/scoreledger-2017-04-01.db
    Restore(RestoreArgs),
}

/// `keys` subcommands.
#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Generate the log's first signing key, record its public half in the log (signed by
    /// itself) and sign a first checkpoint (--role admin).
    Generate {
        /// The log's identity, named in every checkpoint: no spaces or '+'
        /// (e.g. scoreledger.example/sandwell).
        #[arg(long, default_value = "scoreledger.local/scorecard")]
        origin: String,
        /// Where to write the private key (mode 0600). Default: --signing-key, or the .key
        /// file beside an embedded log.
        #[arg(long)]
        out: Option<std::path::PathBuf>,
    },
    /// Which keys the log signs with (and has retired), and whether the key given is one.
    Show {
        /// One JSON object.
        #[arg(long)]
        json: bool,
    },
    /// Replace the signing key: a new key, recorded in a commit signed by the current one
    /// (--signing-key), which is retired (--role admin, with a reason). Stop `serve` first.
    Rotate {
        /// Where to write the new private key (mode 0600).
        #[arg(long)]
        out: Option<std::path::PathBuf>,
        /// Why (required).
        #[arg(long, short = 'r')]
        reason: String,
    },
}

/// `checkpoint` subcommands.
#[derive(Debug, Subcommand)]
pub enum CheckpointCommand {
    /// Sign a checkpoint of every commit so far, record it in the log and export it.
    Record,
    /// Print the latest checkpoint's signed note.
    Latest,
    /// List the checkpoints in the log.
    List {
        /// One JSON array.
        #[arg(long)]
        json: bool,
    },
}

/// `proof` subcommands.
#[derive(Debug, Subcommand)]
pub enum ProofCommand {
    /// The audit path of the commit at POSITION to a checkpoint's head.
    Inclusion {
        /// The commit's position.
        position: u64,
        /// The size of the checkpoint to prove against (default: the latest).
        #[arg(long)]
        checkpoint: Option<u64>,
        /// One JSON object.
        #[arg(long)]
        json: bool,
    },
    /// That the checkpoint of TO commits (default: the latest) extends the one of FROM.
    Consistency {
        /// The earlier checkpoint's size.
        from: u64,
        /// The later checkpoint's size.
        #[arg(long)]
        to: Option<u64>,
        /// One JSON object.
        #[arg(long)]
        json: bool,
    },
}

/// `token` subcommands.
#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Issue a token and print its secret (once).
    ///
    /// Example: scoreledger --role admin token create --for sam.newton --holder "Sam Newton"
    /// --as officer --directorate "Adult Social Care and Housing" --expires 2017-03-31
    Create {
        // Not `user`, `name` or `role`: those are the global options saying who runs this.
        /// The user id it stands for (the actor of every change made with it).
        #[arg(long = "for")]
        for_user: String,
        /// Their name as the history shows it.
        #[arg(long = "holder")]
        holder: String,
        /// The role it acts in: officer, performance, approver, auditor or admin.
        #[arg(long = "as")]
        as_role: String,
        /// For an officer: the directorate whose measures they enter.
        #[arg(long)]
        directorate: Option<String>,
        /// The last day it works (YYYY-MM-DD).
        #[arg(long)]
        expires: Option<String>,
    },
    /// List the tokens issued (never their secrets), with whether each still works.
    List {
        /// Print JSON lines instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Revoke a token, with a reason; it never works again.
    Revoke {
        /// The token id, from `token list`.
        id: String,
        /// Why.
        #[arg(long, short = 'r')]
        reason: String,
    },
}

/// `session` subcommands.
#[derive(Debug, Subcommand)]
pub enum SessionCommand {
    /// List the web sessions that still work (never their secrets).
    List {
        /// Print JSON lines instead of text.
        #[arg(long)]
        json: bool,
    },
    /// End a web session now.
    End {
        /// The session id, from `session list`.
        id: String,
    },
}

/// `serve` options.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on. The default answers this machine only; put a reverse proxy with
    /// TLS in front of anything wider.
    #[arg(long, env = "SCORELEDGER_ADDR", default_value = "127.0.0.1:8080")]
    pub addr: std::net::SocketAddr,

    /// How the log lines on standard error read: text for a terminal, json (one object per
    /// line, with each request's id, method, route, status and latency) for a log collector.
    /// SCORELEDGER_LOG sets what is logged (default: requests and warnings).
    #[arg(long, env = "SCORELEDGER_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,

    /// How often to verify the whole log while serving (at start, then every interval):
    /// `30s`, `10m`, `1h`, or `off`. /readyz and /metrics carry the last result; a finding
    /// makes /readyz answer 503.
    #[arg(long, env = "SCORELEDGER_VERIFY_EVERY", default_value = "10m")]
    pub verify_every: Interval,
    /// Sign a checkpoint of the log whenever this many commits have landed since the last
    /// one (locks and publications sign one at once).
    #[arg(long, env = "SCORELEDGER_CHECKPOINT_EVERY", default_value_t = 1000)]
    pub checkpoint_every: u64,
    /// Sign a checkpoint at least this often when anything has landed (e.g. 5m, 1h; `off`).
    #[arg(long, env = "SCORELEDGER_CHECKPOINT_INTERVAL", default_value = "5m")]
    pub checkpoint_interval: Interval,
}

/// `serve --verify-every`: an interval, or `off`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Interval(pub Option<std::time::Duration>);

impl std::str::FromStr for Interval {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let text = text.trim();
        if text == "off" {
            return Ok(Self(None));
        }
        let unit = |suffix: char, seconds: u64| {
            let number = text.strip_suffix(suffix)?;
            let n: u64 = number.trim().parse().ok()?;
            (n > 0).then(|| n.checked_mul(seconds)).flatten()
        };
        unit('s', 1)
            .or_else(|| unit('m', 60))
            .or_else(|| unit('h', 3600))
            .map(|seconds| Self(Some(std::time::Duration::from_secs(seconds))))
            .ok_or_else(|| format!("{text:?} is not an interval; write a whole number of seconds, minutes or hours (30s, 10m, 1h) or off"))
    }
}

/// `serve --log-format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line.
    Json,
}

impl From<LogFormat> for scoreledger_server::logging::LogFormat {
    fn from(format: LogFormat) -> Self {
        match format {
            LogFormat::Text => Self::Text,
            LogFormat::Json => Self::Json,
        }
    }
}

/// `rebuild` options.
#[derive(Debug, Args)]
pub struct RebuildArgs {
    /// Commits per read-model transaction.
    #[arg(long, default_value_t = 1000, value_parser = clap::value_parser!(u32).range(1..))]
    pub batch: u32,
}

/// `demo` options.
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Keep the demo database at this path (must not exist yet).
    #[arg(long)]
    pub keep: Option<PathBuf>,
    /// The measure whose history to show.
    #[arg(long, default_value = "2.B1")]
    pub measure: String,
    /// Replay the 2010 Notice to Improve action plan instead: its updates of 17 May and 20
    /// August 2010 typed in from the packs, each dated as reported, with the RAG tallies at
    /// both dates, the target dates moved between them and NI 59's year-to-date figures as
    /// reported to the Panel.
    #[arg(long = "2010")]
    pub notice_2010: bool,
}

/// Import file formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ImportFormat {
    /// Decide from the file extension.
    Auto,
    /// `scoreledger-scorecard/1` JSON.
    Json,
    /// One row per measure, documented in the README.
    Csv,
}

/// `import` options.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The file to import.
    pub file: PathBuf,
    /// Its format.
    #[arg(long, value_enum, default_value_t = ImportFormat::Auto)]
    pub format: ImportFormat,
    /// Plan name (CSV only; JSON files carry their plan).
    #[arg(long, default_value = "Corporate Plan 2016/17")]
    pub plan_name: String,
    /// Plan financial year (CSV only), e.g. 2016/17. By default the financial year of the
    /// file's reporting_period; a file whose period lies in another year is refused.
    #[arg(long)]
    pub plan_year: Option<String>,
    /// Check the file and report what would be appended, without appending.
    #[arg(long)]
    pub dry_run: bool,
}

/// Formats of a values sheet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SheetFormat {
    /// Decide from the file extension.
    Auto,
    /// The CSV export's columns.
    Csv,
    /// An Excel workbook: its "Scorecard" sheet.
    Xlsx,
}

/// `import-actions` options.
#[derive(Debug, Args)]
pub struct ImportActionsArgs {
    /// The update, as CSV (UTF-8).
    pub file: PathBuf,
    /// The improvement plan the actions belong to, e.g. "RMBC Notice to Improve Action Plan".
    #[arg(long)]
    pub plan: String,
    /// Show what each row would change without appending.
    #[arg(long)]
    pub dry_run: bool,
    /// List the rows that change nothing too.
    #[arg(long)]
    pub all: bool,
}

/// `import-values` options.
#[derive(Debug, Args)]
pub struct ImportValuesArgs {
    /// The filled-in sheet.
    pub file: PathBuf,
    /// The period the status, direction and note columns are for, e.g. "Q3 2016/17".
    #[arg(long, short = 'p')]
    pub period: String,
    /// Its format.
    #[arg(long, value_enum, default_value_t = SheetFormat::Auto)]
    pub format: SheetFormat,
    /// The classification of every revised value whose row has none: late_data,
    /// scheduled_revision, correction or definition_change.
    #[arg(long)]
    pub classification: Option<String>,
    /// Why, for every row that gives no reason of its own.
    #[arg(long, short = 'r')]
    pub reason: Option<String>,
    /// Show what would be appended, cell by cell, without appending.
    #[arg(long)]
    pub dry_run: bool,
    /// List unchanged cells too.
    #[arg(long)]
    pub all: bool,
    /// Print the preview as JSON.
    #[arg(long)]
    pub json: bool,
}

/// Which measure and period a record command is about.
#[derive(Debug, Args)]
pub struct Subject {
    /// Measure reference, e.g. 1.A3 or "2.B4 (a)".
    #[arg(long, short = 'm')]
    pub measure: String,
    /// Period, as the packs write it: "Q3 2016/17", "Q3 Oct - Dec 2016", Oct-16, 2015/16.
    #[arg(long, short = 'p')]
    pub period: String,
    /// Why (required for any change to a published period, any revision and any target change).
    #[arg(long, short = 'r')]
    pub reason: Option<String>,
    /// For whom you enter it (a performance officer entering data for a lead officer).
    #[arg(long)]
    pub on_behalf_of: Option<String>,
}

/// `record` subcommands.
#[derive(Debug, Subcommand)]
pub enum RecordCommand {
    /// Record a value (or revise one, with --classification and --reason).
    Value {
        #[command(flatten)]
        target: Subject,
        /// The value as printed: 28.3%, "62 (Oct-Nov only)", £46.07, "Not yet available".
        #[arg(long, short = 'v')]
        value: String,
        /// Revise the existing value: late_data, scheduled_revision, correction or definition_change.
        #[arg(long)]
        classification: Option<String>,
        /// provisional, final or estimated.
        #[arg(long, default_value = "final")]
        quality: String,
        /// Source system (e.g. "Liquid Logic").
        #[arg(long)]
        source: Option<String>,
    },
    /// Confirm a value as it stands with new quality flags: a provisional figure validated,
    /// an estimate confirmed as the actual. The figure is unchanged (a new figure is a
    /// revision: `record value --classification`); the reason names what validated it.
    ///
    /// Example: scoreledger record confirm -m 1.B3 -p "Q3 2016/17" --quality final
    /// --source "DfE validated release" -r "DfE validated KS4 results, 19 January 2017"
    Confirm {
        #[command(flatten)]
        target: Subject,
        /// Its quality now: final, provisional or estimated.
        #[arg(long, default_value = "final")]
        quality: String,
        /// Source system or release of the confirmed figure.
        #[arg(long)]
        source: Option<String>,
    },
    /// Set or change the target for a financial year (the period must be a year, e.g. 2016/17).
    Target {
        #[command(flatten)]
        target: Subject,
        /// The target as printed: 87.5%, <5%, "April - September 26% October - March 23%", "Baseline year".
        #[arg(long, short = 't')]
        value: String,
    },
    /// Assess the overall status: on_target, satisfactory, off_target, under_development,
    /// not_applicable or not_yet_available. The rules' suggestion is recorded beside it.
    Status {
        #[command(flatten)]
        target: Subject,
        /// The status.
        #[arg(long, short = 's')]
        status: String,
    },
    /// Give a 2010-scheme RAG rating (red, amber, green or complete) to a measure of a plan
    /// assessed in that scheme; the arrow is its direction of travel (`record direction`).
    Rag {
        #[command(flatten)]
        target: Subject,
        /// The rating.
        #[arg(long)]
        rating: String,
    },
    /// Assess the direction of travel: improved, stable, worse or not_applicable, or an arrow
    /// as the 2010 packs print it beside a RAG rating (↑ → ↓).
    Direction {
        #[command(flatten)]
        target: Subject,
        /// The direction.
        #[arg(long, short = 'd')]
        direction: String,
    },
    /// Write the data note for a period (the whole text; the history keeps every version).
    Note {
        #[command(flatten)]
        target: Subject,
        /// The note.
        #[arg(long, short = 'n')]
        text: String,
    },
    /// Write what the report narrative (Appendix A's performance story, exceptions or
    /// headlines) says of the measure for a period, the whole text, so `audit narrative` can
    /// check the numbers it quotes against the scorecard.
    ///
    /// Example: scoreledger record narrative -m 1.A3 -p "Q3 2016/17" --text "… is now at
    /// 25.3% against the target of 23% …"
    Narrative {
        #[command(flatten)]
        target: Subject,
        /// The narrative.
        #[arg(long, short = 'n')]
        text: String,
    },
    /// Record that the measure's definition or data source changed, from the period given
    /// (-p: the first period reported on the new basis), and whether the earlier figures were
    /// restated on it (--restated). `audit comparability` then flags each direction of travel
    /// that compares figures across the change (--role performance or admin).
    ///
    /// Example: scoreledger --role performance record basis -m 2.A4 -p "Q3 2016/17" --kind
    /// definition --restated --note "Definition change in PHOF. Data for 2013-15 and
    /// retrospective data revised. 2012-14 data as shown in Corporate Plan = 9.7"
    Basis {
        #[command(flatten)]
        target: Subject,
        /// What changed: definition or source.
        #[arg(long, short = 'k')]
        kind: String,
        /// What changed, as the pack says it.
        #[arg(long, short = 'n')]
        note: String,
        /// The figures before the change were restated on the new basis.
        #[arg(long)]
        restated: bool,
    },
    /// Announce that values will be refreshed from their source for a later report, so
    /// `audit refresh` can say what the refresh changed: one announcement for every measure
    /// and period named (each must have a value), recorded by the performance team.
    ///
    /// Example: scoreledger --role performance record refresh -m 1.A1 -m 1.A3 -m 1.A4
    /// -p "Q3 2016/17" --due "Q4 2016/17" --note "Data validation work is still ongoing
    /// within the service, therefore all performance data will be refreshed for the end of
    /// Qtr 4/outturn report."
    Refresh(RefreshArgs),
}

/// `record refresh` options.
#[derive(Debug, Args)]
pub struct RefreshArgs {
    /// A measure whose value will be refreshed (repeat for each).
    #[arg(long = "measure", short = 'm', required = true)]
    pub measures: Vec<String>,
    /// A period of those measures' values (repeat for each): "Q3 2016/17", Dec-16.
    #[arg(long = "period", short = 'p', required = true)]
    pub periods: Vec<String>,
    /// The period of the report the refreshed figures are due for: "Q4 2016/17" or the
    /// year's outturn, 2016/17.
    #[arg(long)]
    pub due: String,
    /// Why, as the pack says it.
    #[arg(long, short = 'n')]
    pub note: String,
    /// Why, on the commit (needed for nothing; the note says why).
    #[arg(long, short = 'r')]
    pub reason: Option<String>,
    /// For whom you enter it.
    #[arg(long)]
    pub on_behalf_of: Option<String>,
}

/// Report output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    /// A summary and one line per measure, for people.
    Table,
    /// One row per measure with every column.
    Csv,
    /// The same CSV with headings in words (Ref, Measure, Direction of travel, Data note), for
    /// people; `import-values` reads it back too.
    CsvWords,
    /// Canonical JSON (its SHA-256 goes to standard error).
    Json,
    /// The scorecard as the council prints it: a self-contained HTML page with the dashboard
    /// chart, one table per priority and the data notes (print it to PDF from a browser).
    Html,
    /// An Excel workbook for people (needs --output): a Summary sheet with the dashboard
    /// chart and a Scorecard sheet headed in words, statuses in the pack's colours, figures
    /// typed as numbers and percentages.
    Xlsx,
    /// The pack as councils circulate it, a PDF (needs --output): a cover with the summary
    /// and the dashboard chart, then the scorecard of each priority. The same report gives the
    /// same bytes, so a published report's PDF can be printed again years later and compared.
    Pdf,
}

/// When a query is answered: now (the default), at the end of a day, or at a log position.
/// Answered from the system-versioned read models, not by replaying.
#[derive(Debug, Clone, Default, Args)]
pub struct AsAtArgs {
    /// As the log stood at the end of this day (YYYY-MM-DD, UTC).
    #[arg(long, conflicts_with = "position")]
    pub as_at: Option<String>,
    /// As the log stood at this position (see `history` for positions).
    #[arg(long)]
    pub position: Option<u64>,
}

/// Output formats of the audit queries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// A table for people.
    Table,
    /// CSV with a header row, for spreadsheets.
    Csv,
    /// JSON, for programs.
    Json,
}

/// `report` options: a period's report, or a subcommand about published reports.
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct ReportArgs {
    /// About published reports.
    #[command(subcommand)]
    pub action: Option<ReportAction>,
    /// The period, e.g. "Q3 2016/17".
    #[arg(long, short = 'p')]
    pub period: Option<String>,
    /// When.
    #[command(flatten)]
    pub when: AsAtArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ReportFormat::Table)]
    pub format: ReportFormat,
    /// Write to this file instead of standard output.
    #[arg(long, short = 'o')]
    pub output: Option<std::path::PathBuf>,
}

/// Subcommands of `report`.
#[derive(Debug, Subcommand)]
pub enum ReportAction {
    /// List every published report: id, period, meeting, date, cut-off position, SHA-256.
    List {
        /// Only the publications recorded by then.
        #[command(flatten)]
        when: AsAtArgs,
        /// Print JSON lines instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// A published report exactly as published: rebuilt at its cut-off, its SHA-256
    /// checked against the one published (exit 5 if it differs), in any format.
    ///
    /// Example: scoreledger report show "Q2 2016/17" --format html -o q2-as-published.html
    ///
    /// Example: scoreledger report show "Q3 2016/17" --format pdf -o q3-pack.pdf
    Show {
        /// The report: an id (or its first characters) from `report list`, a period published
        /// once, or a period and its meeting or date when it was published more than once
        /// ("Q3 2016/17 @ Cabinet", "Q3 2016/17 @ 2017-01-13").
        report: String,
        /// Output format.
        #[arg(long, value_enum, default_value_t = ReportFormat::Table)]
        format: ReportFormat,
        /// Write to this file instead of standard output.
        #[arg(long, short = 'o')]
        output: Option<std::path::PathBuf>,
    },
    /// Prove a published report: replay the log up to its cut-off into fresh read models,
    /// rebuild the report and compare its SHA-256 with the one published (and with the
    /// live read models' answer). A mismatch names the first part that differs and exits 5.
    Rebuild {
        /// The report id (or the first characters of it), from `report list`.
        id: String,
    },
    /// What has changed in a published report since: every figure, status, direction,
    /// target and note that reads differently now (or at --as-at / --position), with who
    /// changed it, when, in which role and why.
    ///
    /// Example: scoreledger report diff "Q2 2016/17" --format csv > q2-restatements.csv
    Diff {
        /// The report: an id (or its first characters) from `report list`, or a period, meaning
        /// the latest publication of that period.
        report: String,
        /// Compare with the log as it stood then, instead of now.
        #[command(flatten)]
        when: AsAtArgs,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Set two reports' summary figures side by side, with the change in percentage points
    /// ("a rise from the 39.7% in the last quarter").
    ///
    /// Each report is a published report (id or period of a publication) or, with
    /// --current, a period as the log stands now (or at --as-at / --position). With
    /// --by-measure, every measure's figures before → after instead.
    ///
    /// Example: scoreledger report compare "Q2 2016/17" "Q3 2016/17"
    ///
    /// Example: scoreledger report compare "Q2 2016/17" "Q3 2016/17" --by-measure --changed
    Compare {
        /// The earlier report.
        earlier: String,
        /// The later report.
        later: String,
        /// Build both periods from the log now (or at --as-at / --position) instead of using
        /// their publications.
        #[arg(long)]
        current: bool,
        /// Every measure instead of the summary: its value for the report's own period,
        /// target, status, direction and RAG, before → after.
        #[arg(long)]
        by_measure: bool,
        /// With --by-measure: only the measures where something changed.
        #[arg(long, requires = "by_measure")]
        changed: bool,
        /// When (with --current).
        #[command(flatten)]
        when: AsAtArgs,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
}

/// `measure` options.
#[derive(Debug, Args)]
pub struct MeasureArgs {
    /// Measure reference, e.g. 2.B5 or "4.B5 (b)".
    pub measure: String,
    /// Also say who was accountable on this day (YYYY-MM-DD; valid time).
    #[arg(long)]
    pub on: Option<String>,
    /// As known then.
    #[command(flatten)]
    pub when: AsAtArgs,
    /// Print JSON instead of tables.
    #[arg(long)]
    pub json: bool,
}

/// Which cell of a measure's row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Column {
    /// The value of --period.
    Value,
    /// The target of --period's financial year.
    Target,
    /// The overall status of --period.
    Status,
    /// The direction of travel of --period.
    Direction,
    /// The RAG rating of --period (a plan in the 2010 scheme).
    Rag,
    /// The data note of --period.
    Note,
}

/// `explain` options.
#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// Measure reference, e.g. 1.A3.
    #[arg(long, short = 'm')]
    pub measure: String,
    /// The period of the cell: the value's period (a column of the report, e.g. 2015/16 or
    /// Oct-16), or the report's period for a status, direction or note.
    #[arg(long, short = 'p')]
    pub period: String,
    /// Which cell.
    #[arg(long, value_enum, default_value_t = Column::Value)]
    pub column: Column,
    /// Explain the cell as it stood at this position (default: now).
    #[command(flatten)]
    pub when: AsAtArgs,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

/// `audit` subcommands.
#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Values recorded for only part of their period ("62 (Oct-Nov only)", "2.38 (Nov data)")
    /// and whether a value for the whole period was supplied later.
    Partial {
        /// Only this period, e.g. "Q3 2016/17".
        #[arg(long, short = 'p')]
        period: Option<String>,
        /// As known then.
        #[command(flatten)]
        when: AsAtArgs,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Targets that differ from the ones set when the plan was approved: as approved, as in
    /// force, and who changed them, when and why.
    Targets {
        /// The financial year, e.g. 2016/17.
        #[arg(long, short = 'y', default_value = "2016/17")]
        year: String,
        /// As known then.
        #[command(flatten)]
        when: AsAtArgs,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Check counts quoted elsewhere (a cover report, a narrative) against the log: which
    /// log positions, if any, gave a summary with exactly these counts for the period, which
    /// came closest, and whether the counts are consistent with each other at all.
    ///
    /// Example (the Q3 2016/17 cover report): scoreledger audit counts -p "Q3 2016/17"
    /// --on-target 25 --off-target 16 --not-applicable 16 --not-yet-available 29
    /// --under-development 0 --measured 57 --worse 14 --with-direction 69
    Counts(Box<CountsArgs>),
    /// For measures reported cumulatively (year to date), what each quarter and month added.
    Increments {
        /// The financial year, e.g. 2016/17.
        #[arg(long, short = 'y', default_value = "2016/17")]
        year: String,
        /// As known then.
        #[command(flatten)]
        when: AsAtArgs,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Values recorded as provisional or estimated (a DfE provisional release, a forecast
    /// before December's data arrived), the reports that published them, and what became of
    /// each: confirmed unchanged, revised (by how much, by whom, why) or not yet confirmed.
    ///
    /// Example: scoreledger audit quality -p "Q3 2016/17" --source "Liquid Logic"
    Quality {
        /// Only values of this period, e.g. "Q3 2016/17".
        #[arg(long, short = 'p')]
        period: Option<String>,
        /// Only values from this source system (any case), e.g. "Liquid Logic".
        #[arg(long)]
        source: Option<String>,
        /// As known then.
        #[command(flatten)]
        when: AsAtArgs,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Performance clinics: for each measure, every clinic called (chair, why), held (the
    /// actions mandated, their owners and deadlines) or cancelled (why); with a period, each
    /// measure's status in it, and with --off-target only the measures off target then.
    ///
    /// Example: scoreledger audit clinics -p "Q3 2016/17" --off-target
    Clinics {
        /// The period whose status to show, e.g. "Q3 2016/17".
        #[arg(long, short = 'p')]
        period: Option<String>,
        /// Only measures off target in the period.
        #[arg(long, requires = "period")]
        off_target: bool,
        /// As known then.
        #[command(flatten)]
        when: AsAtArgs,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Data-note sentences of a published report that an earlier publication printed word
    /// for word for the same measure: commentary carried over rather than written for the
    /// quarter ("the next survey is scheduled for December 2016" in a Q3 pack).
    ///
    /// Example: scoreledger audit carried-over -p "Q3 2016/17"
    CarriedOver(PublishedPairArgs),
    /// The priority measures a published report was built with, the priority-measure
    /// paragraph it printed of them, and which measures were added to or removed from the
    /// set since an earlier publication.
    ///
    /// Example: scoreledger audit priority-measures -p "Q3 2016/17" --against "Q2 2016/17"
    PriorityMeasures(PublishedPairArgs),
    /// Numbers quoted in the report narrative (`record narrative`) checked against the
    /// scorecard the report went out with: each is read against the period its clause names
    /// ("in quarter two"), the target ("the target of 23%") or the report's own period, and
    /// those that differ are listed, with any other cell of the row they equal. The narrative
    /// is read as the log stands, or at --as-at (say, the day of the meeting it went to).
    ///
    /// Example: scoreledger audit narrative -p "Q3 2016/17"
    Narrative(NarrativeArgs),
    /// Statuses and RAG ratings given against the rules' suggestion (a measure that met its
    /// target rated Amber, say): what was given, what the rules suggested, who, when, and the
    /// rationale recorded, or that none was; with whether a later assessment replaced it.
    ///
    /// Example: scoreledger audit overrides -p "Q1 2010/11"
    Overrides {
        /// Only assessments of this period.
        #[arg(long, short = 'p')]
        period: Option<String>,
        /// As known then.
        #[command(flatten)]
        when: AsAtArgs,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Measures whose definition or data source changed (`record basis`), and whether each
    /// direction of travel assessed across a change, in the change's year, still compares like
    /// with like: yes if the earlier figures were revised for the change or the change records
    /// them as restated, otherwise it is flagged.
    ///
    /// Example: scoreledger audit comparability
    Comparability {
        /// Only changes from a period of this financial year, e.g. 2016/17.
        #[arg(long, short = 'y')]
        year: Option<String>,
        /// As known then.
        #[command(flatten)]
        when: AsAtArgs,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Values announced for a refresh from their source (`record refresh`) and what became
    /// of each: awaiting refresh, refreshed unchanged, refreshed and revised (by how much, at
    /// which position), or not refreshed by the report it was due for; each read against the
    /// value as it stood at the announcement.
    ///
    /// Example: scoreledger audit refresh -p "Q3 2016/17"
    Refresh {
        /// Only values of this period.
        #[arg(long, short = 'p')]
        period: Option<String>,
        /// As known then.
        #[command(flatten)]
        when: AsAtArgs,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// A measure's year-to-date observations ("from 1st April to 20th August the figure is
    /// 80.11%"), each with the day and document it was reported in and when the log recorded
    /// it, its corrections apart from new observations, and, from each report to the next, the
    /// figures then and how many corrections fell between. --reported-by reads the packs' axis
    /// (what had been reported by a day); --as-at the log's (what the log held then).
    ///
    /// Example: scoreledger audit observations -m "NI 59" --reported-by 2010-07-13
    Observations {
        /// The measure, e.g. "NI 59".
        #[arg(long, short = 'm')]
        measure: String,
        /// Only this financial year's series, e.g. 2010/11.
        #[arg(long, short = 'y')]
        year: Option<String>,
        /// Only what had been reported on or before this day (YYYY-MM-DD; a change entered
        /// without --reported-on counts on the day it was recorded, UTC).
        #[arg(long, value_name = "DAY")]
        reported_by: Option<String>,
        /// As the log stood then.
        #[command(flatten)]
        when: AsAtArgs,
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// The RAG tally of improvement actions as at a day, as the 2010 updates print it ("Red: 2
    /// (5%) Amber: 22 (50%) Green: 20 (45%) (out of which 13 are now deemed as completed)"),
    /// unrated actions counted apart; with --against, the tally then too and every action
    /// added or rated differently since.
    ///
    /// Example: scoreledger audit action-rag --as-at 2010-05-17 --against 2010-04-20
    ActionRag {
        /// Only the actions of this plan.
        #[arg(long)]
        plan: Option<String>,
        /// The earlier update: a day (YYYY-MM-DD) or a log position.
        #[arg(long, conflicts_with = "against_reported")]
        against: Option<String>,
        /// The tally as reported by this day (YYYY-MM-DD): each rating, registration and move
        /// by the day it was reported (`--reported-on` when it was entered), else recorded. A
        /// past plan's update typed in today is tallied as of its own day.
        #[arg(long, value_name = "DAY")]
        reported_by: Option<String>,
        /// The earlier update as reported by this day, to compare with.
        #[arg(long, value_name = "DAY")]
        against_reported: Option<String>,
        /// The later update (by default now).
        #[command(flatten)]
        when: AsAtArgs,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Improvement actions whose target date moved between two days (the 17 May and 20 August
    /// 2010 updates, say), from and to, who moved it and why, or that no reason was recorded.
    ///
    /// Example: scoreledger audit action-dates --from 2010-05-17 --to 2010-08-20
    ActionDates {
        /// The first day (YYYY-MM-DD); moves after its end are listed.
        #[arg(long)]
        from: String,
        /// The last day (YYYY-MM-DD); moves up to its end are listed.
        #[arg(long)]
        to: String,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Improvement actions whose baseline, targets or workstream a later update reworded (S21: "10%
    /// reduction in overall contact …" → "reduction in overall contact …"), word by word
    /// ([-removed-] {+added+}), with who and when, by the day each was reported.
    ///
    /// Example: scoreledger audit action-texts --from 2010-05-17 --to 2010-08-20
    ActionTexts {
        /// The first day (YYYY-MM-DD); rewordings after its end are listed.
        #[arg(long)]
        from: String,
        /// The last day (YYYY-MM-DD); rewordings up to its end are listed.
        #[arg(long)]
        to: String,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// The measures off target in a published report that no improvement action names and no
    /// performance clinic mandated an action for: what the data notes column asks to be
    /// recorded ("what is being done to improve performance").
    ///
    /// Example: scoreledger audit unactioned -p "Q3 2016/17"
    Unactioned {
        /// The publication: a period published once ("Q3 2016/17"), a period with its meeting
        /// or date, or a report id.
        #[arg(long = "period", short = 'p', value_name = "PUBLICATION")]
        report: String,
        /// The actions and clinics as the log stood then (by default now).
        #[command(flatten)]
        when: AsAtArgs,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
}

/// `audit narrative` options.
#[derive(Debug, Args)]
pub struct NarrativeArgs {
    /// The publication: a period published once ("Q3 2016/17"), a period with its meeting or
    /// date ("Q3 2016/17 @ 2017-02-17"), or a report id; with --current, a period.
    #[arg(long = "period", short = 'p', value_name = "PUBLICATION")]
    pub report: String,
    /// Check the period's narrative against its scorecard as the log stands now (or at
    /// --as-at / --position): before publishing, say.
    #[arg(long)]
    pub current: bool,
    /// Which version of the narrative (by default the latest); with --current, of the
    /// scorecard too.
    #[command(flatten)]
    pub when: AsAtArgs,
    /// List every number read, the ones that agree too.
    #[arg(long)]
    pub all: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

/// A publication and the earlier one it is compared with.
#[derive(Debug, Args)]
pub struct PublishedPairArgs {
    /// The publication: a period published once ("Q3 2016/17"), a period with its meeting or
    /// date ("Q3 2016/17 @ Cabinet", "Q3 2016/17 @ 2017-01-13"), or a report id.
    #[arg(long = "period", short = 'p', value_name = "PUBLICATION")]
    pub report: String,
    /// The earlier publication, written the same way; by default the previous quarter's.
    #[arg(long, value_name = "PUBLICATION")]
    pub against: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

/// `audit counts` options: the period and the quoted counts (give any of them).
#[derive(Debug, Args)]
pub struct CountsArgs {
    /// The period of the report the counts are quoted for, e.g. "Q3 2016/17".
    #[arg(long, short = 'p')]
    pub period: String,
    /// Measures on target.
    #[arg(long)]
    pub on_target: Option<u64>,
    /// Measures satisfactory but not fully reaching target.
    #[arg(long)]
    pub satisfactory: Option<u64>,
    /// Measures that have not progressed in accordance with target.
    #[arg(long)]
    pub off_target: Option<u64>,
    /// Measures under development.
    #[arg(long)]
    pub under_development: Option<u64>,
    /// Measures not applicable for target.
    #[arg(long)]
    pub not_applicable: Option<u64>,
    /// Measures without data yet.
    #[arg(long)]
    pub not_yet_available: Option<u64>,
    /// Measures improved.
    #[arg(long)]
    pub improved: Option<u64>,
    /// Measures stable.
    #[arg(long)]
    pub stable: Option<u64>,
    /// Measures worse.
    #[arg(long)]
    pub worse: Option<u64>,
    /// Measures whose direction of travel is not applicable.
    #[arg(long)]
    pub direction_not_applicable: Option<u64>,
    /// Measures with data against a target (the whole the "of measured" shares are of).
    #[arg(long)]
    pub measured: Option<u64>,
    /// Measures with a direction of travel (the whole the direction shares are of).
    #[arg(long)]
    pub with_direction: Option<u64>,
    /// All measures.
    #[arg(long)]
    pub total: Option<u64>,
    /// Search the log up to then.
    #[command(flatten)]
    pub when: AsAtArgs,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

/// `signoff` and `approve-note` options.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Measure reference, e.g. 1.A3 or "2.B4 (a)".
    #[arg(long, short = 'm')]
    pub measure: String,
    /// Period, as the packs write it: "Q3 2016/17", "Q3 Oct - Dec 2016", Oct-16, 2015/16.
    #[arg(long, short = 'p')]
    pub period: String,
}

/// `amend` options: one flag per amendable field; give at least one.
#[derive(Debug, Args)]
pub struct AmendArgs {
    /// Measure reference, e.g. 1.A3 or "2.B4 (a)".
    #[arg(long, short = 'm')]
    pub measure: String,
    /// The new measure text.
    #[arg(long)]
    pub title: Option<String>,
    /// The Corporate Plan action it supports.
    #[arg(long)]
    pub action: Option<String>,
    /// Lead officer (person or role).
    #[arg(long)]
    pub lead_officer: Option<String>,
    /// Directorate of the lead officer (officers' API tokens are checked against it).
    #[arg(long)]
    pub directorate: Option<String>,
    /// Whether good performance is high, low or not_applicable.
    #[arg(long)]
    pub polarity: Option<String>,
    /// Polarity as printed, e.g. "High - very or fairly satisfied".
    #[arg(long)]
    pub polarity_text: Option<String>,
    /// monthly, quarterly, termly, six_monthly, annual or biennial.
    #[arg(long)]
    pub frequency: Option<String>,
    /// Frequency as printed, e.g. "Annual (interim quarterly data also available)".
    #[arg(long)]
    pub frequency_text: Option<String>,
    /// Whether it is one of the plan's priority measures: yes or no.
    #[arg(long)]
    pub priority_measure: Option<String>,
    /// Why the definition changes (required).
    #[arg(long, short = 'r')]
    pub reason: Option<String>,
}

/// `chase` options.
#[derive(Debug, Args)]
pub struct ChaseArgs {
    /// The report period, e.g. "Q4 2016/17".
    #[arg(long, short = 'p')]
    pub period: String,
    /// Only this directorate's measures.
    #[arg(long)]
    pub directorate: Option<String>,
    /// Only this lead officer's measures.
    #[arg(long)]
    pub lead_officer: Option<String>,
    /// How many days after its period ends a figure is due.
    #[arg(long, default_value_t = 14)]
    pub days_after: u32,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// The same as --format json.
    #[arg(long, conflicts_with = "format")]
    pub json: bool,
}

/// `roll-over` options.
#[derive(Debug, Args)]
pub struct RollOverArgs {
    /// The new financial year, e.g. 2017/18.
    #[arg(long)]
    pub to: String,
    /// The year of the plan to carry; by default the year before --to.
    #[arg(long)]
    pub from: Option<String>,
    /// The new plan's name; by default the old one with its year replaced.
    #[arg(long)]
    pub plan_name: Option<String>,
    /// The new year's targets: a CSV with ref and target columns, targets as printed.
    #[arg(long)]
    pub targets: Option<PathBuf>,
    /// Say what would be appended, without appending.
    #[arg(long)]
    pub dry_run: bool,
}

/// `withdraw` and `reinstate` options.
#[derive(Debug, Args)]
pub struct ApplicabilityArgs {
    /// Measure reference, e.g. 1.A3 or "2.B4 (a)".
    #[arg(long, short = 'm')]
    pub measure: String,
    /// The first period it no longer applies to (withdraw) or applies to again (reinstate),
    /// e.g. "Q3 2016/17".
    #[arg(long)]
    pub from: String,
    /// Why (required).
    #[arg(long, short = 'r')]
    pub reason: Option<String>,
}

/// `lock` and `reopen` options.
#[derive(Debug, Args)]
pub struct LockArgs {
    /// The period, e.g. "Q3 2016/17".
    #[arg(long, short = 'p')]
    pub period: String,
    /// Why (required to reopen).
    #[arg(long, short = 'r')]
    pub reason: Option<String>,
}

/// `bench` options.
#[derive(Debug, Args)]
pub struct BenchArgs {
    /// The workload: `verify` (the whole log verified, against reading it raw), `rebuild` (a
    /// scorecard log replayed into fresh read models, against loading its events as plain rows
    /// into the same database), `as-at` (the Q3 2016/17 scorecard read as at an old position
    /// and at the head, p50 and p99, against one round trip to the same database) or `append`
    /// (data notes written through the write path by 1, 16 and 64 concurrent writers, each to
    /// streams of its own, against the store's raw write rate: one fsynced row per commit on
    /// SQLite, pipelined publishes with the expected-sequence header on NATS) or `lag` (the same
    /// writers with the projector beside them: how long after a write is acknowledged the read
    /// models show it, p50 and p99, against how long the store takes to hand it to a follower)
    /// or `verify-report` (the Q3 2016/17 report of a generated scorecard log published at its
    /// head, then proved by replaying the log to its cut-off, against reading those commits raw).
    #[arg(value_parser = ["verify", "rebuild", "as-at", "append", "lag", "verify-report"])]
    pub workload: String,
    /// How many commits (`verify`; `append`, `lag`: at each number of writers) or events (`rebuild`,
    /// `as-at`, `verify-report`) to generate. Default: 100,000; 2,000 for `append` and `lag`.
    #[arg(long)]
    pub commits: Option<u64>,
    /// `append`, `lag`: the numbers of concurrent writers to measure, in turn.
    #[arg(long, value_delimiter = ',', default_value = "1,16,64")]
    pub writers: Vec<usize>,
    /// `append`, `lag`: the streams (measures) written to, shared out among the writers.
    #[arg(long, default_value_t = 1_000)]
    pub streams: usize,
    /// `append` over HTTP: `serve`'s routes on a loopback port in this process, a projector
    /// beside them, and each writer a client with a bearer token. Without it, the writers call
    /// the write path as a library.
    #[arg(long)]
    pub http: bool,
    /// `append`, `lag` on a NATS JetStream log at this URL (e.g. nats://127.0.0.1:4222): streams of
    /// the bench's own, deleted when it ends. Without it, the log is embedded SQLite.
    #[arg(long, value_name = "URL")]
    pub nats: Option<String>,
    /// `rebuild`, `as-at`, `append` and `lag` on PostgreSQL read models: a server the bench may create (and then drops) a database
    /// of its own on, e.g. postgres://postgres@127.0.0.1:5432/postgres. Without it, the read
    /// models are the embedded default, in the log's SQLite file.
    #[arg(long, value_name = "URL")]
    pub postgres: Option<String>,
    /// One JSON object per workload.
    #[arg(long)]
    pub json: bool,
}

impl BenchArgs {
    /// `--commits`, or the workload's default.
    pub fn commits(&self) -> u64 {
        self.commits.unwrap_or(match self.workload.as_str() {
            "append" | "lag" => 2_000,
            _ => 100_000,
        })
    }
}

/// `verify` options.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// One JSON object: `verified`, the commits and streams checked, the head, the read models'
    /// position and the finding (`kind`, `position`, …).
    #[arg(long)]
    pub json: bool,
    /// The public key you were given for the log (a file, or the key text): the log must sign
    /// with it, or with keys it rotated to.
    #[arg(long)]
    pub trust: Option<String>,
    /// Also rebuild every published report from the log (replayed into fresh read models) and
    /// compare it with the hash published; the first that differs is a finding.
    #[arg(long)]
    pub reports: bool,
    /// Start after a signed checkpoint instead of at the first commit: SIZE (the checkpoint of
    /// that many commits the log recorded; `checkpoint list` lists them), or a FILE holding a
    /// checkpoint note (exported, or a witness's copy), which the log must have recorded as is.
    /// The commits it covers are not read again (the checkpoint vouches for them); the rest are
    /// checked as from the start. For the checks between full verifications.
    #[arg(long, value_name = "SIZE|FILE")]
    pub since: Option<String>,
    /// Check every commit's signature one by one. By default a signed checkpoint whose head
    /// matches vouches for the commits it covers, so only their signatures' form is checked
    /// (present, by a key the log signs with): several times faster, and their contents are
    /// pinned either way. This also finds a signature altered in place on such a commit, as an
    /// offline check of an evidence pack would.
    #[arg(long)]
    pub all_signatures: bool,
}

/// `backup` options.
#[derive(Debug, Args)]
pub struct BackupArgs {
    /// The new file to write (never overwritten).
    pub dest: PathBuf,
    /// What to write: `sqlite` (a database file; the embedded log only) or `jsonl` (a logical
    /// backup, either log). Default: sqlite for the embedded log, jsonl for NATS.
    #[arg(long, value_enum)]
    pub format: Option<BackupFormat>,
    /// One JSON object: the file, its format, the commits and streams copied, the head and its
    /// hash.
    #[arg(long)]
    pub json: bool,
}

/// What `backup` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum BackupFormat {
    /// A SQLite database (the embedded log's online copy).
    Sqlite,
    /// JSON lines: a header, then one stored commit per line.
    Jsonl,
}

/// `restore` options.
#[derive(Debug, Args)]
pub struct RestoreArgs {
    /// The backup: a database or a JSON lines file written by `scoreledger backup`.
    pub source: PathBuf,
    /// Rebuild the read models from the restored log when they do not describe it (ahead of
    /// it, or built from another log), instead of refusing.
    #[arg(long)]
    pub rebuild: bool,
    /// One JSON object: the commits and streams restored, the head and its hash, and what was
    /// done with the read models.
    #[arg(long)]
    pub json: bool,
}

/// `set-aside` options.
#[derive(Debug, Args)]
pub struct SetAsideArgs {
    /// The position of the commit that cannot be read.
    pub position: u64,
    /// Why it is set aside rather than repaired (required; every report built across it shows
    /// it).
    #[arg(long, short = 'r')]
    pub reason: Option<String>,
}

/// `publish` options.
#[derive(Debug, Args)]
pub struct PublishArgs {
    /// The period, e.g. "Q3 2016/17".
    #[arg(long, short = 'p')]
    pub period: String,
    /// The meeting the report goes to.
    #[arg(long)]
    pub meeting: String,
    /// Date of publication (YYYY-MM-DD).
    #[arg(long)]
    pub on: String,
}

/// `history` options.
#[derive(Debug, Args)]
pub struct HistoryArgs {
    /// Only this measure.
    #[arg(long, short = 'm')]
    pub measure: Option<String>,
    /// Only changes by this person (user id or name).
    #[arg(long)]
    pub actor: Option<String>,
    /// Only changes about this period, e.g. "Q2 2016/17" or 2015/16.
    #[arg(long, short = 'p')]
    pub period: Option<String>,
    /// Only these kinds of change (repeat or separate with commas): value, target, status,
    /// direction, rag, note, narrative (report narratives), accountability, measure, signoff,
    /// approval (of data notes), definition (amendments), withdrawal (measures withdrawn and
    /// reinstated), lock, publication, token, read (recorded reads of the history), set-aside
    /// (commits set aside), plan, key (signing keys), meeting, clinic, action (improvement
    /// actions); or a kind as the history prints it ("data note").
    #[arg(long, value_delimiter = ',')]
    pub what: Vec<String>,
    /// Only changes that replaced an earlier fact: revisions, target changes, reassessments,
    /// note edits.
    #[arg(long)]
    pub revisions: bool,
    /// Only changes recorded on or after this day (YYYY-MM-DD, UTC).
    #[arg(long)]
    pub since: Option<String>,
    /// Only changes recorded before this day (YYYY-MM-DD, UTC).
    #[arg(long)]
    pub until: Option<String>,
    /// Only the plan of this financial year and its measures, e.g. 2017/18 (a reference
    /// carried into the next year's plan is another measure there).
    #[arg(long)]
    pub plan_year: Option<String>,
    /// Only changes reported on or before this day (YYYY-MM-DD): the day a change was
    /// reported (--reported-on when it was entered), else the day it was recorded (UTC). The
    /// history as the packs had told it by then; --as-at is the history as the log stood.
    #[arg(long, value_name = "DAY")]
    pub reported_by: Option<String>,
    /// The history as it stood then.
    #[command(flatten)]
    pub when: AsAtArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Print JSON lines (one change per line) instead of a table.
    #[arg(long, conflicts_with = "format")]
    pub json: bool,
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::Cli;

    #[test]
    fn the_command_line_definition_is_consistent() {
        Cli::command().debug_assert();
    }
}

#[cfg(test)]
mod interval_tests {
    use std::time::Duration;

    use super::Interval;

    #[test]
    fn intervals_are_seconds_minutes_hours_or_off() {
        assert_eq!("30s".parse(), Ok(Interval(Some(Duration::from_secs(30)))));
        assert_eq!("10m".parse(), Ok(Interval(Some(Duration::from_secs(600)))));
        assert_eq!("1h".parse(), Ok(Interval(Some(Duration::from_secs(3600)))));
        assert_eq!("off".parse(), Ok(Interval(None)));
        for bad in ["0s", "10", "m", "-5m", "1.5h", "10 minutes"] {
            let err = bad.parse::<Interval>().unwrap_err();
            assert!(err.contains("30s, 10m, 1h"), "{bad}: {err}");
        }
    }
}

/// Which meeting: its committee, board or panel and the day it met.
#[derive(Debug, Args)]
pub struct MeetingArgs {
    /// The committee, board or panel, e.g. "Overview and Scrutiny Management Board".
    #[arg(long)]
    pub body: String,
    /// The day it met (YYYY-MM-DD).
    #[arg(long = "on", value_name = "DATE")]
    pub held_on: String,
}

/// `meeting` subcommands.
#[derive(Debug, Subcommand)]
pub enum MeetingCommand {
    /// Record a meeting (once: the same body and day are the same meeting).
    Record {
        #[command(flatten)]
        meeting: MeetingArgs,
    },
    /// Put an item on a recorded meeting's agenda.
    Item {
        #[command(flatten)]
        meeting: MeetingArgs,
        /// The item's number as printed, e.g. 7.
        #[arg(long)]
        item: String,
        /// Its title.
        #[arg(long)]
        title: String,
        /// The published report it considered: "Q3 2016/17", "Q3 2016/17 @ 2017-01-13" or
        /// a report id.
        #[arg(long, value_name = "PUBLICATION")]
        report: Option<String>,
        /// Considered in exempt session, the press and public excluded, under this paragraph
        /// (1 to 7) of Schedule 12A, Part 1 (3: financial or business affairs).
        #[arg(long, value_name = "PARAGRAPH")]
        exempt: Option<u8>,
    },
    /// Record the decision taken on an agenda item, as resolved (changing a recorded one
    /// needs a reason).
    Decide {
        #[command(flatten)]
        meeting: MeetingArgs,
        /// The item's number.
        #[arg(long)]
        item: String,
        /// The decision.
        #[arg(long)]
        decision: String,
        /// Why a recorded decision is changed.
        #[arg(long, short = 'r')]
        reason: Option<String>,
    },
    /// Record that the decision on an agenda item was called in, by whom and why.
    CallIn {
        #[command(flatten)]
        meeting: MeetingArgs,
        /// The item's number.
        #[arg(long)]
        item: String,
        /// Who called it in.
        #[arg(long)]
        by: String,
        /// Why.
        #[arg(long, short = 'r')]
        reason: String,
    },
    /// The meetings recorded, with their agendas, decisions and call-ins.
    List {
        /// Only the items that considered this publication ("Q3 2016/17", "… @ DATE", an id).
        #[arg(long, value_name = "PUBLICATION")]
        report: Option<String>,
        /// As the public sees it: items considered in exempt session left out.
        #[arg(long)]
        public: bool,
        /// As known then.
        #[command(flatten)]
        when: AsAtArgs,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
}

/// Which improvement action: its plan and its key action, as registered.
#[derive(Debug, Args)]
pub struct ActionArgs {
    /// The plan, e.g. "RMBC Notice to Improve Action Plan".
    #[arg(long)]
    pub plan: String,
    /// The key action, as the plan writes it.
    #[arg(long)]
    pub key_action: String,
}

/// `action` subcommands.
#[derive(Debug, Subcommand)]
pub enum ActionCommand {
    /// Register a key action with its objective, lead, target date and measures.
    Register {
        #[command(flatten)]
        action: ActionArgs,
        /// The objective it serves.
        #[arg(long)]
        objective: String,
        /// Who leads it.
        #[arg(long)]
        lead: String,
        /// When it is due, as the plan prints it ("June 2010", "March 2011").
        #[arg(long)]
        target_date: String,
        /// A measure it is meant to improve; repeat for each.
        #[arg(long = "measure", short = 'm', value_name = "REF")]
        measures: Vec<String>,
    },
    /// Move an action's target date; say why with --reason (a move without one is listed as
    /// such).
    Move {
        #[command(flatten)]
        action: ActionArgs,
        /// The new target date, as printed.
        #[arg(long)]
        to: String,
        /// Why it moved.
        #[arg(long, short = 'r')]
        reason: Option<String>,
    },
    /// Give an action its RAG rating at an update: red, amber, green or complete, with the
    /// arrow beside it if the plan prints one (↑ → ↓, or improved, stable, worse).
    Rate {
        #[command(flatten)]
        action: ActionArgs,
        /// The rating: red, amber, green or complete.
        #[arg(long)]
        rag: String,
        /// The arrow: ↑, →, ↓ (or improved, stable, worse).
        #[arg(long)]
        arrow: Option<String>,
        /// Why, if the rating is not what the figures suggest.
        #[arg(long, short = 'r')]
        reason: Option<String>,
    },
    /// Record an action completed.
    Complete {
        #[command(flatten)]
        action: ActionArgs,
        /// The day it was completed (YYYY-MM-DD).
        #[arg(long = "on", value_name = "DATE")]
        on: String,
        /// What evidences it, if anything.
        #[arg(long, short = 'r')]
        reason: Option<String>,
    },
    /// Every action as the log stood: plan, key action, lead, measures, target date and its
    /// moves, completion.
    List {
        /// Only actions naming this measure.
        #[arg(long, short = 'm')]
        measure: Option<String>,
        /// As known then.
        #[command(flatten)]
        when: AsAtArgs,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
}

/// Which clinic: the measure and the day it is called for.
#[derive(Debug, Args)]
pub struct ClinicArgs {
    /// The measure, e.g. 3.A1.
    #[arg(long, short = 'm')]
    pub measure: String,
    /// The day the clinic is called for (YYYY-MM-DD).
    #[arg(long = "on", value_name = "DATE")]
    pub on: String,
}

/// `clinic` subcommands.
#[derive(Debug, Subcommand)]
pub enum ClinicCommand {
    /// Call a clinic for a day, with its chair and why it is called.
    Call {
        #[command(flatten)]
        clinic: ClinicArgs,
        /// Who chairs it (a person or a board).
        #[arg(long)]
        chair: String,
        /// Why it is called.
        #[arg(long, short = 'r')]
        reason: String,
    },
    /// Record that a clinic was held, with each action it mandated.
    Hold {
        #[command(flatten)]
        clinic: ClinicArgs,
        /// An action mandated, as "ACTION|OWNER|YYYY-MM-DD" (owner and deadline); repeat for each.
        #[arg(long = "mandate", value_name = "ACTION|OWNER|DUE")]
        mandates: Vec<String>,
    },
    /// Cancel a clinic, with why.
    Cancel {
        #[command(flatten)]
        clinic: ClinicArgs,
        /// Why it is cancelled.
        #[arg(long, short = 'r')]
        reason: String,
    },
}
