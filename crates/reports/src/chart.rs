//! A measure's values against its target over time, as an inline SVG line chart: the picture
//! a lead officer or a scrutiny member reads before the table beside it.
//!
//! Pure and deterministic like every renderer here: the same points give the same bytes.
//! Coordinates are computed in `f64` for drawing only; the figures printed come from the
//! decimals as recorded.

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;

/// One period on the chart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChartPoint {
    /// The period as printed (`Q3 Oct - Dec 2016`).
    pub label: String,
    /// The headline number of the value, if the cell has one.
    pub value: Option<Decimal>,
    /// The numeric target in force for the period, if there is one.
    pub target: Option<Decimal>,
}

const WIDTH: f64 = 640.0;
const HEIGHT: f64 = 260.0;
const LEFT: f64 = 64.0;
const RIGHT: f64 = 16.0;
const TOP: f64 = 28.0;
const BOTTOM: f64 = 56.0;
const VALUE_COLOUR: &str = "#1d4f91";
const TARGET_COLOUR: &str = "#a3410b";

/// The chart, or `None` when no period has a number to draw.
pub fn values_against_target(title: &str, points: &[ChartPoint]) -> Option<String> {
    let figures: Vec<f64> = points
        .iter()
        .flat_map(|p| [p.value, p.target])
        .flatten()
        .filter_map(|d| d.to_f64())
        .collect();
    if figures.is_empty() {
        return None;
    }
    let axis = Axis::covering(&figures);
    let step = (WIDTH - LEFT - RIGHT) / points.len() as f64;
    let x = |index: usize| LEFT + step * (index as f64 + 0.5);
    let y = |figure: Decimal| axis.y(figure.to_f64().unwrap_or(axis.low));

    let mut svg = format!(
        "<svg class=\"trend\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {WIDTH} {HEIGHT}\" \
         width=\"{WIDTH}\" height=\"{HEIGHT}\" role=\"img\" aria-labelledby=\"trend-title trend-desc\">\n\
         <title id=\"trend-title\">{}</title>\n<desc id=\"trend-desc\">{}</desc>\n",
        escape(title),
        escape(&description(points)),
    );
    svg.push_str(&axis.gridlines());
    for (index, point) in points.iter().enumerate() {
        svg.push_str(&format!(
            "<text class=\"period\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>\n",
            x(index),
            HEIGHT - BOTTOM + 16.0,
            escape(&short_label(&point.label)),
        ));
    }
    // The target is a level in force over a period, so it is drawn as a step across each
    // period's slot rather than a line joining points.
    for (index, point) in points.iter().enumerate() {
        if let Some(target) = point.target {
            svg.push_str(&format!(
                "<line class=\"target\" x1=\"{:.1}\" y1=\"{y:.1}\" x2=\"{:.1}\" y2=\"{y:.1}\" \
                 stroke=\"{TARGET_COLOUR}\" stroke-width=\"2\" stroke-dasharray=\"6 4\"><title>{}: target {}</title></line>\n",
                x(index) - step / 2.0 + 2.0,
                x(index) + step / 2.0 - 2.0,
                escape(&point.label),
                target.normalize(),
                y = y(target),
            ));
        }
    }
    // Values join only neighbouring periods that both have one: a gap stays a gap.
    for (index, pair) in points.windows(2).enumerate() {
        if let (Some(a), Some(b)) = (pair[0].value, pair[1].value) {
            svg.push_str(&format!(
                "<line class=\"value\" x1=\"{:.1}\" y1=\"{:.1}\" x2=\"{:.1}\" y2=\"{:.1}\" stroke=\"{VALUE_COLOUR}\" stroke-width=\"2.5\"/>\n",
                x(index),
                y(a),
                x(index + 1),
                y(b),
            ));
        }
    }
    for (index, point) in points.iter().enumerate() {
        if let Some(value) = point.value {
            svg.push_str(&format!(
                "<circle class=\"value\" cx=\"{:.1}\" cy=\"{:.1}\" r=\"4.5\" fill=\"{VALUE_COLOUR}\"><title>{}: {}</title></circle>\n",
                x(index),
                y(value),
                escape(&point.label),
                value.normalize(),
            ));
        }
    }
    svg.push_str(&legend());
    svg.push_str("</svg>\n");
    Some(svg)
}

/// What the chart shows, in words, for readers who cannot see it.
fn description(points: &[ChartPoint]) -> String {
    let first = points.first().map(|p| p.label.as_str()).unwrap_or_default();
    let last = points.last().map(|p| p.label.as_str()).unwrap_or_default();
    let mut text = format!(
        "Values for {} period(s) from {first} to {last}, drawn as a solid line; the target as a dashed line.",
        points.len()
    );
    if let Some(latest) = points.iter().rev().find(|p| p.value.is_some()) {
        let value = latest.value.map(|v| v.normalize().to_string());
        text.push_str(&format!(
            " Latest: {} in {}",
            value.unwrap_or_default(),
            latest.label
        ));
        if let Some(target) = latest.target {
            text.push_str(&format!(" against a target of {}", target.normalize()));
        }
        text.push('.');
    }
    text
}

/// `Q3 Oct - Dec 2016` → `Q3 2016`; months and years are short already.
fn short_label(label: &str) -> String {
    let words: Vec<&str> = label.split_whitespace().collect();
    match (words.first(), words.last()) {
        (Some(first), Some(last)) if words.len() > 2 && first.starts_with('Q') => {
            format!("{first} {last}")
        }
        _ => label.to_owned(),
    }
}

fn legend() -> String {
    let y = HEIGHT - 14.0;
    format!(
        "<g class=\"legend\">\
         <line x1=\"{LEFT}\" y1=\"{y}\" x2=\"{}\" y2=\"{y}\" stroke=\"{VALUE_COLOUR}\" stroke-width=\"2.5\"/>\
         <text x=\"{}\" y=\"{}\">Value</text>\
         <line x1=\"{}\" y1=\"{y}\" x2=\"{}\" y2=\"{y}\" stroke=\"{TARGET_COLOUR}\" stroke-width=\"2\" stroke-dasharray=\"6 4\"/>\
         <text x=\"{}\" y=\"{}\">Target</text></g>\n",
        LEFT + 24.0,
        LEFT + 30.0,
        y + 4.0,
        LEFT + 90.0,
        LEFT + 114.0,
        LEFT + 120.0,
        y + 4.0,
    )
}

/// The vertical axis: a range that starts at zero unless figures are negative, rounded out
/// to whole steps of 1, 2 or 5 × 10ⁿ so the gridlines fall on round numbers.
struct Axis {
    low: f64,
    high: f64,
    step: f64,
}

impl Axis {
    fn covering(figures: &[f64]) -> Self {
        let low = figures.iter().copied().fold(0.0_f64, f64::min);
        let high = figures.iter().copied().fold(f64::MIN, f64::max).max(low);
        let span = if high > low { high - low } else { 1.0 };
        let step = round_step(span / 4.0);
        Axis {
            low: (low / step).floor() * step,
            high: ((high / step).floor() + 1.0) * step,
            step,
        }
    }

    fn y(&self, figure: f64) -> f64 {
        let plot = HEIGHT - TOP - BOTTOM;
        TOP + plot * (1.0 - (figure - self.low) / (self.high - self.low))
    }

    fn gridlines(&self) -> String {
        let mut svg = String::new();
        let lines = ((self.high - self.low) / self.step).round() as usize;
        for i in 0..=lines {
            let figure = self.low + self.step * i as f64;
            let y = self.y(figure);
            svg.push_str(&format!(
                "<line class=\"grid\" x1=\"{LEFT}\" y1=\"{y:.1}\" x2=\"{}\" y2=\"{y:.1}\" stroke=\"#d0d4d9\"/>\
                 <text class=\"tick\" x=\"{}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>\n",
                WIDTH - RIGHT,
                LEFT - 6.0,
                y + 4.0,
                tick_label(figure, self.step),
            ));
        }
        svg
    }
}

/// 1, 2 or 5 × 10ⁿ, the smallest at least `raw`.
fn round_step(raw: f64) -> f64 {
    let magnitude = 10f64.powf(raw.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * magnitude)
        .find(|step| *step >= raw)
        .unwrap_or(10.0 * magnitude)
}

fn tick_label(figure: f64, step: f64) -> String {
    let decimals = if step >= 1.0 {
        0
    } else {
        (-step.log10().floor()) as usize
    };
    format!("{figure:.decimals$}")
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn point(label: &str, value: Option<&str>, target: Option<&str>) -> ChartPoint {
        ChartPoint {
            label: label.to_owned(),
            value: value.map(|v| v.parse().unwrap()),
            target: target.map(|t| t.parse().unwrap()),
        }
    }

    #[test]
    fn nothing_to_draw_gives_no_chart() {
        assert_eq!(
            values_against_target("t", &[point("Q1 Apr - Jun 2016", None, None)]),
            None
        );
    }

    #[test]
    fn values_are_joined_only_across_neighbours_and_gaps_stay_gaps() {
        let svg = values_against_target(
            "1.A3",
            &[
                point("Q1 Apr - Jun 2016", Some("30.9"), Some("28")),
                point("Q2 Jul - Sep 2016", Some("30.6"), Some("28")),
                point("Q3 Oct - Dec 2016", None, Some("28")),
                point("Q4 Jan - Mar 2017", Some("29.1"), Some("28")),
            ],
        )
        .unwrap();
        assert_eq!(svg.matches("<circle class=\"value\"").count(), 3);
        assert_eq!(svg.matches("<line class=\"value\"").count(), 1);
        assert_eq!(svg.matches("<line class=\"target\"").count(), 4);
        assert!(svg.contains("<title>Q2 Jul - Sep 2016: 30.6</title>"));
        assert!(svg.contains(">Q3 2016</text>"));
        assert!(svg.contains("Latest: 29.1 in Q4 Jan - Mar 2017 against a target of 28."));
    }

    #[test]
    fn a_higher_figure_is_drawn_higher_and_the_axis_covers_every_figure() {
        let figures = [12.0, 95.0, 112.0];
        let axis = Axis::covering(&figures);
        assert_eq!((axis.low, axis.step), (0.0, 50.0));
        assert!(axis.high >= 112.0);
        assert!(axis.y(112.0) < axis.y(95.0));
        assert!(axis.y(112.0) >= TOP && axis.y(0.0) <= HEIGHT - BOTTOM);
        let negative = Axis::covering(&[-3.5, 2.0]);
        assert!(negative.low <= -3.5 && negative.high >= 2.0);
    }

    #[test]
    fn text_is_escaped() {
        let svg = values_against_target("A & B <c>", &[point("x", Some("1"), None)]).unwrap();
        assert!(svg.contains("A &amp; B &lt;c&gt;"));
    }

    #[test]
    fn steps_are_round() {
        assert_eq!(round_step(0.3), 0.5);
        assert_eq!(round_step(7.0), 10.0);
        assert_eq!(round_step(28.0), 50.0);
        assert_eq!(tick_label(0.25, 0.05), "0.25");
    }
}
