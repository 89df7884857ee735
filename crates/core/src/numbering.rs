//! Official letter numbers, formatted the way each office numbers its letters.
//!
//! The default follows Permendagri 83/2022: classification code / running number / unit /
//! Roman month / year, e.g. `400.12/285/Dukcapil.4/VI/2024`. An office may configure its own
//! pattern from the placeholders `{code}`, `{seq}`, `{unit}`, `{month_roman}`, `{month}`, `{year}`.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use std::fmt;

pub const DEFAULT_PATTERN: &str = "{code}/{seq}/{unit}/{month_roman}/{year}";
/// Classification code for population administration since Permendagri 83/2022 (470 before).
pub const DEFAULT_CLASSIFICATION: &str = "400.12";

const PLACEHOLDERS: [&str; 6] = ["code", "seq", "unit", "month_roman", "month", "year"];

/// A validated numbering pattern.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct NumberPattern(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PatternError {
    #[error("letter-number pattern `{0}` has no `{{seq}}`: every number needs the running number")]
    NoSeq(String),
    #[error(
        "letter-number pattern `{pattern}` uses unknown placeholder `{{{name}}}`: use code, seq, unit, month_roman, month or year"
    )]
    Unknown { pattern: String, name: String },
    #[error("letter-number pattern `{0}` has an unclosed `{{`")]
    Unclosed(String),
}

impl NumberPattern {
    pub fn parse(pattern: &str) -> Result<Self, PatternError> {
        let mut rest = pattern;
        let mut has_seq = false;
        while let Some(open) = rest.find('{') {
            let after = &rest[open + 1..];
            let close = after
                .find('}')
                .ok_or_else(|| PatternError::Unclosed(pattern.into()))?;
            let name = &after[..close];
            if !PLACEHOLDERS.contains(&name) {
                return Err(PatternError::Unknown {
                    pattern: pattern.into(),
                    name: name.into(),
                });
            }
            has_seq |= name == "seq";
            rest = &after[close + 1..];
        }
        if !has_seq {
            return Err(PatternError::NoSeq(pattern.into()));
        }
        Ok(NumberPattern(pattern.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Formats running number `seq`, issued on `date`, for an office's code and unit.
    pub fn format(&self, code: &str, seq: u32, unit: &str, date: NaiveDate) -> String {
        self.0
            .replace("{code}", code)
            .replace("{seq}", &seq.to_string())
            .replace("{unit}", unit)
            .replace("{month_roman}", roman_month(date.month()))
            .replace("{month}", &format!("{:02}", date.month()))
            .replace("{year}", &date.year().to_string())
    }
}

impl Default for NumberPattern {
    fn default() -> Self {
        NumberPattern(DEFAULT_PATTERN.into())
    }
}

impl TryFrom<String> for NumberPattern {
    type Error = PatternError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        NumberPattern::parse(&s)
    }
}

impl From<NumberPattern> for String {
    fn from(p: NumberPattern) -> String {
        p.0
    }
}

impl fmt::Display for NumberPattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The unit an agency's numbers carry when none is configured: the acronym it opens with
/// (`RSUD Ulin Banjarmasin` → `RSUD`), else the initials of its name without the region
/// (`Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu Kota Pontianak` → `DPMPTSP`).
pub fn unit_from_name(name: &str) -> String {
    let words: Vec<&str> = name
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|w| !w.is_empty())
        .collect();
    let is_acronym = |w: &str| {
        w.chars().filter(|c| c.is_alphabetic()).count() > 1 && !w.chars().any(char::is_lowercase)
    };
    if let Some(first) = words.first().filter(|w| is_acronym(w)) {
        return first.to_string();
    }
    let region_starts = ["Provinsi", "Kabupaten", "Kota"];
    let initials: String = words
        .iter()
        .take_while(|w| !region_starts.contains(w))
        .filter_map(|w| w.chars().next().filter(|c| c.is_uppercase()))
        .collect();
    if initials.is_empty() {
        "-".to_string()
    } else {
        initials
    }
}

/// I..XII for months 1..12.
pub fn roman_month(month: u32) -> &'static str {
    const ROMAN: [&str; 12] = [
        "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII",
    ];
    ROMAN
        .get(month.wrapping_sub(1) as usize)
        .copied()
        .unwrap_or("?")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_pattern_matches_permendagri_83_2022() {
        let d = NaiveDate::from_ymd_opt(2024, 6, 3).unwrap();
        assert_eq!(
            NumberPattern::default().format("400.12", 285, "Dukcapil.4", d),
            "400.12/285/Dukcapil.4/VI/2024"
        );
    }

    #[test]
    fn older_pattern_and_months() {
        let p = NumberPattern::parse("470/{seq}/PIAK").unwrap();
        assert_eq!(
            p.format("x", 191, "y", NaiveDate::from_ymd_opt(2018, 5, 1).unwrap()),
            "470/191/PIAK"
        );
        assert_eq!(roman_month(12), "XII");
        assert_eq!(roman_month(4), "IV");
        assert_eq!(roman_month(0), "?");
    }

    #[test]
    fn agency_units_from_names() {
        assert_eq!(
            unit_from_name(
                "Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu Provinsi Kalimantan Selatan"
            ),
            "DPMPTSP"
        );
        assert_eq!(unit_from_name("RSUD Ulin Banjarmasin"), "RSUD");
        assert_eq!(unit_from_name("Dinas Kesehatan Kota Pontianak"), "DK");
        assert_eq!(unit_from_name("badan"), "-");
        assert_eq!(unit_from_name(""), "-");
    }

    #[test]
    fn bad_patterns_are_refused_with_the_reason() {
        assert_eq!(
            NumberPattern::parse("{code}/{unit}"),
            Err(PatternError::NoSeq("{code}/{unit}".into()))
        );
        assert!(
            NumberPattern::parse("{seq}/{bulan}")
                .unwrap_err()
                .to_string()
                .contains("`{bulan}`")
        );
        assert!(matches!(
            NumberPattern::parse("{seq"),
            Err(PatternError::Unclosed(_))
        ));
    }
}
