//! `scoreledger demo --2010`: the 2010 Notice to Improve action plan typed in from its packs
//! years later, each update and each figure dated as it was reported (`--reported-on`), so
//! that the audits answer as the Improvement Panel saw it: the RAG tallies of the 17 May and
//! 20 August 2010 updates and what changed between them, the target dates moved, and NI 59's
//! year-to-date figures as reported to the Panel (questions 15, 16 and S16, S17, S19, S20).
//!
//! The data is the project's transcription of the packs (`fixtures/notice_to_improve_2010`,
//! whose README gives every source line and judgement call), built into the binary.

use std::io::Write;
use std::sync::Arc;

use chrono::{DateTime, NaiveDate, TimeZone, Utc};

use scoreledger_domain::{Command, DataQuality, Direction, Period, Rag, RecordedValue, Reported};
use scoreledger_store::ManualClock;

use crate::args::{AsAtArgs, DemoArgs, Format};
use crate::commands::{action, import, import_actions, observations};
use crate::demo::{open, DemoLog};
use crate::failure::{CliResult, Failed};
use crate::import::{parse_json, Numbering};

const PLAN: &str = include_str!("../../../fixtures/notice_to_improve_2010/plan.json");
const MAY: &[u8] =
    include_bytes!("../../../fixtures/notice_to_improve_2010/actions-2010-05-17.csv");
const AUGUST: &[u8] =
    include_bytes!("../../../fixtures/notice_to_improve_2010/actions-2010-08-20.csv");
const OBSERVATIONS: &[u8] =
    include_bytes!("../../../fixtures/notice_to_improve_2010/observations.csv");

/// The improvement plan the actions belong to.
pub const PLAN_NAME: &str = "RMBC Notice to Improve Action Plan";
/// What the 17 May update printed of its 44 actions [001:467-473].
pub const MAY_SUMMARY: &str =
    "Red: 2 (5%) Amber: 22 (50%) Green: 20 (45%) (out of which 13 are now deemed as completed)";

/// One year-to-date figure as a pack quotes it, with the RAG rating and arrow an update
/// printed beside it (the Panel's figures carry none).
struct Observation {
    reference: String,
    through: NaiveDate,
    value: String,
    reported: Reported,
    rag: Option<Rag>,
    arrow: Option<Direction>,
}

fn observations() -> CliResult<Vec<Observation>> {
    let mut reader = csv::Reader::from_reader(OBSERVATIONS);
    let header = reader.headers().map_err(Failed::rejected)?.clone();
    let column = |name: &str| {
        header
            .iter()
            .position(|h| h == name)
            .ok_or_else(|| Failed::rejected(format!("observations.csv has no column {name}")))
    };
    let (reference, as_at, value, on, document) = (
        column("ref")?,
        column("as_at")?,
        column("value")?,
        column("reported_on")?,
        column("document")?,
    );
    let (rag, arrow) = (column("rag")?, column("arrow")?);
    let mut found = Vec::new();
    for record in reader.records() {
        let record = record.map_err(Failed::rejected)?;
        let day = |i: usize| {
            record[i]
                .parse::<NaiveDate>()
                .map_err(|err| Failed::rejected(format!("observations.csv: {err}")))
        };
        let optional = |i: usize| (!record[i].trim().is_empty()).then(|| record[i].to_owned());
        found.push(Observation {
            reference: record[reference].to_owned(),
            through: day(as_at)?,
            value: record[value].to_owned(),
            reported: Reported {
                on: day(on)?,
                document: record[document].to_owned(),
            },
            rag: optional(rag)
                .map(|r| r.parse::<Rag>())
                .transpose()
                .map_err(Failed::rejected)?,
            arrow: optional(arrow)
                .map(|a| Direction::parse_printed(&a))
                .transpose()
                .map_err(Failed::rejected)?,
        });
    }
    Ok(found)
}

fn at(year: i32, month: u32, day: u32, minute: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(year, month, day, 9, minute, 0)
        .single()
        .expect("valid demo time")
}

fn day(year: i32, month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, day).expect("valid demo date")
}

/// Runs `demo --2010`.
pub async fn run(args: &DemoArgs, store: Option<&str>, db: &str, out: &mut dyn Write) -> CliResult {
    // Typed in on one morning long after: the log records that day; each commit says the day
    // its pack reported it.
    let clock = Arc::new(ManualClock::new(at(2026, 11, 30, 0)));
    let DemoLog {
        temporary,
        mut app,
        log,
        db,
        postgres,
        ..
    } = open(args, store, db, clock.clone()).await?;
    writeln!(
        out,
        "Scoreledger demo: {PLAN_NAME} (Rotherham MBC, 2010), typed in from its packs on a \
         simulated clock into {log}\n"
    )?;
    let plan = parse_json(PLAN)
        .and_then(|file| file.validate(Numbering::Measures))
        .map_err(Failed::rejected)?;
    import::apply(&app, &plan, "notice-to-improve-2010", false).await?;
    app.catch_up().await?;
    writeln!(
        out,
        "  30 Nov 2026  the plan's {} performance measures defined",
        plan.measures.len()
    )?;

    let figures = observations()?;
    let updates = [
        (
            day(2010, 5, 17),
            "Notice to Improve action plan update, 17 May 2010, Appendix A",
            MAY,
        ),
        (
            day(2010, 8, 20),
            "Notice to Improve action plan update, 20 August 2010, Appendix A",
            AUGUST,
        ),
    ];
    // Every report, in the order reported: the updates and the figures the packs quote.
    let mut days: Vec<(NaiveDate, String)> = figures
        .iter()
        .map(|o| (o.reported.on, o.reported.document.clone()))
        .chain(
            updates
                .iter()
                .map(|(on, document, _)| (*on, (*document).to_owned())),
        )
        .collect();
    days.sort();
    days.dedup();
    for (minute, (on, document)) in (1..).zip(days) {
        clock.set(at(2026, 11, 30, minute));
        app.reported = Some(Reported {
            on,
            document: document.clone(),
        });
        let mut said = Vec::new();
        if let Some((_, _, bytes)) = updates.iter().find(|(d, u, _)| *d == on && *u == document) {
            let imported = import_actions::apply(&app, PLAN_NAME, bytes, false).await?;
            said.push(imported.summary());
        }
        for figure in figures
            .iter()
            .filter(|o| o.reported.on == on && o.reported.document == document)
        {
            let period = Period::YearToDate {
                fy: 2010,
                through: figure.through,
            };
            let (measure_id, plan_id) = app.measure(&figure.reference, Some(&period)).await?;
            // The figure and the rating printed beside it, in one commit.
            let mut commands = vec![Command::RecordValue {
                period,
                value: RecordedValue::parse(&figure.value).map_err(Failed::rejected)?,
                quality: DataQuality::default(),
            }];
            commands.extend(figure.rag.map(|rag| Command::AssessRag { period, rag }));
            commands.extend(
                figure
                    .arrow
                    .map(|direction| Command::AssessDirection { period, direction }),
            );
            app.execute_as(
                &app.actor,
                &measure_id.stream(),
                Some(plan_id),
                &commands,
                None,
                None,
            )
            .await?;
            let rated = match (figure.rag, figure.arrow) {
                (Some(rag), Some(arrow)) => format!(" {} {rag}", arrow.symbol()),
                (Some(rag), None) => format!(" {rag}"),
                _ => String::new(),
            };
            said.push(format!("{} {}{rated}", figure.reference, figure.value));
        }
        writeln!(
            out,
            "  {}  {document}: {}",
            on.format("%e %b %Y"),
            said.join("; ")
        )?;
    }
    app.reported = None;
    app.catch_up().await?;
    let now = AsAtArgs::default();

    writeln!(
        out,
        "\n━━ The RAG tally as reported on 17 May and on 20 August 2010 ━━\n"
    )?;
    let asked = action::RagAsked {
        plan: Some(PLAN_NAME),
        against: None,
        reported_by: Some("2010-08-20"),
        against_reported: Some("2010-05-17"),
    };
    action::rag(&app, &asked, &now, Format::Table, out).await?;
    writeln!(
        out,
        "The 17 May update printed \"{MAY_SUMMARY}\" of 44 actions; one of its RAG cells (the PDR \
         row, 001:724-731) is illegible in the source, so the log holds 43 ratings of the 44."
    )?;

    writeln!(out, "\n━━ Target dates moved between the updates ━━\n")?;
    action::dates(&app, "2010-05-17", "2010-08-20", Format::Table, out).await?;

    writeln!(out, "\n━━ NI 59 as reported to the Panel ━━\n")?;
    let wanted = observations::Wanted {
        measure: "NI 59",
        year: None,
        reported_by: None,
        json: false,
    };
    observations::run(&app, &wanted, &now, out).await?;

    // The measures as the August update rated them, judged by the milestones due by then.
    let august = Period::YearToDate {
        fy: 2010,
        through: day(2010, 8, 20),
    };
    writeln!(
        out,
        "\n━━ The performance measures as rated on 20 August 2010 ━━\n"
    )?;
    let report = crate::commands::report::build(&app, august, app.head().await?).await?;
    writeln!(out, "{}", report.summary.rag_sentence().unwrap_or_default())?;
    for row in &report.rows {
        writeln!(
            out,
            "  {:<6} {:>7}  {} {}  (target {})",
            row.measure_ref,
            report
                .cell(&row.measure_ref, &august.to_string())
                .flatten()
                .unwrap_or_default(),
            row.direction.symbol(),
            row.rag
                .map_or("not rated".to_owned(), |rag| rag.to_string()),
            row.target.as_deref().unwrap_or("none")
        )?;
    }
    // The rules judge each figure against the milestone worked towards on 20 August (NI 68,
    // "mid range is good", against the figure it aims at); where the update rated otherwise,
    // it shows.
    let overrides = scoreledger_projections::overrides_as_at(app.read(), app.head().await?)
        .await?
        .into_iter()
        .filter(|o| o.period == august.to_string())
        .map(|o| {
            format!(
                "{} rated {}, the rules suggest {}{}",
                o.measure_ref,
                o.assessed,
                o.computed,
                if o.reason.is_none() {
                    " (no rationale recorded)"
                } else {
                    ""
                }
            )
        })
        .collect::<Vec<_>>();
    writeln!(
        out,
        "Rated against the rules' suggestion: {} (scoreledger audit overrides -p \"{august}\")",
        if overrides.is_empty() {
            "none".to_owned()
        } else {
            overrides.join("; ")
        }
    )?;

    let head = app.head().await?;
    writeln!(out, "\n  {head} commits in the log.")?;
    if temporary.is_some() && !postgres {
        writeln!(
            out,
            "\nThe demo database was temporary. Keep one to explore: scoreledger demo --2010 --keep nti.db, then\n  \
             scoreledger --db nti.db audit action-rag --reported-by 2010-05-17\n  \
             scoreledger --db nti.db audit observations -m \"NI 68\" --reported-by 2010-07-13\n  \
             scoreledger --db nti.db action list\n  \
             scoreledger --db nti.db history --reported-by 2010-05-17"
        )?;
    } else {
        writeln!(
            out,
            "\nExplore it: scoreledger --db {} audit action-rag --reported-by 2010-05-17",
            scoreledger_store::redacted(&db)
        )?;
    }
    Ok(())
}
