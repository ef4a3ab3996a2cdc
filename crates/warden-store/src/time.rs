//! RFC 3339 timestamps without a date-time dependency.

use std::time::{SystemTime, UNIX_EPOCH};

/// Formats `t` as an RFC 3339 UTC timestamp with second precision,
/// e.g. `2024-03-01T12:34:56Z`.
pub fn format_rfc3339(t: SystemTime) -> String {
    let secs: i64 = match t.duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
        Err(e) => {
            // Before the epoch: round towards negative infinity.
            let d = e.duration();
            let whole = i64::try_from(d.as_secs()).unwrap_or(i64::MAX);
            if d.subsec_nanos() > 0 {
                -whole - 1
            } else {
                -whole
            }
        }
    };
    format_unix_seconds(secs)
}

/// Formats `t` as an RFC 3339 UTC timestamp with millisecond precision,
/// e.g. `2024-03-01T12:34:56.789Z` (always three fraction digits, so the
/// strings sort chronologically).
pub(crate) fn format_rfc3339_millis(t: SystemTime) -> String {
    let millis: i64 = match t.duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_millis()).unwrap_or(i64::MAX),
        Err(e) => {
            // Before the epoch: round towards negative infinity.
            let d = e.duration();
            let whole = i64::try_from(d.as_millis()).unwrap_or(i64::MAX);
            if d.as_nanos() % 1_000_000 > 0 {
                -whole - 1
            } else {
                -whole
            }
        }
    };
    let secs = millis.div_euclid(1000);
    let frac = millis.rem_euclid(1000);
    let mut out = date_time(secs);
    out.push_str(&format!(".{frac:03}Z"));
    out
}

/// Formats seconds since the Unix epoch as an RFC 3339 UTC timestamp.
pub(crate) fn format_unix_seconds(secs: i64) -> String {
    let mut out = date_time(secs);
    out.push('Z');
    out
}

/// `YYYY-MM-DDTHH:MM:SS` for seconds since the Unix epoch (UTC, no zone).
fn date_time(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (year, month, day) = civil_from_days(days);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}",
        rem / 3600,
        (rem % 3600) / 60,
        rem % 60
    )
}

/// Converts days since 1970-01-01 into a proleptic Gregorian (year, month,
/// day), after Howard Hinnant's `civil_from_days`.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097); // [0, 146096]
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365; // [0, 399]
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100); // [0, 365]
    let mp = (5 * doy + 2) / 153; // [0, 11]
    let d = doy - (153 * mp + 2) / 5 + 1; // [1, 31]
    let m = if mp < 10 { mp + 3 } else { mp - 9 }; // [1, 12]
    let year = if m <= 2 { y + 1 } else { y };
    // Both values are within small ranges established above.
    (year, m as u32, d as u32)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn epoch() {
        assert_eq!(format_rfc3339(UNIX_EPOCH), "1970-01-01T00:00:00Z");
    }

    #[test]
    fn known_instants() {
        assert_eq!(format_unix_seconds(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(format_unix_seconds(1_709_296_496), "2024-03-01T12:34:56Z");
        assert_eq!(format_unix_seconds(4_107_542_399), "2100-02-28T23:59:59Z");
        assert_eq!(format_unix_seconds(-1), "1969-12-31T23:59:59Z");
    }

    #[test]
    fn millis() {
        let t = UNIX_EPOCH + Duration::from_millis(1_709_296_496_789);
        assert_eq!(format_rfc3339_millis(t), "2024-03-01T12:34:56.789Z");
        let t = UNIX_EPOCH + Duration::from_nanos(1_709_296_496_000_999_999);
        assert_eq!(format_rfc3339_millis(t), "2024-03-01T12:34:56.000Z");
        let t = UNIX_EPOCH - Duration::from_micros(1500);
        assert_eq!(format_rfc3339_millis(t), "1969-12-31T23:59:59.998Z");
    }

    #[test]
    fn before_epoch_rounds_down() {
        let t = UNIX_EPOCH - Duration::from_millis(500);
        assert_eq!(format_rfc3339(t), "1969-12-31T23:59:59Z");
    }
}
