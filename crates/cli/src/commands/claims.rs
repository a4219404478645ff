//! `scoreledger audit counts`: counts quoted elsewhere (a cover report, a narrative) checked
//! against every state of the log the period's report went through.

use std::io::Write;

use scoreledger_domain::Position;
use scoreledger_projections::{self as projections, HistoryFilter};
use scoreledger_reports::claims::{
    counts, distance, figure_names, inconsistencies, share_text, Counts,
};
use serde::Serialize;

use crate::app::{period, App};
use crate::args::CountsArgs;
use crate::as_at;
use crate::commands::report::build;
use crate::failure::{CliResult, Failed};

/// The summary's counts at one position, and how they differ from the claim.
#[derive(Debug, Serialize)]
struct State {
    position: u64,
    recorded_at: String,
    distance: u64,
    /// Claimed figures that differ: (figure, in the log, quoted).
    differs: Vec<(String, u64, u64)>,
}

#[derive(Debug, Serialize)]
struct Verdict {
    period: String,
    claimed: Counts,
    inconsistencies: Vec<String>,
    searched: usize,
    matches: Vec<State>,
    closest: Vec<State>,
    publications: Vec<(String, State)>,
}

fn claimed(args: &CountsArgs) -> Counts {
    [
        ("status:on_target", args.on_target),
        ("status:satisfactory", args.satisfactory),
        ("status:off_target", args.off_target),
        ("status:under_development", args.under_development),
        ("status:not_applicable", args.not_applicable),
        ("status:not_yet_available", args.not_yet_available),
        ("direction:improved", args.improved),
        ("direction:stable", args.stable),
        ("direction:worse", args.worse),
        ("direction:not_applicable", args.direction_not_applicable),
        ("measured", args.measured),
        ("with_direction", args.with_direction),
        ("total", args.total),
    ]
    .into_iter()
    .filter_map(|(figure, count)| Some((figure.to_owned(), count?)))
    .collect()
}

fn state(position: u64, recorded_at: &str, actual: &Counts, claimed: &Counts) -> State {
    State {
        position,
        recorded_at: recorded_at
            .get(..16)
            .unwrap_or(recorded_at)
            .replace('T', " "),
        distance: distance(actual, claimed),
        differs: claimed
            .iter()
            .filter_map(|(figure, &quoted)| {
                let actual = actual.get(figure).copied().unwrap_or(0);
                (actual != quoted).then(|| (figure.clone(), actual, quoted))
            })
            .collect(),
    }
}

fn words(figure: &str) -> String {
    figure
        .split_once(':')
        .map_or(figure, |(_, name)| name)
        .replace('_', " ")
}

fn describe(state: &State) -> String {
    if state.differs.is_empty() {
        return format!(
            "#{} ({}): every quoted count",
            state.position, state.recorded_at
        );
    }
    let differs: Vec<String> = state
        .differs
        .iter()
        .map(|(figure, actual, quoted)| format!("{} {actual} (quoted {quoted})", words(figure)))
        .collect();
    format!(
        "#{} ({}): {}",
        state.position,
        state.recorded_at,
        differs.join(", ")
    )
}

/// Runs `audit counts`.
pub async fn run(app: &App, args: &CountsArgs, out: &mut dyn Write) -> CliResult {
    let at = as_at::resolve(app, &args.when).await?;
    let reported = period(&args.period)?;
    let claimed = claimed(args);
    if claimed.is_empty() {
        return Err(Failed::rejected(format!(
            "give the counts to check, e.g. --off-target 16 --worse 14; figures: {}",
            figure_names().join(", ")
        )));
    }
    // The summary changes only where an assessment of the period was recorded.
    let mut changes = projections::history(
        app.read(),
        &HistoryFilter {
            period: Some(reported.to_string()),
            what: vec![
                "status".into(),
                "direction of travel".into(),
                "RAG rating".into(),
            ],
            through: Some(at),
            ..HistoryFilter::default()
        },
    )
    .await?;
    changes.dedup_by_key(|e| e.position);
    if changes.is_empty() {
        return Err(Failed::rejected(format!(
            "nothing has been assessed for {reported} by position {at}; there is no summary to check against"
        )));
    }
    let mut states = Vec::new();
    let mut total = 0;
    for change in &changes {
        let report = build(app, reported, Position(change.position as u64)).await?;
        let actual = counts(&report.summary);
        total = report.summary.total;
        states.push((
            change.position as u64,
            state(
                change.position as u64,
                &change.recorded_at,
                &actual,
                &claimed,
            ),
        ));
    }
    let mut publications = Vec::new();
    for p in projections::all_publications(app.read()).await? {
        if p.period != reported.to_string() || p.position as u64 > at.0 {
            continue;
        }
        let report = build(app, reported, Position(p.cut_off as u64)).await?;
        let actual = counts(&report.summary);
        publications.push((
            format!(
                "{} report published {} to {}",
                p.period, p.published_on, p.meeting
            ),
            state(p.cut_off as u64, &p.published_on, &actual, &claimed),
        ));
    }
    let searched = states.len();
    let best = states.iter().map(|(_, s)| s.distance).min().unwrap_or(0);
    let (matches, others): (Vec<State>, Vec<State>) = states
        .into_iter()
        .map(|(_, s)| s)
        .partition(|s| s.distance == 0);
    let closest: Vec<State> = if matches.is_empty() {
        others.into_iter().filter(|s| s.distance == best).collect()
    } else {
        Vec::new()
    };
    let verdict = Verdict {
        period: reported.to_string(),
        inconsistencies: inconsistencies(&claimed, total),
        claimed,
        searched,
        matches,
        closest,
        publications,
    };
    if args.json {
        writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&verdict).expect("verdicts serialise")
        )?;
        return Ok(());
    }
    print_text(&verdict, total, out)
}

fn print_text(v: &Verdict, total: u64, out: &mut dyn Write) -> CliResult {
    // In the order the summary prints them, not alphabetically.
    let in_order: Vec<(String, u64)> = figure_names()
        .into_iter()
        .filter_map(|figure| {
            let count = *v.claimed.get(&figure)?;
            Some((figure, count))
        })
        .collect();
    let quoted: Vec<String> = in_order
        .iter()
        .map(|(figure, count)| format!("{} {count}", words(figure)))
        .collect();
    writeln!(out, "Quoted for {}: {}", v.period, quoted.join(", "))?;
    let whole = |figure: &str| -> Option<u64> {
        match figure {
            "status:on_target" | "status:satisfactory" | "status:off_target" => {
                v.claimed.get("measured").copied()
            }
            "direction:improved" | "direction:stable" | "direction:worse" => {
                v.claimed.get("with_direction").copied()
            }
            _ => None,
        }
    };
    let shares: Vec<String> = in_order
        .iter()
        .filter(|(figure, _)| figure.contains(':'))
        .map(|(figure, count)| {
            let count = *count;
            let mut text = format!("{} {}", words(figure), share_text(count, total));
            if let Some(of) = whole(figure) {
                text.push_str(&format!(" of all; {}", share_text(count, of)));
            }
            text
        })
        .collect();
    writeln!(out, "Shares they imply: {}", shares.join("; "))?;
    if v.inconsistencies.is_empty() {
        writeln!(
            out,
            "Arithmetic: the quoted counts are consistent with each other."
        )?;
    } else {
        for problem in &v.inconsistencies {
            writeln!(
                out,
                "Arithmetic: {problem}: no scorecard can give all of them."
            )?;
        }
    }
    writeln!(
        out,
        "\nSearched the {} position(s) at which an assessment of {} was recorded:",
        v.searched, v.period
    )?;
    if v.matches.is_empty() {
        writeln!(
            out,
            "  no state of the log gave all the quoted counts; closest:"
        )?;
        for s in &v.closest {
            writeln!(out, "  {}", describe(s))?;
        }
    } else {
        for s in &v.matches {
            writeln!(out, "  matches at {}", describe(s))?;
        }
    }
    for (name, s) in &v.publications {
        writeln!(out, "\n{name}, at its cut-off {}", describe(s))?;
    }
    Ok(())
}
