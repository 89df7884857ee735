//! Handlebars helpers for Indonesian letters.
//!
//! | helper | input | output |
//! | --- | --- | --- |
//! | `tanggal` | `"2021-04-05"` | `5 April 2021` |
//! | `hari` | `"2021-04-05"` | `Senin` |
//! | `tanggal_terbilang` | `"2021-04-05"` | `tanggal lima bulan April tahun dua ribu dua puluh satu` |
//! | `bulan` | a date or 1..=12 | `April` |
//! | `tahun` | a date | `2021` |
//! | `bulan_romawi` | a date or 1..=12 | `IV` |
//! | `angka` | `1500000` | `1.500.000` |
//! | `terbilang` | `1500000` | `satu juta lima ratus ribu` |
//! | `angka_terbilang` | `24` | `24 (dua puluh empat)` |
//! | `huruf_besar` | `"Kota Pontianak"` | `KOTA PONTIANAK` |
//! | `dalam_kalimat` | `"Verifikasi NIK."` | `verifikasi NIK` (a phrase inside a sentence) |
//! | `nomor_urut` | `@index` | the index plus one |
//! | `kode_qr` | `"https://…/verifikasi/KODE"` | `<img class="qr" src="data:image/svg+xml;base64,…">` |
//! | `logo_kop` | an SVG document (`issuer.logo`) | `<img class="logo" src="data:image/svg+xml;base64,…">` |
//!
//! A helper given a missing value names the missing path (strict mode); one given a value of the
//! wrong kind names itself and the value. None of them panics.
//!
//! Every helper escapes what it writes, except `kode_qr` and `logo_kop`: their tags are generated
//! whole by [`crate::qr`] and [`crate::logo`], the value reaching them only as base64, so no
//! value can open a hole.

use crate::indonesian;
use chrono::{Datelike, NaiveDate};
use handlebars::{
    Context, Handlebars, Helper, HelperDef, HelperResult, Output, RenderContext, RenderError,
    RenderErrorReason,
};
use serde_json::Value;

/// What a helper writes.
enum Written {
    /// Text, escaped before it is written, so a helper never opens a hole.
    Text(String),
    /// A tag generated whole by [`crate::qr`] or [`crate::logo`], written as it is.
    Tag(String),
}

/// A helper as a function of its parameters; [`Simple`] writes what it returns. Every helper
/// here reads its first parameter only, so none needs the registry, context or render state.
type HelperFn = fn(&Helper) -> Result<Written, RenderError>;

struct Simple(HelperFn);

impl HelperDef for Simple {
    fn call<'reg: 'rc, 'rc>(
        &self,
        h: &Helper<'rc>,
        _: &'reg Handlebars<'reg>,
        _: &'rc Context,
        _: &mut RenderContext<'reg, 'rc>,
        out: &mut dyn Output,
    ) -> HelperResult {
        match (self.0)(h)? {
            Written::Text(s) => out.write(&handlebars::html_escape(&s))?,
            Written::Tag(tag) => out.write(&tag)?,
        }
        Ok(())
    }
}

/// Registers every helper on `hb`.
pub fn register(hb: &mut Handlebars<'_>) {
    let helpers: [(&str, HelperFn); 14] = [
        ("tanggal", tanggal),
        ("hari", hari),
        ("tanggal_terbilang", tanggal_terbilang),
        ("bulan", bulan),
        ("tahun", tahun),
        ("bulan_romawi", bulan_romawi),
        ("angka", angka),
        ("terbilang", terbilang),
        ("angka_terbilang", angka_terbilang),
        ("huruf_besar", huruf_besar),
        ("dalam_kalimat", dalam_kalimat),
        ("nomor_urut", nomor_urut),
        ("kode_qr", kode_qr),
        ("logo_kop", logo_kop),
    ];
    for (name, f) in helpers {
        hb.register_helper(name, Box::new(Simple(f)));
    }
}

fn wrong(helper: &str, expected: &str, got: &Value) -> RenderError {
    RenderErrorReason::Other(format!("helper `{helper}` needs {expected}, got {got}")).into()
}

/// The first parameter; a missing one is reported with its path, like any missing field.
fn param<'a>(h: &'a Helper, name: &'static str) -> Result<&'a Value, RenderError> {
    let p = h
        .param(0)
        .ok_or(RenderErrorReason::ParamNotFoundForIndex(name, 0))?;
    if p.is_value_missing() {
        return Err(RenderErrorReason::MissingVariable(p.relative_path().cloned()).into());
    }
    Ok(p.value())
}

fn text_param<'a>(
    h: &'a Helper,
    name: &'static str,
    expected: &str,
) -> Result<&'a str, RenderError> {
    let v = param(h, name)?;
    v.as_str().ok_or_else(|| wrong(name, expected, v))
}

fn date_param(h: &Helper, name: &'static str) -> Result<NaiveDate, RenderError> {
    let v = param(h, name)?;
    v.as_str()
        .and_then(|s| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok())
        .ok_or_else(|| wrong(name, "a date (YYYY-MM-DD)", v))
}

fn int_param(h: &Helper, name: &'static str) -> Result<i64, RenderError> {
    let v = param(h, name)?;
    match v {
        Value::Number(n) => n.as_i64(),
        // Amounts sometimes arrive as strings of digits from forms.
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
    .ok_or_else(|| wrong(name, "a whole number", v))
}

fn month_param(h: &Helper, name: &'static str) -> Result<u32, RenderError> {
    let v = param(h, name)?;
    if let Some(m) = v.as_u64() {
        return u32::try_from(m)
            .ok()
            .filter(|m| (1..=12).contains(m))
            .ok_or_else(|| wrong(name, "a month 1..12 or a date", v));
    }
    Ok(date_param(h, name)?.month())
}

fn text(s: impl Into<String>) -> Result<Written, RenderError> {
    Ok(Written::Text(s.into()))
}

/// The QR code of a text (the verification address) as an `<img>` tag.
fn kode_qr(h: &Helper) -> Result<Written, RenderError> {
    let text = text_param(h, "kode_qr", "a text")?;
    let tag = crate::qr::img_tag(text).map_err(RenderErrorReason::Other)?;
    // Generated whole by `qr::img_tag`: nothing in it comes from a value unencoded.
    Ok(Written::Tag(tag))
}

/// An office's logo (an SVG document) as an `<img>` tag for its letterhead.
fn logo_kop(h: &Helper) -> Result<Written, RenderError> {
    let svg = text_param(h, "logo_kop", "an SVG document")?;
    // Generated whole by `logo::img_tag`: the document reaches it only base64-encoded.
    Ok(Written::Tag(crate::logo::img_tag(svg)))
}

fn tanggal(h: &Helper) -> Result<Written, RenderError> {
    text(indonesian::format_date(date_param(h, "tanggal")?))
}

fn hari(h: &Helper) -> Result<Written, RenderError> {
    text(indonesian::day_name(date_param(h, "hari")?))
}

fn tanggal_terbilang(h: &Helper) -> Result<Written, RenderError> {
    text(indonesian::date_in_words(date_param(
        h,
        "tanggal_terbilang",
    )?))
}

fn bulan(h: &Helper) -> Result<Written, RenderError> {
    text(indonesian::month_name(month_param(h, "bulan")?).unwrap_or_default())
}

fn tahun(h: &Helper) -> Result<Written, RenderError> {
    text(date_param(h, "tahun")?.year().to_string())
}

fn bulan_romawi(h: &Helper) -> Result<Written, RenderError> {
    text(indonesian::roman_month(month_param(h, "bulan_romawi")?).unwrap_or_default())
}

fn angka(h: &Helper) -> Result<Written, RenderError> {
    text(indonesian::format_number(int_param(h, "angka")?))
}

fn terbilang(h: &Helper) -> Result<Written, RenderError> {
    text(indonesian::terbilang_signed(int_param(h, "terbilang")?))
}

fn angka_terbilang(h: &Helper) -> Result<Written, RenderError> {
    text(indonesian::number_with_words(int_param(
        h,
        "angka_terbilang",
    )?))
}

fn huruf_besar(h: &Helper) -> Result<Written, RenderError> {
    text(text_param(h, "huruf_besar", "text")?.to_uppercase())
}

fn dalam_kalimat(h: &Helper) -> Result<Written, RenderError> {
    text(indonesian::mid_sentence(text_param(
        h,
        "dalam_kalimat",
        "text",
    )?))
}

fn nomor_urut(h: &Helper) -> Result<Written, RenderError> {
    text(int_param(h, "nomor_urut")?.saturating_add(1).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn hb() -> Handlebars<'static> {
        let mut hb = Handlebars::new();
        hb.set_strict_mode(true);
        register(&mut hb);
        hb
    }

    fn render(tpl: &str, data: Value) -> Result<String, RenderError> {
        hb().render_template(tpl, &data)
    }

    #[test]
    fn helpers_format_the_indonesian_way() {
        let data =
            json!({"d": "2021-04-05", "n": 1500000, "s": "Kota Pontianak", "m": 9, "q": "2500"});
        let cases = [
            ("{{tanggal d}}", "5 April 2021"),
            ("{{hari d}}", "Senin"),
            (
                "{{tanggal_terbilang d}}",
                "tanggal lima bulan April tahun dua ribu dua puluh satu",
            ),
            ("{{bulan d}}", "April"),
            ("{{bulan m}}", "September"),
            ("{{tahun d}}", "2021"),
            ("{{bulan_romawi d}}", "IV"),
            ("{{bulan_romawi m}}", "IX"),
            ("{{angka n}}", "1.500.000"),
            ("{{terbilang n}}", "satu juta lima ratus ribu"),
            ("{{angka_terbilang q}}", "2.500 (dua ribu lima ratus)"),
            ("{{huruf_besar s}}", "KOTA PONTIANAK"),
            ("{{nomor_urut 0}}", "1"),
        ];
        for (tpl, want) in cases {
            assert_eq!(render(tpl, data.clone()).unwrap(), want, "{tpl}");
        }
    }

    #[test]
    fn helpers_escape_their_output() {
        let out = render("{{huruf_besar s}}", json!({"s": "<b>x</b>"})).unwrap();
        assert_eq!(out, "&lt;B&gt;X&lt;/B&gt;");
        // The QR tag carries a hostile text only base64-encoded.
        let out = render("{{kode_qr s}}", json!({"s": "\"><script>x</script>"})).unwrap();
        assert!(out.starts_with("<img class=\"qr\" src=\"data:image/svg+xml;base64,"));
        assert!(
            !out.contains("script") && out.matches('<').count() == 1,
            "{out}"
        );
    }

    #[test]
    fn missing_and_wrong_values_are_errors_that_say_what() {
        let err = render("{{tanggal extra.tanggal_uji}}", json!({"extra": {}})).unwrap_err();
        assert!(
            matches!(err.reason(), RenderErrorReason::MissingVariable(Some(p)) if p == "extra.tanggal_uji"),
            "{err:?}"
        );
        for (tpl, data) in [
            ("{{tanggal d}}", json!({"d": "5 April"})),
            ("{{tanggal d}}", json!({"d": "2021-02-30"})),
            ("{{angka d}}", json!({"d": "banyak"})),
            ("{{angka d}}", json!({"d": 1.5})),
            ("{{bulan m}}", json!({"m": 13})),
            ("{{bulan_romawi m}}", json!({"m": 0})),
            ("{{huruf_besar d}}", json!({"d": 3})),
            ("{{kode_qr d}}", json!({"d": 3})),
        ] {
            let err = render(tpl, data).unwrap_err().to_string();
            let name = tpl.trim_start_matches("{{").split(' ').next().unwrap();
            assert!(err.contains(name), "{tpl}: {err}");
        }
        assert!(render("{{tanggal}}", json!({})).is_err());
    }
}
