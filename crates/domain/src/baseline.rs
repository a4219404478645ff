//! A measure's baseline as the 2010 packs print it: several figures in one cell, each with
//! what it is and, for some, the numerator and denominator it came from ("57.6% (2008/09
//! outturn) (2270/3940) 59.8% (position as at Nov 2009) 2009/10 outturn 73.4%").
//!
//! The text stays as printed; these are the figures read from it, so a reader sees which
//! figure is which and whether a fraction agrees with the percentage printed beside it.

use std::str::FromStr;

use rust_decimal::{Decimal, RoundingStrategy};
use serde::Serialize;

/// One figure of a baseline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct BaselineFigure {
    /// The percentage as printed, without its sign (`57.6`).
    #[schema(value_type = String)]
    pub percent: Decimal,
    /// What it is (`2008/09 outturn`, `position as at Nov 2009`), when the cell says.
    pub label: Option<String>,
    /// The count it is a share of: numerator and denominator (`2270/3940`), when printed.
    pub fraction: Option<(u64, u64)>,
}

impl BaselineFigure {
    /// Whether the fraction, as a percentage rounded to the printed figure's decimals, is the
    /// printed figure (`None` without a fraction): 2270/3940 is 57.61%, printed 57.6%.
    pub fn agrees(&self) -> Option<bool> {
        let (numerator, denominator) = self.fraction?;
        Some(fraction_percent(numerator, denominator, self.percent.scale()) == Some(self.percent))
    }

    /// The fraction as a percentage to two decimals, for saying what it comes to.
    pub fn fraction_percent(&self) -> Option<Decimal> {
        let (numerator, denominator) = self.fraction?;
        fraction_percent(numerator, denominator, 2)
    }

    /// The figure in words: `57.6% (2008/09 outturn): 2270/3940 = 57.61%, agrees`.
    pub fn describe(&self) -> String {
        let mut text = format!("{}%", self.percent);
        if let Some(label) = &self.label {
            text.push_str(&format!(" ({label})"));
        }
        if let (Some((numerator, denominator)), Some(share), Some(agrees)) =
            (self.fraction, self.fraction_percent(), self.agrees())
        {
            text.push_str(&format!(
                ": {numerator}/{denominator} = {share}%, {}",
                if agrees {
                    "agrees"
                } else {
                    "does NOT agree with the figure printed"
                }
            ));
        }
        text
    }
}

fn fraction_percent(numerator: u64, denominator: u64, decimals: u32) -> Option<Decimal> {
    (denominator > 0).then(|| {
        (Decimal::from(numerator) * Decimal::ONE_HUNDRED / Decimal::from(denominator))
            .round_dp_with_strategy(decimals, RoundingStrategy::MidpointAwayFromZero)
    })
}

/// The percentages of a baseline cell, in printed order, each with its label and fraction.
/// A label is the parenthesis after a figure, else the words between it and the figure
/// before; a fraction is a parenthesis of two whole numbers, the first no larger. Words with
/// no percentage (`Performing Poorly`, `126 (January 2009)`) give no figures.
pub fn figures(text: &str) -> Vec<BaselineFigure> {
    let mut found: Vec<BaselineFigure> = Vec::new();
    let mut words_before: Vec<&str> = Vec::new();
    let mut rest = text.trim();
    while !rest.is_empty() {
        if let Some(inner) = rest.strip_prefix('(') {
            let Some(end) = inner.find(')') else {
                break;
            };
            let (group, after) = (inner[..end].trim(), &inner[end + 1..]);
            match (fraction(group), found.last_mut()) {
                (Some(pair), Some(last)) if last.fraction.is_none() => last.fraction = Some(pair),
                (None, Some(last)) if last.label.is_none() && words_before.is_empty() => {
                    last.label = Some(group.to_owned());
                }
                _ => words_before.push(group),
            }
            rest = after.trim_start();
            continue;
        }
        let end = rest
            .find(|c: char| c.is_whitespace() || c == '(')
            .unwrap_or(rest.len());
        let (word, after) = (&rest[..end], &rest[end..]);
        match word
            .strip_suffix('%')
            .and_then(|n| Decimal::from_str(n).ok())
        {
            Some(percent) => {
                let label = (!words_before.is_empty()).then(|| words_before.join(" "));
                words_before.clear();
                found.push(BaselineFigure {
                    percent,
                    label,
                    fraction: None,
                });
            }
            None => words_before.push(word),
        }
        rest = after.trim_start();
    }
    found
}

fn fraction(group: &str) -> Option<(u64, u64)> {
    let (a, b) = group.split_once('/')?;
    let (a, b): (u64, u64) = (a.trim().parse().ok()?, b.trim().parse().ok()?);
    // "(2009/2010)" is a year, not 2009 of 2010.
    let year_span = (1900..=2200).contains(&a) && b == a + 1;
    (a <= b && b > 0 && !year_span).then_some((a, b))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn the_2010_baselines_read_as_figures_with_labels_and_fractions() {
        let found = figures(
            "57.6% (2008/09 outturn) (2270/3940) 59.8% (position as at Nov 2009) 2009/10 outturn 73.4%",
        );
        assert_eq!(
            found,
            [
                BaselineFigure {
                    percent: dec("57.6"),
                    label: Some("2008/09 outturn".into()),
                    fraction: Some((2270, 3940)),
                },
                BaselineFigure {
                    percent: dec("59.8"),
                    label: Some("position as at Nov 2009".into()),
                    fraction: None,
                },
                BaselineFigure {
                    percent: dec("73.4"),
                    label: Some("2009/10 outturn".into()),
                    fraction: None,
                },
            ]
        );
        assert_eq!(found[0].agrees(), Some(true));
        assert_eq!(found[0].fraction_percent(), Some(dec("57.61")));
        assert_eq!(
            found[0].describe(),
            "57.6% (2008/09 outturn): 2270/3940 = 57.61%, agrees"
        );
        assert_eq!(found[2].describe(), "73.4% (2009/10 outturn)");
        assert_eq!(found[1].agrees(), None);
        // NI 59 and NI 60 as printed.
        let ni59 = figures("77.8% (2008/09 outturn) (1767/2270) 73% (position as at Nov 2009)");
        assert_eq!(ni59[0].agrees(), Some(true));
        assert_eq!(ni59[1].percent, dec("73"));
        assert_eq!(
            figures("84.9% (2008/09 outturn) (276/325)")[0].agrees(),
            Some(true)
        );
    }

    #[test]
    fn a_fraction_that_disagrees_with_its_figure_is_said_to() {
        let found = figures("59.8% (2270/3940)");
        assert_eq!(found[0].fraction, Some((2270, 3940)));
        assert_eq!(found[0].label, None);
        assert_eq!(found[0].agrees(), Some(false));
        assert!(found[0]
            .describe()
            .ends_with("= 57.61%, does NOT agree with the figure printed"));
        // Rounded to the printed figure's decimals: 1767/2270 is 77.84%, so 78% agrees.
        assert_eq!(figures("78% (1767/2270)")[0].agrees(), Some(true));
    }

    #[test]
    fn cells_without_a_percentage_give_no_figures() {
        assert!(figures("Performing Poorly").is_empty());
        assert!(figures("126 (January 2009)").is_empty());
        assert!(figures("").is_empty());
        // An unclosed parenthesis ends the reading rather than guessing.
        assert_eq!(figures("81% (2008/09").len(), 1);
        // A year such as 2009/10 outside a parenthesis is words, not a fraction.
        assert_eq!(figures("2009/10 outturn 73.4%")[0].fraction, None);
        // A year written in full is no fraction.
        assert_eq!(figures("73.4% (2009/2010)")[0].fraction, None);
        // Cells from a spreadsheet keep their line breaks.
        let found = figures("57.6% (2008/09 outturn)\n(2270/3940)\t59.8%");
        assert_eq!((found.len(), found[0].fraction), (2, Some((2270, 3940))));
    }
}
