//! Money in integer minor units (cents), so totals never drift.

/// `quantity × unit price`, rounded to the nearest cent.
pub fn line_total(quantity: f64, unit_price_cents: i64) -> i64 {
    // Quantities are at most 10,000 and prices fit easily: the product is exact enough in f64.
    #[allow(clippy::cast_possible_truncation, clippy::cast_precision_loss)]
    let total = (quantity * unit_price_cents as f64).round() as i64;
    total
}

/// Reads a price typed by a person (`12`, `12.5`, `12.50`) into cents, exactly.
pub fn parse_price(text: &str) -> Result<i64, crate::RuleError> {
    let bad =
        || crate::RuleError::invalid("unit price", format!("{text:?} is not a price like 12.50"));
    let t = text.trim();
    if t.starts_with('-') {
        return Err(crate::RuleError::invalid("unit price", "must not be negative"));
    }
    let (whole, frac) = t.split_once('.').unwrap_or((t, ""));
    if whole.is_empty() && frac.is_empty() || frac.len() > 2 {
        return Err(bad());
    }
    if !whole.chars().chain(frac.chars()).all(|c| c.is_ascii_digit()) {
        return Err(bad());
    }
    let whole: i64 = if whole.is_empty() { 0 } else { whole.parse().map_err(|_| bad())? };
    let frac: i64 = format!("{frac:0<2}").parse().map_err(|_| bad())?;
    whole.checked_mul(100).and_then(|w| w.checked_add(frac)).ok_or_else(bad)
}

/// Formats cents as `1234.50`.
pub fn format_cents(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let c = cents.unsigned_abs();
    format!("{sign}{}.{:02}", c / 100, c % 100)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prices_are_read_exactly() {
        assert_eq!(parse_price("12.5").unwrap(), 1250);
        assert_eq!(parse_price("12.50").unwrap(), 1250);
        assert_eq!(parse_price("0.07").unwrap(), 7);
        assert_eq!(parse_price("3").unwrap(), 300);
        assert!(parse_price("-1").is_err());
        assert!(parse_price("1.234").is_err());
        assert!(parse_price("abc").is_err());
        assert!(parse_price("").is_err());
        assert!(parse_price("99999999999999999999").is_err());
    }

    #[test]
    fn line_totals_round_to_the_cent() {
        assert_eq!(line_total(1.5, 999), 1499);
        assert_eq!(format_cents(123456), "1234.56");
        assert_eq!(format_cents(-5), "-0.05");
    }
}
