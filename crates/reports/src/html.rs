//! The quarterly scorecard as the council prints it (Appendix B of the 2016/17 pack): one
//! self-contained HTML5 page — inline CSS and SVG, no script, nothing fetched — so it can be
//! archived, e-mailed and printed exactly as it was built.
//!
//! Like every renderer here it is a pure function of the report: no clock, no hash-map order,
//! so the same report gives byte-identical HTML and the page can be snapshot-tested.

use std::collections::BTreeMap;

use scoreledger_domain::{Direction, Rag, Status};

use crate::quarter::{QuarterReport, ReportRow};
use crate::summary::{capitalised, Share, Tally};

/// Renders the report as a complete HTML5 page: title block, dashboard (charts, summary
/// tables, executive-summary shares), key, one section per Corporate Priority and a footer
/// carrying the report's SHA-256.
pub fn scorecard(report: &QuarterReport) -> String {
    let mut page = head(report);
    page.push_str("<body>\n");
    page.push_str(&title_block(report));
    page.push_str("<main>\n");
    page.push_str(&sections(report, None));
    page.push_str("</main>\n");
    page.push_str(&footer(report));
    page.push_str("</body>\n</html>\n");
    page
}

/// Where a measure's reference links to, given its normalised reference (`2.B1`).
pub type MeasureLink<'a> = &'a dyn Fn(&str) -> String;

/// The body of the scorecard without the page around it — dashboard, key and one section per
/// Corporate Priority — for a page that embeds it (the web service's scorecard page), with
/// each measure's reference linked when `link` is given.
pub fn sections(report: &QuarterReport, link: Option<MeasureLink<'_>>) -> String {
    let mut html = set_asides(report);
    html.push_str(&dashboard(report));
    html.push_str(&key(report));
    for (number, heading) in priority_headings(report) {
        html.push_str(&priority_section(report, number, &heading, link));
    }
    html
}

// ---------------------------------------------------------------------------------------
// Text and symbols.

/// Escapes text for element content and for quoted attribute values alike.
fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            other => escaped.push(other),
        }
    }
    escaped
}

/// `on_target` → `on target`: the machine name read as words.
fn words(name: &str) -> String {
    name.replace('_', " ")
}

/// The printed symbol of a status. The pack's tick, dot and cross, its asterisk, and two
/// marks of our own for the glyphs the pack leaves blank in extraction: ○ (no target to be
/// measured against) and … (figures still to come).
fn status_symbol(status: Status) -> &'static str {
    match status {
        Status::OnTarget => "✓",
        Status::Satisfactory => "•",
        Status::OffTarget => "×",
        Status::UnderDevelopment => "*",
        Status::NotApplicable => "○",
        Status::NotYetAvailable => "…",
    }
}

/// The printed arrow of a direction of travel (an en dash where none applies).
fn direction_symbol(direction: Direction) -> &'static str {
    match direction {
        Direction::Improved => "↑",
        Direction::Stable => "→",
        Direction::Worse => "↓",
        Direction::NotApplicable => "–",
    }
}

// Colours are chosen to stay apart for the common colour-vision deficiencies and to be dark
// enough for text on white; every coloured mark also carries a symbol or word, so nothing
// depends on colour when printed in black and white.

fn status_colour(status: Status) -> &'static str {
    match status {
        Status::OnTarget => "#1b7a2f",
        Status::Satisfactory => "#a35f00",
        Status::OffTarget => "#b3261e",
        Status::UnderDevelopment => "#1f4e99",
        Status::NotApplicable => "#5f6368",
        Status::NotYetAvailable => "#6b4c9a",
    }
}

fn direction_colour(direction: Direction) -> &'static str {
    match direction {
        Direction::Improved => "#1b7a2f",
        Direction::Stable => "#1f4e99",
        Direction::Worse => "#b3261e",
        Direction::NotApplicable => "#5f6368",
    }
}

fn rag_colour(rag: Rag) -> &'static str {
    match rag {
        Rag::Red => "#b3261e",
        Rag::Amber => "#a35f00",
        Rag::Green => "#1b7a2f",
        Rag::Complete => "#1f4e99",
    }
}

/// A status symbol with its wording for screen readers (visually hidden) and as a tooltip.
fn status_mark(status: Status) -> String {
    labelled_symbol(
        status_symbol(status),
        &format!("st-{status}"),
        status.label(),
    )
}

/// A direction arrow with its wording for screen readers and as a tooltip.
fn direction_mark(direction: Direction) -> String {
    labelled_symbol(
        direction_symbol(direction),
        &format!("dot-{direction}"),
        direction.label(),
    )
}

/// A 2010 RAG rating: the rating is a word, so it needs no hidden text.
fn rag_mark(rag: Rag) -> String {
    format!(
        r#"<span class="rag rag-{rag}">{}</span>"#,
        capitalised(rag.as_str())
    )
}

fn labelled_symbol(symbol: &str, class: &str, wording: &str) -> String {
    let wording = escape(wording);
    format!(
        r#"<span class="sym {class}" title="{wording}"><span aria-hidden="true">{symbol}</span><span class="vh">{wording}</span></span>"#
    )
}

/// Escapes `text` and wraps its trailing annotation — from the last `opening` on, which is
/// where the report builder appends it — in a `<mark>`, so a revised figure or a changed
/// target stands out while the words stay as the report has them.
fn with_marked_annotation(text: &str, opening: &str, class: &str) -> String {
    match text.rfind(opening) {
        Some(at) => format!(
            r#"{}<mark class="{class}">{}</mark>"#,
            escape(&text[..at]),
            escape(&text[at..])
        ),
        None => escape(text),
    }
}

fn percent(share: &Share) -> String {
    share.percent.clone().unwrap_or_else(|| "–".to_owned())
}

// ---------------------------------------------------------------------------------------
// Page head, title block and footer.

fn page_title(report: &QuarterReport) -> String {
    format!(
        "{} — Quarterly Performance Scorecard — {}",
        report.plan, report.period
    )
}

fn head(report: &QuarterReport) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en-GB\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"generator\" content=\"Scoreledger ({format})\">\n\
         <title>{title}</title>\n<style>\n{css}</style>\n</head>\n",
        format = escape(&report.format),
        title = escape(&page_title(report)),
        css = stylesheet(),
    )
}

const BASE_CSS: &str = "\
body { font-family: Arial, Helvetica, sans-serif; font-size: 11pt; color: #111; background: #fff; margin: 1.5rem; }
h1 { font-size: 1.6rem; margin: 0 0 .25rem; }
h1 .plan { display: block; font-size: 1.05rem; font-weight: normal; }
h2 { font-size: 1.25rem; margin: 1.75rem 0 .5rem; }
h3 { font-size: 1.05rem; margin: 1rem 0 .4rem; }
.as-at { margin: .25rem 0; font-weight: bold; }
.disclaimer { border-left: 4px solid #5f6368; padding: .25rem .75rem; max-width: 62rem; }
table { border-collapse: collapse; margin: .5rem 0 1rem; }
caption { text-align: left; font-weight: bold; padding: .25rem 0; }
th, td { border: 1px solid #767676; padding: .25rem .35rem; vertical-align: top; text-align: left; }
thead th { background: #e8eaed; }
tfoot th, tfoot td { font-weight: bold; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.summary-tables, .charts, .key-tables { display: flex; flex-wrap: wrap; gap: 0 2rem; align-items: flex-start; }
.chart { max-width: 100%; height: auto; }
.chart text { font-size: 13px; fill: #111; }
.chart .count { font-weight: bold; }
.sym { font-weight: bold; font-size: 1.15em; }
.swatch { display: inline-block; min-width: 1.4em; text-align: center; color: #fff; font-weight: bold; border: 1px solid #111; }
.key { border: 1px solid #767676; padding: .25rem 1rem .5rem; margin-top: 1.5rem; }
.key th.sym { text-align: center; min-width: 2em; }
table.scorecard { font-size: 8.5pt; width: 100%; }
table.scorecard td.status, table.scorecard td.dot { text-align: center; }
table.scorecard td.note { min-width: 16rem; white-space: pre-line; }
table.scorecard th.outcome { background: #f3f4f6; }
.priority-measure { font-weight: bold; white-space: nowrap; }
.suggested { display: block; margin-top: .2rem; font-size: .8em; font-weight: normal; color: #333; }
mark.revised { background: #fff3b0; color: inherit; font-style: italic; }
mark.changed { background: #dbe9ff; color: inherit; font-style: italic; }
.rag { font-weight: bold; }
.vh { position: absolute; width: 1px; height: 1px; margin: -1px; padding: 0; border: 0; overflow: hidden; clip: rect(0 0 0 0); clip-path: inset(50%); white-space: nowrap; }
footer { margin-top: 2rem; font-size: .85em; color: #333; border-top: 1px solid #767676; }
code.sha256 { word-break: break-all; }
@media print {
  @page { size: A4 landscape; margin: 10mm; }
  body { margin: 0; font-size: 9pt; }
  thead { display: table-header-group; }
  tfoot { display: table-footer-group; }
  tr, th, td { break-inside: avoid; page-break-inside: avoid; }
  section.priority { break-before: page; page-break-before: always; }
  h2, h3, caption { break-after: avoid; page-break-after: avoid; }
  .chart, .swatch, mark, thead th { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
";

/// The base rules plus one colour rule per status, direction and rating, generated from the
/// same functions that colour the chart bars so the two cannot drift apart.
pub fn stylesheet() -> String {
    let mut css = BASE_CSS.to_owned();
    for &status in Status::ALL {
        css.push_str(&format!(
            ".st-{status} {{ color: {}; }}\n",
            status_colour(status)
        ));
    }
    for &direction in Direction::ALL {
        css.push_str(&format!(
            ".dot-{direction} {{ color: {}; }}\n",
            direction_colour(direction)
        ));
    }
    for &rag in Rag::ALL {
        let colour = rag_colour(rag);
        css.push_str(&format!(
            ".rag-{rag} {{ color: {colour}; }}\n.swatch.rag-{rag} {{ background: {colour}; color: #fff; }}\n"
        ));
    }
    css
}

fn title_block(report: &QuarterReport) -> String {
    format!(
        "<header>\n<h1><span class=\"plan\">{plan}</span> Quarterly Performance Scorecard</h1>\n\
         <p class=\"as-at\">{period} — as at log position {position}, rules v{rules}</p>\n\
         <p class=\"disclaimer\">Please note: care is taken to make these figures as accurate as \
         possible, but data entered late can change them, so a report re-run for the same period \
         may show different figures. Scoreledger keeps every revision: a revised figure is marked \
         below with the figure first published, and this report is identified by the log position \
         it was built at and by its SHA-256 (at the foot of the page).</p>\n</header>\n",
        plan = escape(&report.plan),
        period = escape(&report.period),
        position = report.position,
        rules = report.rule_set_version,
    )
}

/// Commits set aside before the report's position, said before any figure.
fn set_asides(report: &QuarterReport) -> String {
    let notices = report.set_aside_notices();
    if notices.is_empty() {
        return String::new();
    }
    let mut html = String::from(
        "<section class=\"set-asides\" role=\"note\">\n<h2>Commits set aside</h2>\n<ul>\n",
    );
    for notice in notices {
        html.push_str(&format!("<li>{}</li>\n", escape(&notice)));
    }
    html.push_str("</ul>\n</section>\n");
    html
}

fn footer(report: &QuarterReport) -> String {
    format!(
        "<footer>\n<p>Report format <code>{format}</code>. SHA-256 of the canonical report: \
         <code class=\"sha256\">{sha}</code></p>\n\
         <p>Rebuilding this report at log position {position} with rules v{rules} gives the same \
         SHA-256; a different one means the figures differ.</p>\n</footer>\n",
        format = escape(&report.format),
        sha = report.sha256(),
        position = report.position,
        rules = report.rule_set_version,
    )
}

// ---------------------------------------------------------------------------------------
// Dashboard.

fn uses_rag(report: &QuarterReport) -> bool {
    !report.summary.rag.is_empty()
}

fn dashboard(report: &QuarterReport) -> String {
    let mut html = format!(
        "<section class=\"dashboard\" aria-labelledby=\"dashboard-heading\">\n\
         <h2 id=\"dashboard-heading\">Dashboard — {}</h2>\n<div class=\"charts\">\n",
        escape(&report.period)
    );
    html.push_str(&assessment_chart(report));
    html.push_str(&bar_chart(
        "direction-chart",
        &format!(
            "Direction of travel of all {} measures",
            report.summary.total
        ),
        &report
            .summary
            .direction
            .iter()
            .map(direction_bar)
            .collect::<Vec<_>>(),
    ));
    html.push_str("</div>\n<div class=\"summary-tables\">\n");
    html.push_str(&assessment_table(report));
    html.push_str(&direction_table(report));
    html.push_str("</div>\n");
    html.push_str(&executive_summary(report));
    html.push_str(&if uses_rag(report) {
        rag_priority_table(report)
    } else {
        priority_counts_table(report)
    });
    html.push_str("</section>\n");
    html
}

/// One bar of a chart.
struct Bar {
    /// Symbol and words, as the bar's label.
    label: String,
    count: u64,
    percent: Option<String>,
    colour: &'static str,
}

fn status_bar(tally: &Tally) -> Bar {
    let status = tally.key.parse::<Status>().ok();
    Bar {
        label: match status {
            Some(status) => format!("{} {}", status_symbol(status), words(&tally.key)),
            None => words(&tally.key),
        },
        count: tally.share.count,
        percent: tally.share.percent.clone(),
        colour: status.map_or("#5f6368", status_colour),
    }
}

fn direction_bar(tally: &Tally) -> Bar {
    let direction = tally.key.parse::<Direction>().ok();
    Bar {
        label: match direction {
            Some(direction) => format!("{} {}", direction_symbol(direction), words(&tally.key)),
            None => words(&tally.key),
        },
        count: tally.share.count,
        percent: tally.share.percent.clone(),
        colour: direction.map_or("#5f6368", direction_colour),
    }
}

fn rag_bar(tally: &Tally) -> Bar {
    Bar {
        label: capitalised(&tally.label),
        count: tally.share.count,
        percent: tally.share.percent.clone(),
        colour: tally.key.parse::<Rag>().map_or("#5f6368", rag_colour),
    }
}

/// The status chart, or the RAG chart for a plan assessed in the 2010 scheme.
fn assessment_chart(report: &QuarterReport) -> String {
    let summary = &report.summary;
    if uses_rag(report) {
        let bars: Vec<Bar> = summary.rag.iter().map(rag_bar).collect();
        bar_chart(
            "rag-chart",
            &format!("RAG rating of all {} measures", summary.total),
            &bars,
        )
    } else {
        let bars: Vec<Bar> = summary.status.iter().map(status_bar).collect();
        bar_chart(
            "status-chart",
            &format!("Overall status of all {} measures", summary.total),
            &bars,
        )
    }
}

// Chart geometry in SVG user units. Integer arithmetic keeps the output free of floats and so
// byte-stable across platforms.
const LABEL_WIDTH: u64 = 190;
const BAR_MAX: u64 = 300;
const COUNT_WIDTH: u64 = 110;
const ROW_HEIGHT: u64 = 26;
const BAR_HEIGHT: u64 = 18;
const CHART_PADDING: u64 = 6;

/// The length of a bar, the largest count filling [`BAR_MAX`]; no bars when all are zero.
fn bar_width(count: u64, largest: u64) -> u64 {
    (count * BAR_MAX).checked_div(largest).unwrap_or(0)
}

fn bar_count_text(bar: &Bar) -> String {
    match &bar.percent {
        Some(percent) => format!("{} ({percent})", bar.count),
        None => bar.count.to_string(),
    }
}

/// A horizontal bar chart: label, bar and count per line. The `<title>` and `<desc>` give a
/// screen reader the same figures; the labels and counts make it legible without colour.
fn bar_chart(id: &str, title: &str, bars: &[Bar]) -> String {
    let largest = bars.iter().map(|bar| bar.count).max().unwrap_or(0);
    let width = LABEL_WIDTH + BAR_MAX + COUNT_WIDTH;
    let height = 2 * CHART_PADDING + ROW_HEIGHT * bars.len() as u64;
    let description: Vec<String> = bars
        .iter()
        .map(|bar| format!("{}: {}", bar.label, bar_count_text(bar)))
        .collect();
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" id=\"{id}\" role=\"img\" \
         aria-labelledby=\"{id}-title {id}-desc\" width=\"{width}\" height=\"{height}\" \
         viewBox=\"0 0 {width} {height}\">\n<title id=\"{id}-title\">{title}</title>\n\
         <desc id=\"{id}-desc\">{desc}.</desc>\n",
        title = escape(title),
        desc = escape(&description.join("; ")),
    );
    for (line, bar) in (0u64..).zip(bars) {
        let top = CHART_PADDING + line * ROW_HEIGHT;
        let baseline = top + BAR_HEIGHT - 4;
        let length = bar_width(bar.count, largest);
        svg.push_str(&format!(
            "<g><text x=\"0\" y=\"{baseline}\">{label}</text>\
             <rect x=\"{LABEL_WIDTH}\" y=\"{top}\" width=\"{length}\" height=\"{BAR_HEIGHT}\" \
             fill=\"{colour}\" stroke=\"#111\" stroke-width=\"1\"/>\
             <text class=\"count\" x=\"{count_x}\" y=\"{baseline}\">{count}</text></g>\n",
            label = escape(&bar.label),
            colour = bar.colour,
            count_x = LABEL_WIDTH + length + 6,
            count = escape(&bar_count_text(bar)),
        ));
    }
    svg.push_str("</svg>\n");
    svg
}

fn table_head(caption: &str, headings: &[&str]) -> String {
    let cells: String = headings
        .iter()
        .map(|h| format!("<th scope=\"col\">{}</th>", escape(h)))
        .collect();
    format!(
        "<table>\n<caption>{}</caption>\n<thead><tr>{cells}</tr></thead>\n<tbody>\n",
        escape(caption)
    )
}

fn tally_row(symbol: &str, tally: &Tally) -> String {
    format!(
        "<tr><td>{symbol}</td><th scope=\"row\">{label}</th><td class=\"num\">{count}</td>\
         <td class=\"num\">{percent}</td></tr>\n",
        label = escape(&tally.label),
        count = tally.share.count,
        percent = percent(&tally.share),
    )
}

/// The summary box: symbol, wording, count and share of all, per status (or RAG rating).
fn assessment_table(report: &QuarterReport) -> String {
    let summary = &report.summary;
    let (caption, heading) = if uses_rag(report) {
        ("Summary — RAG rating", "RAG rating")
    } else {
        ("Summary — overall status", "Overall status")
    };
    let mut html = table_head(caption, &["Symbol", heading, "Count", "% of all"]);
    for tally in if uses_rag(report) {
        &summary.rag
    } else {
        &summary.status
    } {
        let symbol = match (tally.key.parse::<Status>(), tally.key.parse::<Rag>()) {
            (Ok(status), _) => decorative_symbol(status_symbol(status), &format!("st-{status}")),
            (_, Ok(rag)) => rag_swatch(rag),
            _ => String::new(),
        };
        html.push_str(&tally_row(&symbol, tally));
    }
    if let Some(unrated) = summary.not_rated() {
        html.push_str(&tally_row(
            "",
            &Tally {
                key: "not_rated".to_owned(),
                label: "not rated".to_owned(),
                share: unrated,
            },
        ));
    }
    html.push_str(&format!(
        "</tbody>\n<tfoot><tr><td></td><th scope=\"row\">Total</th><td class=\"num\">{}</td>\
         <td></td></tr></tfoot>\n</table>\n",
        summary.total
    ));
    html
}

fn direction_table(report: &QuarterReport) -> String {
    let mut html = table_head(
        "Summary — direction of travel",
        &["Symbol", "Direction of travel", "Count", "% of all"],
    );
    for tally in &report.summary.direction {
        let symbol = tally
            .key
            .parse::<Direction>()
            .map(|d| decorative_symbol(direction_symbol(d), &format!("dot-{d}")))
            .unwrap_or_default();
        html.push_str(&tally_row(&symbol, tally));
    }
    html.push_str("</tbody>\n</table>\n");
    html
}

/// A symbol beside its own wording: hidden from screen readers, which read the wording.
fn decorative_symbol(symbol: &str, class: &str) -> String {
    format!(r#"<span class="sym {class}" aria-hidden="true">{symbol}</span>"#)
}

fn rag_swatch(rag: Rag) -> String {
    format!(
        r#"<span class="swatch rag-{rag}" aria-hidden="true">{}</span>"#,
        capitalised(rag.as_str()).chars().next().unwrap_or(' ')
    )
}

/// The executive-summary shares, in the words of `render::summary_table`.
fn executive_summary(report: &QuarterReport) -> String {
    let summary = &report.summary;
    if let Some(ratings) = summary.rag_sentence() {
        return format!(
            "<h3>Executive summary</h3>\n<p class=\"executive\">{}</p>\n",
            escape(&ratings)
        );
    }
    let pm = &summary.priority_measures;
    let overall = format!(
        "Of the {} measures with data this quarter, {} are on target and {} have not progressed. \
         Direction of travel is positive for {} ({} of {}) and negative for {}.",
        summary.measured,
        percent(&summary.on_target_of_measured),
        percent(&summary.off_target_of_measured),
        percent(&summary.improved_of_directed),
        summary.improved_of_directed.count,
        summary.with_direction,
        percent(&summary.worse_of_directed),
    );
    let priority_measures = format!(
        "{} priority measures: {} with data — {} hitting target ({}), {} missing ({}), {} on \
         track but not yet hitting ({}); {} without data yet, {} without a specific target. \
         Direction for {}: {} improving, {} declining, {} stable.",
        pm.total,
        pm.with_data,
        pm.on_target.count,
        percent(&pm.on_target),
        pm.off_target.count,
        percent(&pm.off_target),
        pm.satisfactory.count,
        percent(&pm.satisfactory),
        pm.not_yet_available,
        pm.not_applicable,
        pm.with_direction,
        pm.improved.count,
        pm.worse.count,
        pm.stable.count,
    );
    format!(
        "<h3>Executive summary</h3>\n<p class=\"executive\">{}</p>\n<p class=\"executive\">{}</p>\n",
        escape(&overall),
        escape(&priority_measures)
    )
}

fn count_with_share(share: &Share) -> String {
    format!("{} ({})", share.count, percent(share))
}

/// A plan of the 2010 scheme by priority: its measures and how many carry each rating.
fn rag_priority_table(report: &QuarterReport) -> String {
    let summary = &report.summary;
    let mut header = vec!["Priority".to_owned(), "Measures".to_owned()];
    header.extend(summary.rag.iter().map(|t| capitalised(&t.label)));
    header.push("Not rated".to_owned());
    let header: Vec<&str> = header.iter().map(String::as_str).collect();
    let mut html = table_head("Measures per priority by RAG rating", &header);
    for p in report.ratings_by_priority() {
        html.push_str(&format!(
            "<tr><th scope=\"row\">{}. {}</th><td class=\"num\">{}</td>",
            p.number,
            escape(&p.title),
            p.measures
        ));
        for count in &p.rated {
            html.push_str(&format!("<td class=\"num\">{count}</td>"));
        }
        html.push_str(&format!("<td class=\"num\">{}</td></tr>\n", p.not_rated));
    }
    html.push_str("</tbody>\n</table>\n");
    html
}

fn priority_counts_table(report: &QuarterReport) -> String {
    let mut html = table_head(
        "Measures per Corporate Priority (shares of those with data this quarter)",
        &[
            "Priority",
            "Measures",
            "With data",
            "On target",
            "Satisfactory",
            "Off target",
            "Under development",
            "Not applicable",
            "Not yet available",
        ],
    );
    for p in &report.summary.by_priority {
        html.push_str(&format!(
            "<tr><th scope=\"row\">{number}. {title}</th><td class=\"num\">{total}</td>\
             <td class=\"num\">{measured}</td><td class=\"num\">{on}</td>\
             <td class=\"num\">{satisfactory}</td><td class=\"num\">{off}</td>\
             <td class=\"num\">{development}</td><td class=\"num\">{na}</td>\
             <td class=\"num\">{nya}</td></tr>\n",
            number = p.number,
            title = escape(&p.title),
            total = p.total,
            measured = p.measured,
            on = count_with_share(&p.on_target),
            satisfactory = count_with_share(&p.satisfactory),
            off = count_with_share(&p.off_target),
            development = p.under_development,
            na = p.not_applicable,
            nya = p.not_yet_available,
        ));
    }
    html.push_str("</tbody>\n</table>\n");
    html
}

// ---------------------------------------------------------------------------------------
// Key.

fn key_row(symbol: String, wording: &str) -> String {
    format!("<tr>{symbol}<td>{}</td></tr>\n", escape(wording))
}

fn key(report: &QuarterReport) -> String {
    let mut html = String::from(
        "<section class=\"key\" aria-labelledby=\"key-heading\">\n<h2 id=\"key-heading\">Key</h2>\n\
         <div class=\"key-tables\">\n",
    );
    if uses_rag(report) {
        html.push_str("<table>\n<caption>RAG rating (2010 scheme)</caption>\n<tbody>\n");
        for &rag in Rag::ALL {
            let symbol = format!("<th scope=\"row\" class=\"sym\">{}</th>", rag_mark(rag));
            html.push_str(&key_row(symbol, rating_wording(rag)));
        }
    } else {
        html.push_str("<table>\n<caption>Overall status (relevant to target)</caption>\n<tbody>\n");
        for &status in Status::ALL {
            let symbol = format!(
                "<th scope=\"row\" class=\"sym st-{status}\">{}</th>",
                status_symbol(status)
            );
            html.push_str(&key_row(symbol, status.label()));
        }
    }
    html.push_str(
        "</tbody>\n</table>\n<table>\n<caption>Direction of travel (DOT; dependent upon whether \
         good performance is high or low)</caption>\n<tbody>\n",
    );
    for &direction in Direction::ALL {
        let symbol = format!(
            "<th scope=\"row\" class=\"sym dot-{direction}\">{}</th>",
            direction_symbol(direction)
        );
        html.push_str(&key_row(symbol, direction.label()));
    }
    html.push_str(
        "</tbody>\n</table>\n</div>\n<p><mark class=\"revised\">(revised; first published …)</mark> \
         marks a figure changed after it was recorded, with the figure first published; \
         <mark class=\"changed\">(changed from …)</mark> marks a target changed during the year; \
         <span class=\"priority-measure\">(Priority measure)</span> marks one of the plan's \
         priority measures; “rules suggested” gives the status the rule set computes where it \
         differs from the officer's assessment.</p>\n</section>\n",
    );
    html
}

fn rating_wording(rag: Rag) -> &'static str {
    match rag {
        Rag::Red => "Red: action or measure off track",
        Rag::Amber => "Amber: some slippage, recoverable",
        Rag::Green => "Green: on track",
        Rag::Complete => "Complete: action finished",
    }
}

// ---------------------------------------------------------------------------------------
// Priority sections.

/// "Corporate Priority N – title" per priority, in number order. A priority with rows but no
/// title in the summary still gets a section, so no measure is left off the page.
fn priority_headings(report: &QuarterReport) -> Vec<(u8, String)> {
    let mut headings: BTreeMap<u8, String> = report
        .summary
        .by_priority
        .iter()
        .map(|p| {
            (
                p.number,
                format!("Corporate Priority {} – {}", p.number, p.title),
            )
        })
        .collect();
    for row in &report.rows {
        headings
            .entry(row.priority)
            .or_insert_with(|| format!("Corporate Priority {}", row.priority));
    }
    headings.into_iter().collect()
}

/// How often the figures of a value column come, read from the column heading as the report
/// builder prints it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ColumnKind {
    /// A financial year: `2015/16`.
    Annual,
    /// A quarter: `Q1 Apr - Jun 2016`.
    Quarterly,
    /// A month: `Oct-16`.
    Monthly,
    /// Any other period (a half year, a term, a biennium).
    Other,
}

impl ColumnKind {
    fn of(heading: &str) -> Self {
        if is_financial_year(heading) {
            ColumnKind::Annual
        } else if is_quarter(heading) {
            ColumnKind::Quarterly
        } else if is_month(heading) {
            ColumnKind::Monthly
        } else {
            ColumnKind::Other
        }
    }

    fn group_heading(self) -> &'static str {
        match self {
            ColumnKind::Annual => "Annual",
            ColumnKind::Quarterly => "Quarterly",
            ColumnKind::Monthly => "Monthly",
            ColumnKind::Other => "Other periods",
        }
    }

    /// The heading of one column: the pack prints financial years as "Year end 2015/16".
    fn column_heading(self, heading: &str) -> String {
        match self {
            ColumnKind::Annual => format!("Year end {heading}"),
            _ => heading.to_owned(),
        }
    }
}

fn all_digits(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit())
}

/// `2015/16`.
fn is_financial_year(heading: &str) -> bool {
    matches!(heading.split_once('/'), Some((start, end))
        if start.len() == 4 && end.len() == 2 && all_digits(start) && all_digits(end))
}

/// `Q1 Apr - Jun 2016`.
fn is_quarter(heading: &str) -> bool {
    let mut chars = heading.chars();
    chars.next() == Some('Q')
        && chars.next().is_some_and(|q| ('1'..='4').contains(&q))
        && chars.next() == Some(' ')
}

/// `Oct-16`.
fn is_month(heading: &str) -> bool {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    matches!(heading.split_once('-'), Some((month, year))
        if MONTHS.contains(&month) && year.len() == 2 && all_digits(year))
}

/// For each item, the length of the run of equal items it starts, or `None` inside a run:
/// the rowspans of cells the pack prints merged.
fn run_starts<T: PartialEq>(items: &[T]) -> Vec<Option<usize>> {
    let mut spans = vec![None; items.len()];
    let mut start = 0;
    while start < items.len() {
        let length = items[start..]
            .iter()
            .take_while(|item| **item == items[start])
            .count();
        spans[start] = Some(length);
        start += length;
    }
    spans
}

fn rowspan(length: usize) -> String {
    if length > 1 {
        format!(" rowspan=\"{length}\"")
    } else {
        String::new()
    }
}

const FIXED_HEADINGS: [&str; 11] = [
    "Outcome",
    "Lead accountability",
    "Ref No.",
    "Action",
    "Measure",
    "Lead officer",
    "Good performance",
    "Frequency",
    "Target",
    "Overall status",
    "DOT",
];

/// The header: fixed headings spanning all header rows, then — when there are value
/// columns — a row naming the data columns, a row grouping them by frequency (runs of
/// Annual, Quarterly, Monthly) and a row of the period headings.
fn scorecard_head(columns: &[String]) -> String {
    let depth = if columns.is_empty() { 1 } else { 3 };
    let span = rowspan(depth);
    let mut html = String::from("<thead>\n<tr>");
    for heading in FIXED_HEADINGS {
        html.push_str(&format!("<th scope=\"col\"{span}>{heading}</th>"));
    }
    if !columns.is_empty() {
        html.push_str(&format!(
            "<th scope=\"colgroup\" colspan=\"{}\">Data available dependent upon the frequency \
             of reporting</th>",
            columns.len()
        ));
    }
    html.push_str(&format!("<th scope=\"col\"{span}>Data notes</th></tr>\n"));
    if !columns.is_empty() {
        let kinds: Vec<ColumnKind> = columns.iter().map(|c| ColumnKind::of(c)).collect();
        html.push_str("<tr>");
        for (kind, span) in kinds.iter().zip(run_starts(&kinds)) {
            if let Some(length) = span {
                html.push_str(&format!(
                    "<th scope=\"colgroup\" colspan=\"{length}\">{}</th>",
                    kind.group_heading()
                ));
            }
        }
        html.push_str("</tr>\n<tr>");
        for (kind, column) in kinds.iter().zip(columns) {
            html.push_str(&format!(
                "<th scope=\"col\">{}</th>",
                escape(&kind.column_heading(column))
            ));
        }
        html.push_str("</tr>\n");
    }
    html.push_str("</thead>\n");
    html
}

fn priority_section(
    report: &QuarterReport,
    number: u8,
    heading: &str,
    link: Option<MeasureLink<'_>>,
) -> String {
    let rows: Vec<&ReportRow> = report
        .rows
        .iter()
        .filter(|row| row.priority == number)
        .collect();
    let mut html = format!(
        "<section class=\"priority\" aria-labelledby=\"priority-{number}-heading\">\n\
         <h2 id=\"priority-{number}-heading\">{}</h2>\n",
        escape(heading)
    );
    if rows.is_empty() {
        html.push_str("<p>No measures.</p>\n</section>\n");
        return html;
    }
    html.push_str(&format!(
        "<table class=\"scorecard\">\n<caption>{} — measures by outcome: status, direction of \
         travel (DOT) and data by period</caption>\n",
        escape(heading)
    ));
    html.push_str(&scorecard_head(&report.columns));
    for outcome in rows.chunk_by(|a, b| a.outcome == b.outcome) {
        html.push_str(&outcome_body(outcome, link, uses_rag(report)));
    }
    html.push_str("</table>\n</section>\n");
    html
}

/// One outcome's rows as a `<tbody>`, with the outcome, lead accountability and action cells
/// merged down runs of equal values as the pack prints them.
fn outcome_body(rows: &[&ReportRow], link: Option<MeasureLink<'_>>, rag_plan: bool) -> String {
    let accountability = run_starts(
        &rows
            .iter()
            .map(|r| r.lead_accountability.as_str())
            .collect::<Vec<_>>(),
    );
    let actions = run_starts(&rows.iter().map(|r| r.action.as_str()).collect::<Vec<_>>());
    let mut html = String::from("<tbody>\n");
    for (index, row) in rows.iter().enumerate() {
        html.push_str("<tr>");
        if index == 0 {
            html.push_str(&format!(
                "<th scope=\"rowgroup\" class=\"outcome\"{}>{}</th>",
                rowspan(rows.len()),
                escape(&row.outcome)
            ));
        }
        if let Some(length) = accountability[index] {
            html.push_str(&format!(
                "<td{}>{}</td>",
                rowspan(length),
                escape(&row.lead_accountability)
            ));
        }
        let reference = escape(&row.ref_as_printed);
        html.push_str(&match link {
            Some(link) => format!(
                "<th scope=\"row\" class=\"ref\"><a href=\"{}\">{reference}</a></th>",
                escape(&link(&row.measure_ref))
            ),
            None => format!("<th scope=\"row\" class=\"ref\">{reference}</th>"),
        });
        if let Some(length) = actions[index] {
            html.push_str(&format!(
                "<td{}>{}</td>",
                rowspan(length),
                escape(&row.action)
            ));
        }
        html.push_str(&measure_row_cells(row, rag_plan));
        html.push_str("</tr>\n");
    }
    html.push_str("</tbody>\n");
    html
}

/// The cells of a row from Measure to Data notes.
fn measure_row_cells(row: &ReportRow, rag_plan: bool) -> String {
    let mut html = format!(
        "<td class=\"measure\">{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"target\">{}</td>",
        measure_text(row),
        escape(&row.lead_officer),
        escape(&row.good_performance),
        escape(&row.frequency),
        row.target
            .as_deref()
            .map(|t| with_marked_annotation(t, "(changed from", "changed"))
            .unwrap_or_default(),
    );
    html.push_str(&status_cell(row, rag_plan));
    html.push_str(&format!(
        "<td class=\"dot\">{}</td>",
        direction_mark(row.direction)
    ));
    for value in &row.values {
        html.push_str(&match value {
            Some(text) => format!(
                "<td class=\"value\">{}</td>",
                with_marked_annotation(text, "(revised", "revised")
            ),
            None => "<td class=\"value\"></td>".to_owned(),
        });
    }
    html.push_str(&format!(
        "<td class=\"note\">{}</td>",
        row.note.as_deref().map(escape).unwrap_or_default()
    ));
    html
}

const PRIORITY_MEASURE: &str = "(Priority measure)";

/// The measure, with "(Priority measure)" emphasised: in place where the printed title
/// already carries it (as the 2016/17 titles do), appended where it does not.
fn measure_text(row: &ReportRow) -> String {
    let marker = format!("<span class=\"priority-measure\">{PRIORITY_MEASURE}</span>");
    match (row.priority_measure, row.measure.rfind(PRIORITY_MEASURE)) {
        (false, _) => escape(&row.measure),
        (true, Some(at)) => format!(
            "{}{marker}{}",
            escape(&row.measure[..at]),
            escape(&row.measure[at + PRIORITY_MEASURE.len()..])
        ),
        (true, None) => format!("{} {marker}", escape(&row.measure)),
    }
}

/// The officer's status (or 2010 rating), and below it what the rules suggested when that
/// differs — the disagreement scrutiny asks about.
/// The status (or, in a plan of the 2010 scheme, the RAG rating, "not rated" when there is
/// none) with the rules' suggestion beside it.
fn status_cell(row: &ReportRow, rag_plan: bool) -> String {
    let shown = match row.rag {
        Some(rag) => rag_mark(rag),
        None if rag_plan => "not rated".to_owned(),
        None => status_mark(row.status),
    };
    let suggestion = row
        .computed_status
        .map(|computed| {
            format!(
                "<span class=\"suggested\">rules suggested <span aria-hidden=\"true\">{}</span> {}</span>",
                status_symbol(computed),
                words(computed.as_str())
            )
        })
        .unwrap_or_default();
    format!("<td class=\"status\">{shown}{suggestion}</td>")
}

/// A hand-made report shared by the renderers' tests: two priorities, three rows, a revised
/// value, a changed target, a status the rules disagree with and a note that needs escaping.
#[cfg(test)]
pub(crate) mod sample {
    use scoreledger_domain::{Direction, Status, StatusScheme};

    use crate::quarter::{QuarterReport, ReportRow, REPORT_FORMAT};
    use crate::summary::{summarise, Assessed};

    /// The note that proves escaping.
    pub(crate) const UNSAFE_NOTE: &str = "Data <b>&\"validated\"</b> by the service";

    fn row(measure_ref: &str, priority: u8, outcome: &str) -> ReportRow {
        ReportRow {
            measure_ref: measure_ref.to_owned(),
            ref_as_printed: measure_ref.to_owned(),
            priority,
            outcome: outcome.to_owned(),
            action: "Early Help – support families at the right time".to_owned(),
            measure: format!("Measure {measure_ref}"),
            priority_measure: false,
            lead_officer: "Mel Meggs - CYPS".to_owned(),
            lead_accountability: "Ian Thomas, Strategic Director".to_owned(),
            good_performance: "low".to_owned(),
            frequency: "Monthly".to_owned(),
            target: Some("23%".to_owned()),
            status: Status::OnTarget,
            computed_status: None,
            direction: Direction::Improved,
            rag: None,
            values: vec![None; 8],
            note: None,
            directorate: "Children and Young People's Services".to_owned(),
        }
    }

    /// The rows; see the module documentation.
    pub(crate) fn rows() -> Vec<ReportRow> {
        let revised = ReportRow {
            measure: "Re-referrals within 12 months (Priority measure)".to_owned(),
            priority_measure: true,
            status: Status::OffTarget,
            computed_status: Some(Status::Satisfactory),
            direction: Direction::Worse,
            values: vec![
                Some("22.8%".to_owned()),
                Some("30.6%".to_owned()),
                Some("29.9%".to_owned()),
                Some("30.4%".to_owned()),
                Some("95 (revised; first published 112)".to_owned()),
                Some("28.7%".to_owned()),
                None,
                Some("28.3%".to_owned()),
            ],
            note: Some(UNSAFE_NOTE.to_owned()),
            ..row("1.A3", 1, "A")
        };
        let changed_target = ReportRow {
            target: Some("95% (changed from 94%)".to_owned()),
            frequency: "Quarterly".to_owned(),
            good_performance: "high".to_owned(),
            values: vec![
                Some("98.2%".to_owned()),
                Some("91.4%".to_owned()),
                Some("89%".to_owned()),
                Some("91%".to_owned()),
                Some("93%".to_owned()),
                None,
                None,
                None,
            ],
            ..row("1.B8", 1, "B")
        };
        let awaiting_data = ReportRow {
            status: Status::NotYetAvailable,
            direction: Direction::NotApplicable,
            target: None,
            frequency: "Annual".to_owned(),
            lead_accountability: "Anne Marie Lubanski, Strategic Director".to_owned(),
            values: vec![
                Some("74.1%".to_owned()),
                Some("75.0%".to_owned()),
                None,
                None,
                None,
                None,
                None,
                None,
            ],
            ..row("2.A1", 2, "A")
        };
        vec![revised, changed_target, awaiting_data]
    }

    /// The report.
    pub(crate) fn report() -> QuarterReport {
        let rows = rows();
        let assessed: Vec<Assessed> = rows
            .iter()
            .map(|r| Assessed {
                priority: r.priority,
                priority_measure: r.priority_measure,
                status: r.status,
                direction: r.direction,
                rag: r.rag,
            })
            .collect();
        let priorities = [
            (1, "Every child making the best start in life".to_owned()),
            (
                2,
                "Every adult secure, responsible and empowered".to_owned(),
            ),
        ];
        QuarterReport {
            format: REPORT_FORMAT.to_owned(),
            plan: "Corporate Plan 2016/17".to_owned(),
            financial_year: "2016/17".to_owned(),
            status_scheme: StatusScheme::Corporate2016,
            period: "Q3 Oct - Dec 2016".to_owned(),
            position: 412,
            rule_set_version: 3,
            columns: [
                "2014/15",
                "2015/16",
                "Q1 Apr - Jun 2016",
                "Q2 Jul - Sep 2016",
                "Q3 Oct - Dec 2016",
                "Oct-16",
                "Nov-16",
                "Dec-16",
            ]
            .map(str::to_owned)
            .to_vec(),
            summary: summarise(&assessed, &priorities, StatusScheme::Corporate2016),
            rows,
            set_asides: Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use scoreledger_domain::StatusScheme;

    use super::*;
    use crate::summary::{summarise, Assessed};

    fn page() -> String {
        scorecard(&sample::report())
    }

    #[track_caller]
    fn assert_contains(html: &str, fragment: &str) {
        assert!(
            html.contains(fragment),
            "the page lacks {fragment:?}; page:\n{html}"
        );
    }

    #[test]
    fn report_text_is_escaped() {
        let html = page();
        assert_contains(
            &html,
            "Data &lt;b&gt;&amp;&quot;validated&quot;&lt;/b&gt; by the service",
        );
        assert!(!html.contains("<b>"), "raw markup from the report leaked");
        assert_eq!(
            escape(r#"<a href="x">Tom & Jerry's</a>"#),
            "&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&#39;s&lt;/a&gt;"
        );
    }

    #[test]
    fn the_page_is_a_complete_document_without_script_or_external_resources() {
        let html = page();
        assert!(html.starts_with("<!DOCTYPE html>\n<html lang=\"en-GB\">"));
        assert!(html.ends_with("</body>\n</html>\n"));
        assert_contains(
            &html,
            "<title>Corporate Plan 2016/17 — Quarterly Performance Scorecard — Q3 Oct - Dec 2016</title>",
        );
        for forbidden in ["<script", "<link", "src=", "href=", "@import", "url("] {
            assert!(!html.contains(forbidden), "the page contains {forbidden:?}");
        }
    }

    #[test]
    fn elements_are_balanced() {
        let html = page();
        for element in [
            "section", "table", "thead", "tbody", "tfoot", "tr", "svg", "g", "span", "mark", "p",
            "td", "th", "caption",
        ] {
            let opened = html.matches(&format!("<{element}>")).count()
                + html.matches(&format!("<{element} ")).count();
            let closed = html.matches(&format!("</{element}>")).count();
            assert_eq!(
                opened, closed,
                "<{element}> opened {opened}, closed {closed}"
            );
        }
    }

    #[test]
    fn the_title_block_names_the_position_and_the_rules() {
        let html = page();
        assert_contains(
            &html,
            "<h1><span class=\"plan\">Corporate Plan 2016/17</span> Quarterly Performance Scorecard</h1>",
        );
        assert_contains(
            &html,
            "Q3 Oct - Dec 2016 — as at log position 412, rules v3",
        );
        assert_contains(&html, "re-run for the same period");
    }

    #[test]
    fn there_is_one_section_per_priority() {
        let html = page();
        assert_eq!(html.matches("<section class=\"priority\"").count(), 2);
        assert_contains(
            &html,
            "<h2 id=\"priority-1-heading\">Corporate Priority 1 – Every child making the best start in life</h2>",
        );
        assert_contains(
            &html,
            "<h2 id=\"priority-2-heading\">Corporate Priority 2 – Every adult secure, responsible and empowered</h2>",
        );
        let second = html
            .find("priority-2-heading\">")
            .expect("priority 2 has a section");
        assert!(html[second..].contains("2.A1") && !html[second..].contains("1.A3"));
    }

    #[test]
    fn the_charts_show_the_counts_accessibly() {
        let html = page();
        assert_eq!(html.matches("<svg ").count(), 2);
        assert_contains(
            &html,
            "role=\"img\" aria-labelledby=\"status-chart-title status-chart-desc\"",
        );
        assert_contains(
            &html,
            "<title id=\"status-chart-title\">Overall status of all 3 measures</title>",
        );
        assert_contains(
            &html,
            "<desc id=\"status-chart-desc\">✓ on target: 1 (33.3%); • satisfactory: 0 (0.0%); \
             × off target: 1 (33.3%); * under development: 0 (0.0%); ○ not applicable: 0 (0.0%); \
             … not yet available: 1 (33.3%).</desc>",
        );
        // The largest count gets the full bar; an empty count none.
        assert_contains(
            &html,
            "<rect x=\"190\" y=\"6\" width=\"300\" height=\"18\" fill=\"#1b7a2f\"",
        );
        assert_contains(
            &html,
            "<rect x=\"190\" y=\"32\" width=\"0\" height=\"18\" fill=\"#a35f00\"",
        );
        assert_contains(
            &html,
            "<text class=\"count\" x=\"496\" y=\"20\">1 (33.3%)</text>",
        );
        assert_contains(
            &html,
            "<desc id=\"direction-chart-desc\">↑ improved: 1 (33.3%); → stable: 0 (0.0%); \
             ↓ worse: 1 (33.3%); – not applicable: 1 (33.3%).</desc>",
        );
    }

    #[test]
    fn the_summary_tables_and_shares_are_shown() {
        let html = page();
        assert_contains(
            &html,
            "<th scope=\"row\">Measure has not progressed in accordance with target set</th>\
             <td class=\"num\">1</td><td class=\"num\">33.3%</td>",
        );
        assert_contains(
            &html,
            "<th scope=\"row\">Total</th><td class=\"num\">3</td>",
        );
        assert_contains(
            &html,
            "Of the 2 measures with data this quarter, 50.0% are on target and 50.0% have not progressed. \
             Direction of travel is positive for 50.0% (1 of 2) and negative for 50.0%.",
        );
        assert_contains(
            &html,
            "<th scope=\"row\">1. Every child making the best start in life</th><td class=\"num\">2</td>",
        );
    }

    #[test]
    fn every_column_heading_is_shown_under_its_frequency() {
        let html = page();
        let report = sample::report();
        for heading in FIXED_HEADINGS.iter().chain(["Data notes"].iter()) {
            assert_contains(&html, &format!(">{heading}</th>"));
        }
        for column in &report.columns {
            assert_contains(&html, &format!("{}</th>", escape(column)));
        }
        assert_contains(&html, "<th scope=\"col\">Year end 2014/15</th>");
        assert_contains(
            &html,
            "<tr><th scope=\"colgroup\" colspan=\"2\">Annual</th>\
             <th scope=\"colgroup\" colspan=\"3\">Quarterly</th>\
             <th scope=\"colgroup\" colspan=\"3\">Monthly</th></tr>",
        );
        assert_contains(&html, "<th scope=\"col\" rowspan=\"3\">Outcome</th>");
    }

    #[test]
    fn revisions_changes_and_disagreements_stand_out() {
        let html = page();
        assert_contains(
            &html,
            "<td class=\"value\">95 <mark class=\"revised\">(revised; first published 112)</mark></td>",
        );
        assert_contains(
            &html,
            "<td class=\"target\">95% <mark class=\"changed\">(changed from 94%)</mark></td>",
        );
        assert_contains(
            &html,
            "<span class=\"suggested\">rules suggested <span aria-hidden=\"true\">•</span> satisfactory</span>",
        );
        assert_contains(
            &html,
            "Re-referrals within 12 months <span class=\"priority-measure\">(Priority measure)</span>",
        );
        assert_eq!(html.matches("<span class=\"priority-measure\">").count(), 2);
        // row + key
    }

    #[test]
    fn symbols_carry_their_wording() {
        let html = page();
        assert_contains(
            &html,
            "<span class=\"sym st-off_target\" title=\"Measure has not progressed in accordance with target set\">\
             <span aria-hidden=\"true\">×</span><span class=\"vh\">Measure has not progressed in accordance with target set</span></span>",
        );
        assert_contains(
            &html,
            "<span class=\"sym dot-worse\" title=\"Numbers have got worse\"><span aria-hidden=\"true\">↓</span>",
        );
        assert_contains(&html, "<h2 id=\"key-heading\">Key</h2>");
    }

    #[test]
    fn outcome_and_merged_cells_span_their_rows() {
        let mut report = sample::report();
        let mut second = report.rows[0].clone();
        second.measure_ref = "1.A4".into();
        second.ref_as_printed = "1.A4".into();
        report.rows.insert(1, second);
        let html = scorecard(&report);
        assert_contains(
            &html,
            "<tbody>\n<tr><th scope=\"rowgroup\" class=\"outcome\" rowspan=\"2\">A</th>\
             <td rowspan=\"2\">Ian Thomas, Strategic Director</td><th scope=\"row\" class=\"ref\">1.A3</th>\
             <td rowspan=\"2\">Early Help",
        );
    }

    #[test]
    fn the_footer_carries_the_hash_and_format() {
        let report = sample::report();
        let html = scorecard(&report);
        assert_contains(
            &html,
            &format!("<code class=\"sha256\">{}</code>", report.sha256()),
        );
        assert_contains(&html, "<code>scoreledger-quarter-report/1</code>");
    }

    #[test]
    fn the_same_report_renders_to_the_same_bytes() {
        assert_eq!(page(), page());
    }

    #[test]
    fn a_2010_plan_shows_rag_counts_instead_of_statuses() {
        let mut report = sample::report();
        for (row, rag) in report
            .rows
            .iter_mut()
            .zip([Rag::Red, Rag::Green, Rag::Green])
        {
            row.rag = Some(rag);
        }
        let assessed: Vec<Assessed> = report
            .rows
            .iter()
            .map(|r| Assessed {
                priority: r.priority,
                priority_measure: r.priority_measure,
                status: r.status,
                direction: r.direction,
                rag: r.rag,
            })
            .collect();
        report.status_scheme = StatusScheme::Rag2010;
        report.summary = summarise(
            &assessed,
            &[(1, "Staying Safe".into()), (2, "Being Healthy".into())],
            StatusScheme::Rag2010,
        );
        let html = scorecard(&report);
        assert_contains(
            &html,
            "<title id=\"rag-chart-title\">RAG rating of all 3 measures</title>",
        );
        assert_contains(&html, "Green: 2 (66.7%)");
        assert_contains(&html, "<th scope=\"col\">RAG rating</th>");
        assert_contains(
            &html,
            "<td class=\"status\"><span class=\"rag rag-red\">Red</span>",
        );
        assert!(!html.contains("status-chart"));
        assert!(!html.contains("<caption>Overall status (relevant to target)</caption>"));
    }

    #[track_caller]
    fn check_kind(heading: &str, expected: ColumnKind) {
        assert_eq!(ColumnKind::of(heading), expected, "{heading}");
    }

    #[test]
    fn columns_are_grouped_by_the_form_of_their_heading() {
        check_kind("2015/16", ColumnKind::Annual);
        check_kind("Q1 Apr - Jun 2016", ColumnKind::Quarterly);
        check_kind("Q4 Jan - Mar 2017", ColumnKind::Quarterly);
        check_kind("Oct-16", ColumnKind::Monthly);
        check_kind("H1 Apr - Sep 2016", ColumnKind::Other);
        check_kind("Autumn term 2016", ColumnKind::Other);
        check_kind("2015/16-2016/17", ColumnKind::Other);
        check_kind("Oct-2016", ColumnKind::Other);
    }

    #[test]
    fn runs_of_equal_cells_are_merged() {
        assert_eq!(
            run_starts(&["a", "a", "b", "a"]),
            [Some(2), None, Some(1), Some(1)]
        );
        assert_eq!(run_starts::<&str>(&[]), Vec::<Option<usize>>::new());
    }
}
