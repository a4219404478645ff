//! One module per subcommand; `dispatch` picks one.

pub mod action;
pub mod applicability;
pub mod approval;
pub mod audit;
pub mod audit_narrative;
pub mod audit_publications;
pub mod audit_quality;
pub mod backup;
pub mod bench;
pub mod chase;
pub mod checkpoint;
pub mod claims;
pub mod clinic;
pub mod compare;
pub mod explain;
pub mod history;
pub mod import;
pub mod import_actions;
pub mod import_values;
pub mod init;
pub mod keys;
pub mod lock;
pub mod measure;
pub mod meeting;
pub mod migrate;
pub mod observations;
pub mod project;
pub mod proof;
pub mod publish;
pub mod rebuild;
pub mod record;
pub mod refresh;
pub mod report;
pub mod restated;
pub mod restore;
pub mod roll_over;
pub mod serve;
pub mod session;
pub mod set_aside;
pub mod token;
pub mod verify;

use std::sync::Arc;

use scoreledger_domain::Actor;
use scoreledger_store::SystemClock;

use crate::app::{actor_from, App};
use crate::args::{Cli, Command};
use crate::councils::{CouncilPlace, Scope};
use crate::failure::{CliResult, Failed};
use crate::settings::{settings, NatsOptions};

/// Runs the parsed command line.
pub async fn dispatch(mut cli: Cli) -> CliResult {
    if let Some(server) = cli.server.clone() {
        return crate::remote::dispatch(cli, &server, &mut std::io::stdout()).await;
    }
    let actor = actor_from(&cli)?;
    let reported = crate::app::reported_from(&cli)?;
    if reported.is_some() && !records_changes(&cli.command) {
        return Err(Failed::rejected(
            "--reported-on and --reported-in date the changes a command records (record, import, \
             import-values, import-actions, action, meeting, clinic, amend, withdraw, lock, \
             publish, …); this command records none that could carry them. Leave them out, or use \
             history --reported-by to read that axis",
        ));
    }
    if let Command::Demo(args) = &cli.command {
        return crate::demo::run(args, cli.store.as_deref(), &cli.db, &mut std::io::stdout()).await;
    }
    let out = &mut std::io::stdout();
    let place = match crate::councils::scope(&mut cli)? {
        Scope::One(place) => place,
        Scope::Every(places) => return every_council(cli, places, actor, out).await,
    };
    let settings = settings(&cli.db, cli.store.as_deref(), &NatsOptions::from_cli(&cli)?)?;
    // These open the log themselves: a restore's log must not be created before it.
    match &cli.command {
        Command::Backup(args) => return backup::run(&settings, args, out).await,
        Command::Restore(args) => return restore::run(&settings, args, out).await,
        Command::Bench(args) => return bench::run(args, out).await,
        _ => {}
    }
    let signing = crate::signing::signing(&cli, &settings)?;
    let mut app = App::open_signed(&settings, actor, Arc::new(SystemClock), signing).await?;
    app.reported = reported;
    app.council = place.map(|place| place.council);
    let done = match cli.command {
        Command::Demo(_) | Command::Backup(_) | Command::Restore(_) | Command::Bench(_) => {
            unreachable!("handled above")
        }
        Command::Init => init::run(&app, &settings, out).await,
        Command::Import(args) => import::run(&app, &args, out).await,
        Command::ImportValues(args) => import_values::run(&app, &args, out).await,
        Command::ImportActions(args) => import_actions::run(&app, &args, out).await,
        Command::RollOver(args) => roll_over::run(&app, &args, out).await,
        Command::Chase(args) => chase::run(&app, &args, out).await,
        Command::Record(args) => record::run(&app, args, out).await,
        Command::Signoff(args) => approval::sign_off(&app, &args, out).await,
        Command::ApproveNote(args) => approval::approve_note(&app, &args, out).await,
        Command::Amend(args) => approval::amend(&app, args, out).await,
        Command::Withdraw(args) => applicability::run(&app, &args, false, out).await,
        Command::Reinstate(args) => applicability::run(&app, &args, true, out).await,
        Command::Lock(args) => lock::run(&app, &args, true, out).await,
        Command::Reopen(args) => lock::run(&app, &args, false, out).await,
        Command::Publish(args) => publish::run(&app, &args, out).await,
        Command::Meeting(command) => meeting::run(&app, command, out).await,
        Command::Clinic(command) => clinic::run(&app, command, out).await,
        Command::Action(command) => action::run(&app, command, out).await,
        Command::Report(args) => report::run(&app, &args, out).await,
        Command::History(args) => history::run(&app, &args, out).await,
        Command::Measure(args) => measure::run(&app, &args, out).await,
        Command::Explain(args) => explain::run(&app, &args, out).await,
        Command::Audit(command) => audit::run(&app, &command, out).await,
        Command::Project => project::run(std::slice::from_ref(&app), out).await,
        Command::Serve(args) => serve::run(std::slice::from_ref(&app), &args, out).await,
        Command::Token(command) => token::run(&app, &command, out).await,
        Command::Session(command) => session::run(&app, &command, out).await,
        Command::Migrate => migrate::run(&app, &settings, out).await,
        Command::Rebuild(args) => rebuild::run(&app, &args, out).await,
        Command::SetAside(args) => set_aside::run(&app, &args, out).await,
        Command::Verify(args) => verify::run(&app, &args, out).await,
        Command::Keys(command) => keys::run(&app, &settings, &command, out).await,
        Command::Checkpoint(command) => checkpoint::run(&app, &command, out).await,
        Command::Proof(command) => proof::run(&app, &command, out).await,
    };
    done?;
    // The command's work is done; a checkpoint that cannot be exported now is exported by the
    // next command, so it warns rather than fails.
    if let Err(err) = keys::export_latest(&app).await {
        eprintln!(
            "warning: the latest checkpoint was not exported: {}",
            err.render()
        );
    }
    Ok(())
}

/// `serve`, `project` or `migrate` over every council of a councils file: each council's log
/// and read models opened (and migrated) in turn, each with its own key and checkpoints.
async fn every_council(
    mut cli: Cli,
    places: Vec<CouncilPlace>,
    actor: Actor,
    out: &mut dyn std::io::Write,
) -> CliResult {
    let mut apps = Vec::new();
    for place in places {
        let id = place.council.id.clone();
        place.apply(&mut cli);
        let opened = async {
            let settings = settings(&cli.db, cli.store.as_deref(), &NatsOptions::from_cli(&cli)?)?;
            let signing = crate::signing::signing(&cli, &settings)?;
            let mut app =
                App::open_signed(&settings, actor.clone(), Arc::new(SystemClock), signing).await?;
            app.council = Some(place.council);
            CliResult::Ok((app, settings))
        };
        apps.push(
            opened
                .await
                .map_err(|err| err.context(format!("council {id}")))?,
        );
    }
    // Each council's checkpoints name it: two councils signing under one origin would make
    // one council's checkpoint pass for the other's.
    for (i, (a, _)) in apps.iter().enumerate() {
        for (b, _) in &apps[i + 1..] {
            if let (Some(x), Some(y)) = (a.store.key(), b.store.key()) {
                if x.origin() == y.origin() {
                    return Err(Failed::rejected(format!(
                        "councils {} and {} sign under one origin, {}; each council's key names it (keys generate --origin scoreledger.example/<council>)",
                        council_id(a),
                        council_id(b),
                        x.origin()
                    )));
                }
            }
        }
    }
    match &cli.command {
        Command::Serve(args) => {
            let apps: Vec<App> = apps.into_iter().map(|(app, _)| app).collect();
            serve::run(&apps, args, out).await
        }
        Command::Project => {
            let apps: Vec<App> = apps.into_iter().map(|(app, _)| app).collect();
            project::run(&apps, out).await
        }
        _ => {
            for (app, settings) in &apps {
                if let Some(council) = &app.council {
                    writeln!(out, "council {} ({}):", council.id, council.name)?;
                }
                migrate::run(app, settings, out).await?;
                if let Err(err) = keys::export_latest(app).await {
                    eprintln!(
                        "warning: the latest checkpoint was not exported: {}",
                        err.render()
                    );
                }
            }
            Ok(())
        }
    }
}

fn council_id(app: &App) -> String {
    app.council
        .as_ref()
        .map(|council| council.id.to_string())
        .unwrap_or_default()
}

/// Whether the command records changes that can carry the day they were reported: the log's
/// own records (keys, checkpoints, reads), the lists of a group that also writes, and the
/// demos, backups and benchmarks cannot.
fn records_changes(command: &Command) -> bool {
    use crate::args::{ActionCommand, MeetingCommand, TokenCommand};
    if matches!(
        command,
        Command::Action(ActionCommand::List { .. })
            | Command::Meeting(MeetingCommand::List { .. })
            | Command::Token(TokenCommand::List { .. })
    ) {
        return false;
    }
    matches!(
        command,
        Command::Import(_)
            | Command::ImportValues(_)
            | Command::ImportActions(_)
            | Command::RollOver(_)
            | Command::Record(_)
            | Command::Signoff(_)
            | Command::ApproveNote(_)
            | Command::Amend(_)
            | Command::Withdraw(_)
            | Command::Reinstate(_)
            | Command::Lock(_)
            | Command::Reopen(_)
            | Command::Publish(_)
            | Command::Meeting(_)
            | Command::Clinic(_)
            | Command::Action(_)
            | Command::SetAside(_)
            | Command::Token(_)
    )
}
