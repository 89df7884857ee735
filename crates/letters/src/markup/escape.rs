//! Values written into the typst source: text that can only ever be text, string literals,
//! and the column widths and numbering patterns the templates may ask for, checked.

use super::html::Element;

/// Text as typst markup that can only ever be text: whitespace runs become one space and every
/// ASCII punctuation character is escaped with a backslash.
pub(crate) fn escape_text(s: &str, out: &mut String) {
    let mut space = false;
    for c in s.chars() {
        if c.is_whitespace() && c != '\u{a0}' {
            space = true;
            continue;
        }
        if space {
            out.push(' ');
            space = false;
        }
        if c.is_ascii_punctuation() {
            out.push('\\');
        }
        out.push(c);
    }
    if space {
        out.push(' ');
    }
}

/// A typst string literal.
pub(super) fn string_literal(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A column width from `data-cols`: `auto`, or a number with `fr`, `cm`, `mm`, `pt`, `em` or `%`.
pub(super) fn column_width(w: &str) -> Result<&str, String> {
    if w == "auto" {
        return Ok(w);
    }
    let digits = w.trim_end_matches(|c: char| c.is_ascii_alphabetic() || c == '%');
    let unit = &w[digits.len()..];
    let number_ok = !digits.is_empty()
        && digits.chars().all(|c| c.is_ascii_digit() || c == '.')
        && digits.parse::<f64>().is_ok();
    if number_ok && ["fr", "cm", "mm", "pt", "em", "%"].contains(&unit) {
        Ok(w)
    } else {
        Err(format!(
            "column width `{w}` in data-cols: use auto, 1fr, 3cm, 40% …"
        ))
    }
}

/// Enum numbering from `<ol type=…>` or `data-numbering`: only typst counting symbols and a
/// little punctuation are allowed through.
pub(super) fn numbering(ol: &Element) -> Result<String, String> {
    if let Some(n) = ol.attr("data-numbering") {
        let ok = !n.is_empty()
            && n.chars().all(|c| "1aAiI().-".contains(c))
            && n.chars().any(|c| "1aAiI".contains(c));
        return if ok {
            Ok(n.to_string())
        } else {
            Err(format!("numbering `{n}`: use a pattern like 1. a. (1) a)"))
        };
    }
    Ok(match ol.attr("type").unwrap_or("1") {
        "a" => "a.",
        "A" => "A.",
        "i" => "i.",
        "I" => "I.",
        _ => "1.",
    }
    .to_string())
}
