//! Fuzzing-style property tests of reading a typed price (issue 17, point 5): whatever a person
//! or a script types — signs, separators, huge numbers, non-ASCII digits, spaces — `parse_price`
//! never panics and answers either exact cents or a clear `invalid` error on the unit price; and
//! every amount it formats reads back as itself.
//!
//! Each property runs proptest's default case count (256, or `PROPTEST_CASES`: `make fuzz` runs
//! them with many more in a release build). A failure is kept beside this file in a
//! `.proptest-regressions` file, which replays it first on every later run.

// Helpers may unwrap: a failing unwrap is a failing test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use fieldwork_domain::ErrorCode;
use fieldwork_domain::money::{format_cents, parse_price};
use proptest::prelude::*;

/// Ok: cents that are not negative and format back to text that reads as the same cents.
/// Err: `invalid` on the unit price.
fn check(text: &str) -> Result<(), TestCaseError> {
    match parse_price(text) {
        Ok(cents) => {
            prop_assert!(cents >= 0, "{text:?} read as {cents}");
            prop_assert_eq!(parse_price(&format_cents(cents)).unwrap(), cents);
        }
        Err(e) => {
            prop_assert_eq!(e.code(), ErrorCode::Invalid, "{}", e);
            prop_assert!(e.to_string().starts_with("unit price"), "{e}");
        }
    }
    Ok(())
}

proptest! {
    #[test]
    fn any_text_is_a_price_or_a_clear_refusal(text in ".{0,40}") {
        check(&text)?;
    }

    #[test]
    fn number_like_text_is_a_price_or_a_clear_refusal(
        text in "[ +\\-]{0,2}[0-9٠-٩０-９]{0,25}[.,']{0,2}[0-9]{0,4}[eE€$ ]{0,2}",
    ) {
        check(&text)?;
    }

    #[test]
    fn every_amount_reads_back_as_itself(cents in 0i64..=i64::MAX) {
        prop_assert_eq!(parse_price(&format_cents(cents)).unwrap(), cents);
    }

    #[test]
    fn typed_prices_are_read_exactly(
        whole in 0u64..100_000_000_000,
        frac in prop::option::of("[0-9]{0,2}"),
        pad in "[ \t]{0,2}",
    ) {
        let text = match &frac {
            Some(f) => format!("{pad}{whole}.{f}{pad}"),
            None => format!("{pad}{whole}{pad}"),
        };
        let f = frac.as_deref().unwrap_or("");
        let expected = i64::try_from(whole).unwrap() * 100 + format!("{f:0<2}").parse::<i64>().unwrap();
        prop_assert_eq!(parse_price(&text).unwrap(), expected);
    }

    #[test]
    fn negative_and_too_large_prices_are_refused(
        digits in "[1-9][0-9]{0,30}",
        frac in "[0-9]{0,2}",
    ) {
        let negative = format!("-{digits}.{frac}");
        prop_assert!(parse_price(&negative).is_err());
        let big = format!("{digits}{}", "0".repeat(20));
        prop_assert!(parse_price(&big).is_err());
    }
}
