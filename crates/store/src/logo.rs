//! The letterhead logo an office may upload: checked to be a passive SVG document.

use crate::directory::find_office;
use crate::entity::offices;
use crate::{Result, Store, StoreError};
use sea_orm::{ActiveModelTrait, ActiveValue::Set};
use uuid::Uuid;

/// Largest letterhead logo accepted, in bytes.
pub const MAX_LOGO_BYTES: usize = 256 * 1024;

/// Checks a letterhead logo: an SVG document (UTF-8 text whose root element is `<svg>`, closed),
/// at most [`MAX_LOGO_BYTES`], with nothing active or external in it: no script, no event
/// handler, no embedded HTML, no entity declarations, no link outside the document but `data:`
/// images. Returns the document as text.
pub fn check_logo_svg(bytes: &[u8]) -> Result<String> {
    let refuse = |why: &str| {
        Err(StoreError::Invalid(format!(
            "the logo must be an SVG document (text starting with `<svg` or an XML declaration, at most {} KiB): {why}",
            MAX_LOGO_BYTES / 1024
        )))
    };
    if bytes.len() > MAX_LOGO_BYTES {
        return refuse(&format!("this file has {} bytes", bytes.len()));
    }
    let Ok(text) = std::str::from_utf8(bytes) else {
        return refuse("this file is not UTF-8 text (a PNG or JPEG picture is not accepted)");
    };
    let text = text.trim_start_matches('\u{feff}');
    if text.contains('\0') {
        return refuse("it contains a NUL character");
    }
    let lower = text.to_ascii_lowercase();
    // The root element: what comes first once the XML declaration, comments and a doctype are
    // skipped.
    let mut rest = lower.trim_start();
    loop {
        if let Some(r) = rest.strip_prefix("<?xml") {
            rest = r.split_once("?>").map_or("", |(_, r)| r).trim_start();
        } else if let Some(r) = rest.strip_prefix("<!--") {
            rest = r.split_once("-->").map_or("", |(_, r)| r).trim_start();
        } else if let Some(r) = rest.strip_prefix("<!doctype") {
            if r.split_once('>').is_some_and(|(d, _)| d.contains('[')) {
                return refuse("its doctype declares entities");
            }
            rest = r.split_once('>').map_or("", |(_, r)| r).trim_start();
        } else {
            break;
        }
    }
    let root_is_svg = rest
        .strip_prefix("<svg")
        .is_some_and(|r| r.starts_with(|c: char| c.is_whitespace() || c == '>' || c == '/'));
    if !root_is_svg {
        return refuse("its root element is not <svg>");
    }
    if !lower.contains("</svg>") && !lower.trim_end().ends_with("/>") {
        return refuse("its <svg> element is not closed");
    }
    for (needle, what) in [
        ("<script", "it contains a <script>"),
        ("<foreignobject", "it embeds HTML (<foreignObject>)"),
        ("<!entity", "it declares entities"),
        ("javascript:", "it contains a javascript: link"),
        ("<iframe", "it contains an <iframe>"),
    ] {
        if lower.contains(needle) {
            return refuse(what);
        }
    }
    // Event handlers (`onload=`, `onclick =` …) as attributes.
    let handler = lower.match_indices("on").any(|(i, _)| {
        let before = lower[..i].chars().next_back();
        let name: String = lower[i..]
            .chars()
            .take_while(|c| c.is_ascii_alphabetic())
            .collect();
        before.is_some_and(char::is_whitespace)
            && name.len() > 2
            && lower[i + name.len()..].trim_start().starts_with('=')
    });
    if handler {
        return refuse("it has an event-handler attribute (on…=)");
    }
    // Links may point inside the document (`#id`) or hold a `data:` image, nothing else.
    for attr in ["href", "src"] {
        for (i, _) in lower.match_indices(attr) {
            let after = lower[i + attr.len()..].trim_start();
            let Some(value) = after.strip_prefix('=') else {
                continue;
            };
            let value = value
                .trim_start()
                .trim_start_matches(['"', '\''])
                .trim_start();
            if !(value.starts_with('#') || value.starts_with("data:image/")) {
                return refuse("it links to something outside the document");
            }
        }
    }
    Ok(text.to_string())
}

impl Store {
    /// Sets (or, with `None`, removes) the logo at the left of an office's letterhead, checked by
    /// [`check_logo_svg`]. Letters already issued keep the letterhead they were issued with.
    pub async fn set_office_logo(&self, office_id: Uuid, svg: Option<&[u8]>) -> Result<()> {
        let logo = svg.map(check_logo_svg).transpose()?;
        let mut row: offices::ActiveModel = find_office(&self.inner.db, office_id).await?.into();
        row.logo_svg = Set(logo);
        row.update(&self.inner.db).await?;
        Ok(())
    }
}
