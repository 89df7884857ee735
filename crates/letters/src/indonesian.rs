//! Numbers and dates written the Indonesian way: `5 April 2021`, `Senin`, `1.500.000`,
//! `satu juta lima ratus ribu`, `IV`.
//!
//! Plain functions, so the handlebars helpers in [`crate::helpers`] and any other caller (the
//! web pages, the PKS article builder) share one implementation.

use chrono::{Datelike, NaiveDate, Weekday};

// The month names and the plain date are the core's (the core's messages write dates the same
// way); the letters keep their names for them.
pub use sepakat_core::calendar::{
    MONTHS_ID as MONTHS, date_id as format_date, month_name_id as month_name,
};

/// `Senin`, `Selasa`, …, `Minggu`.
pub fn day_name(date: NaiveDate) -> &'static str {
    match date.weekday() {
        Weekday::Mon => "Senin",
        Weekday::Tue => "Selasa",
        Weekday::Wed => "Rabu",
        Weekday::Thu => "Kamis",
        Weekday::Fri => "Jumat",
        Weekday::Sat => "Sabtu",
        Weekday::Sun => "Minggu",
    }
}

/// The date as a PKS opening writes it out: `tanggal lima bulan April tahun dua ribu dua puluh satu`.
pub fn date_in_words(date: NaiveDate) -> String {
    format!(
        "tanggal {} bulan {} tahun {}",
        terbilang(u64::from(date.day())),
        month_name(date.month()).unwrap_or("?"),
        terbilang(date.year().unsigned_abs().into())
    )
}

/// Roman numerals for months, as letter numbers use them (`IV` for April); `None` outside 1..=12.
pub fn roman_month(month: u32) -> Option<&'static str> {
    const ROMAN: [&str; 12] = [
        "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII",
    ];
    ROMAN.get(month.checked_sub(1)? as usize).copied()
}

/// Digits grouped by thousands with dots: `1.500.000`; negative numbers keep their sign.
pub fn format_number(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(c);
    }
    out
}

const UNITS: [&str; 10] = [
    "nol", "satu", "dua", "tiga", "empat", "lima", "enam", "tujuh", "delapan", "sembilan",
];

/// Below one thousand, never empty: `0` is `nol`.
fn below_thousand(n: u64, out: &mut Vec<&'static str>) {
    debug_assert!(n < 1000);
    let (hundreds, rest) = (n / 100, n % 100);
    match hundreds {
        0 => {}
        1 => out.push("seratus"),
        h => {
            out.push(UNITS[h as usize]);
            out.push("ratus");
        }
    }
    match rest {
        0 if hundreds > 0 => {}
        0..=9 => out.push(UNITS[rest as usize]),
        10 => out.push("sepuluh"),
        11 => out.push("sebelas"),
        12..=19 => {
            out.push(UNITS[(rest - 10) as usize]);
            out.push("belas");
        }
        _ => {
            out.push(UNITS[(rest / 10) as usize]);
            out.push("puluh");
            if rest % 10 > 0 {
                out.push(UNITS[(rest % 10) as usize]);
            }
        }
    }
}

/// A number in Indonesian words: `1500000` → `satu juta lima ratus ribu`; `1000` → `seribu`.
///
/// Covers the whole `u64` range (up to *triliun* groups of *kuintiliun*).
pub fn terbilang(n: u64) -> String {
    if n == 0 {
        return "nol".into();
    }
    const SCALES: [&str; 7] = [
        "",
        "ribu",
        "juta",
        "miliar",
        "triliun",
        "kuadriliun",
        "kuintiliun",
    ];
    let mut groups = Vec::new();
    let mut rest = n;
    while rest > 0 {
        groups.push(rest % 1000);
        rest /= 1000;
    }
    let mut words: Vec<&'static str> = Vec::new();
    for (scale, &group) in groups.iter().enumerate().rev() {
        if group == 0 {
            continue;
        }
        if scale == 1 && group == 1 {
            words.push("seribu");
            continue;
        }
        below_thousand(group, &mut words);
        if scale > 0 {
            words.push(SCALES[scale]);
        }
    }
    words.join(" ")
}

/// A signed number in words: `-5` → `minus lima`.
pub fn terbilang_signed(n: i64) -> String {
    if n < 0 {
        format!("minus {}", terbilang(n.unsigned_abs()))
    } else {
        terbilang(n.unsigned_abs())
    }
}

/// `24 (dua puluh empat)`, the way letters and agreements state counts.
pub fn number_with_words(n: i64) -> String {
    format!("{} ({})", format_number(n), terbilang_signed(n))
}

/// Capitalises the first letter: `dua puluh` → `Dua puluh`.
pub fn capitalize_first(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// A phrase written to stand alone, made to read inside a sentence: the first letter lowered
/// and the final full stop dropped. `Verifikasi NIK pemohon.` → `verifikasi NIK pemohon`. A
/// phrase that opens with an acronym (`BPJS Kesehatan`) or a name in title case (`Program
/// Keluarga Harapan`) keeps its capitals.
pub fn mid_sentence(s: &str) -> String {
    let s = s.trim().trim_end_matches('.').trim_end();
    let mut words = s.split_whitespace();
    let first_word = words.next().unwrap_or("");
    let letters = || first_word.chars().filter(|c| c.is_alphabetic());
    let acronym = letters().count() > 1 && letters().all(char::is_uppercase);
    // A second word in title case (not an acronym such as `NIK`) marks a proper name.
    let title_case = words.next().is_some_and(|w| {
        w.chars().next().is_some_and(char::is_uppercase) && w.chars().any(char::is_lowercase)
    });
    let mut chars = s.chars();
    match chars.next() {
        Some(first) if !acronym && !title_case => first.to_lowercase().chain(chars).collect(),
        _ => s.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn terbilang_small_numbers_and_the_se_forms() {
        let cases = [
            (0, "nol"),
            (1, "satu"),
            (7, "tujuh"),
            (10, "sepuluh"),
            (11, "sebelas"),
            (12, "dua belas"),
            (19, "sembilan belas"),
            (20, "dua puluh"),
            (21, "dua puluh satu"),
            (99, "sembilan puluh sembilan"),
            (100, "seratus"),
            (101, "seratus satu"),
            (110, "seratus sepuluh"),
            (111, "seratus sebelas"),
            (115, "seratus lima belas"),
            (200, "dua ratus"),
            (999, "sembilan ratus sembilan puluh sembilan"),
            (1000, "seribu"),
            (1001, "seribu satu"),
            (1100, "seribu seratus"),
            (1111, "seribu seratus sebelas"),
            (2000, "dua ribu"),
            (2021, "dua ribu dua puluh satu"),
            (2024, "dua ribu dua puluh empat"),
            (10_000, "sepuluh ribu"),
            (11_000, "sebelas ribu"),
            (100_000, "seratus ribu"),
            (101_000, "seratus satu ribu"),
            (1_000_000, "satu juta"),
            (1_500_000, "satu juta lima ratus ribu"),
            (1_001_000, "satu juta seribu"),
            (2_000_001, "dua juta satu"),
            (1_000_000_000, "satu miliar"),
            (
                1_234_567_890,
                "satu miliar dua ratus tiga puluh empat juta lima ratus enam puluh tujuh ribu delapan ratus sembilan puluh",
            ),
            (1_000_000_000_000, "satu triliun"),
        ];
        for (n, words) in cases {
            assert_eq!(terbilang(n), words, "{n}");
        }
    }

    #[test]
    fn terbilang_never_panics_and_never_doubles_spaces() {
        for n in (0..5000).chain([u64::MAX, u64::MAX - 1, 1 << 40]) {
            let w = terbilang(n);
            assert!(
                !w.is_empty() && !w.contains("  ") && !w.starts_with(' '),
                "{n}: {w}"
            );
            assert!(
                !w.contains("satu ratus") && !w.contains("satu puluh"),
                "{n}: {w}"
            );
            if (1000..2000).contains(&n) {
                assert!(w.starts_with("seribu"), "{n}: {w}");
            }
        }
        assert_eq!(terbilang_signed(-5), "minus lima");
        assert_eq!(terbilang_signed(i64::MIN).split(' ').next(), Some("minus"));
    }

    #[test]
    fn numbers_use_dots_for_thousands() {
        assert_eq!(format_number(0), "0");
        assert_eq!(format_number(999), "999");
        assert_eq!(format_number(1000), "1.000");
        assert_eq!(format_number(1_500_000), "1.500.000");
        assert_eq!(format_number(-1_234_567), "-1.234.567");
        assert_eq!(format_number(i64::MIN), "-9.223.372.036.854.775.808");
        assert_eq!(number_with_words(24), "24 (dua puluh empat)");
        assert_eq!(number_with_words(5000), "5.000 (lima ribu)");
    }

    #[test]
    fn dates_are_written_the_indonesian_way() {
        assert_eq!(format_date(d(2021, 4, 5)), "5 April 2021");
        assert_eq!(format_date(d(2018, 5, 31)), "31 Mei 2018");
        assert_eq!(format_date(d(2024, 12, 1)), "1 Desember 2024");
        assert_eq!(day_name(d(2021, 4, 5)), "Senin");
        assert_eq!(day_name(d(2018, 5, 4)), "Jumat");
        assert_eq!(day_name(d(2024, 6, 2)), "Minggu");
        assert_eq!(
            date_in_words(d(2021, 4, 5)),
            "tanggal lima bulan April tahun dua ribu dua puluh satu"
        );
        assert_eq!(
            date_in_words(d(2018, 5, 11)),
            "tanggal sebelas bulan Mei tahun dua ribu delapan belas"
        );
    }

    #[test]
    fn months_in_words_and_roman() {
        assert_eq!(month_name(1), Some("Januari"));
        assert_eq!(month_name(8), Some("Agustus"));
        assert_eq!(month_name(0), None);
        assert_eq!(month_name(13), None);
        assert_eq!(roman_month(4), Some("IV"));
        assert_eq!(roman_month(9), Some("IX"));
        assert_eq!(roman_month(12), Some("XII"));
        assert_eq!(roman_month(0), None);
        assert_eq!(capitalize_first("dua puluh"), "Dua puluh");
        assert_eq!(capitalize_first(""), "");
        assert_eq!(
            mid_sentence(" Verifikasi NIK pemohon izin. "),
            "verifikasi NIK pemohon izin"
        );
        assert_eq!(mid_sentence("BPJS Kesehatan"), "BPJS Kesehatan");
        assert_eq!(
            mid_sentence("Program Keluarga Harapan."),
            "Program Keluarga Harapan"
        );
        assert_eq!(mid_sentence("pendataan"), "pendataan");
        assert_eq!(mid_sentence("A"), "a");
        assert_eq!(mid_sentence(""), "");
    }
}
