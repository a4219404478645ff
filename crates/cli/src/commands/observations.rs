//! `scoreledger audit observations`: a measure's year-to-date series as it was observed and
//! reported (question 15), on either axis of time.

use std::io::Write;

use scoreledger_domain::{MeasureRef, Period};
use scoreledger_projections::{history, HistoryFilter};
use scoreledger_reports::observations::{series, Series};

use crate::app::{date, period, App};
use crate::args::AsAtArgs;
use crate::as_at;
use crate::failure::{CliResult, Failed};

/// What `audit observations` was asked.
#[derive(Debug)]
pub struct Wanted<'a> {
    /// The measure, as typed.
    pub measure: &'a str,
    /// Only this financial year, as typed.
    pub year: Option<&'a str>,
    /// Only what had been reported by this day, as typed.
    pub reported_by: Option<&'a str>,
    /// JSON rather than a table.
    pub json: bool,
}

/// Runs `audit observations`.
pub async fn run(
    app: &App,
    wanted: &Wanted<'_>,
    when: &AsAtArgs,
    out: &mut dyn Write,
) -> CliResult {
    let at = as_at::resolve(app, when).await?;
    let measure_ref = MeasureRef::parse(wanted.measure)
        .map_err(Failed::rejected)?
        .to_string();
    let year = wanted
        .year
        .map(period)
        .transpose()?
        .map(|p| Period::financial_year(p.financial_year_of()).to_string());
    let reported_by = wanted.reported_by.map(date).transpose()?;
    app.measure(&measure_ref, None).await?;
    let filter = HistoryFilter {
        measure_ref: Some(measure_ref.clone()),
        what: vec!["value".to_owned()],
        through: Some(at),
        reported_by: reported_by.map(|d| d.to_string()),
        ..HistoryFilter::default()
    };
    app.record_read(Some(measure_ref.clone())).await?;
    let found: Vec<Series> = series(&history(app.read(), &filter).await?)
        .into_iter()
        .filter(|s| year.as_ref().is_none_or(|y| &s.year == y))
        .collect();
    if wanted.json {
        writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&found).expect("observations serialise")
        )?;
        return Ok(());
    }
    if found.is_empty() {
        writeln!(
            out,
            "{measure_ref} has no year-to-date observations{}{} at position {at}; a figure from the \
             start of the year to a day is recorded for a period such as \"2010/11 to 20 Aug 2010\"",
            year.map(|y| format!(" of {y}")).unwrap_or_default(),
            reported_by
                .map(|d| format!(" reported by {d}"))
                .unwrap_or_default(),
        )?;
    }
    for s in &found {
        print(s, out)?;
    }
    Ok(())
}

fn day(on: chrono::NaiveDate) -> String {
    on.format("%-d %b %Y").to_string()
}

fn print(s: &Series, out: &mut dyn Write) -> CliResult {
    let corrections: usize = s.observations.iter().map(|o| o.corrections.len()).sum();
    writeln!(
        out,
        "{}, {} so far: {} observation(s), {corrections} correction(s)",
        s.measure_ref,
        s.year,
        s.observations.len()
    )?;
    let mut t = super::audit::table(&["As at", "Figure", "Reported", "Recorded (position)"]);
    for o in &s.observations {
        let mut figure = o.first.clone();
        for c in &o.corrections {
            figure.push_str(&format!(
                "\n→ {} (correction reported {}{}: {})",
                c.to,
                day(c.reported.on),
                c.classification
                    .as_deref()
                    .map(|k| format!(", {k}"))
                    .unwrap_or_default(),
                c.reason.as_deref().unwrap_or("no reason recorded")
            ));
        }
        t.add_row(vec![
            day(o.as_at),
            figure,
            match &o.reported.document {
                Some(document) => format!("{}\n{document}", day(o.reported.on)),
                None => format!("{} (when recorded)", day(o.reported.on)),
            },
            format!(
                "{} ({})",
                o.reported
                    .recorded_at
                    .get(..16)
                    .unwrap_or(&o.reported.recorded_at)
                    .replace('T', " "),
                o.reported.position
            ),
        ]);
    }
    writeln!(out, "{t}")?;
    for b in &s.between {
        writeln!(
            out,
            "Reported {}: {} (to {}); reported {}: {} (to {}); {} correction(s) reported in between",
            day(b.from),
            b.before,
            b.before_period
                .rsplit(" to ")
                .next()
                .unwrap_or(&b.before_period),
            day(b.to),
            b.after,
            b.after_period.rsplit(" to ").next().unwrap_or(&b.after_period),
            b.corrections
        )?;
    }
    Ok(())
}
