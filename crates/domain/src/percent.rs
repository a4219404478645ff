//! Percentages as the packs print them: one decimal place, half away from zero
//! (25 of 103 = 24.27… → 24.3%). Decimal arithmetic only, never floats.

use rust_decimal::{Decimal, RoundingStrategy};

/// `part / whole × 100`, rounded to one decimal place; `None` when `whole` is zero.
pub fn percent_of(part: u64, whole: u64) -> Option<Decimal> {
    if whole == 0 {
        return None;
    }
    let raw = Decimal::from(part) * Decimal::ONE_HUNDRED / Decimal::from(whole);
    Some(raw.round_dp_with_strategy(1, RoundingStrategy::MidpointAwayFromZero))
}

/// Formats a percentage with exactly one decimal place and a `%` sign: `24.3%`, `0.0%`.
pub fn format_percent(value: Decimal) -> String {
    let mut rounded = value.round_dp_with_strategy(1, RoundingStrategy::MidpointAwayFromZero);
    rounded.rescale(1);
    format!("{rounded}%")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check(part: u64, whole: u64, printed: &str) {
        let value = percent_of(part, whole).expect("non-zero whole");
        assert_eq!(format_percent(value), printed, "{part} of {whole}");
    }

    #[test]
    fn the_published_q3_percentages_are_reproduced() {
        check(25, 103, "24.3%");
        check(15, 103, "14.6%");
        check(17, 103, "16.5%");
        check(0, 103, "0.0%");
        check(29, 103, "28.2%");
        check(25, 57, "43.9%");
        check(17, 57, "29.8%");
        check(33, 69, "47.8%");
        check(16, 69, "23.2%");
        check(16, 103, "15.5%");
    }

    #[test]
    fn halves_round_away_from_zero_and_whole_numbers_keep_one_place() {
        check(1, 8, "12.5%");
        check(1, 16, "6.3%");
        check(1, 1, "100.0%");
    }

    #[test]
    fn nothing_to_divide_by_is_none() {
        assert_eq!(percent_of(3, 0), None);
    }
}
