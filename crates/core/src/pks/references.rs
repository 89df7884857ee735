//! References between articles: `[[pasal:KEY]]` in an article's text, resolved to the current
//! number of the article keyed KEY, and the keys given to articles that have none.

use super::{Article, MAX_KEY_CHARS, Paragraph, PksProblem};
use std::collections::{HashMap, HashSet};

/// What opens a reference to another article of the same PKS; `]]` closes it. The prefix is
/// matched without regard to case, so `[[Pasal:…]]` is a reference too, not stray text.
pub const REFERENCE_OPEN: &str = "[[pasal:";
pub const REFERENCE_CLOSE: &str = "]]";

/// The reference to the article keyed `key`, as it is written in article text.
pub fn reference(key: &str) -> String {
    format!("{REFERENCE_OPEN}{key}{REFERENCE_CLOSE}")
}

/// Whether `key` may name an article: 1 to [`MAX_KEY_CHARS`] lowercase ASCII letters, digits,
/// `_` and `-`, starting with a letter.
pub fn valid_key(key: &str) -> bool {
    key.len() <= MAX_KEY_CHARS
        && key.starts_with(|c: char| c.is_ascii_lowercase())
        && key
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-')
}

/// A piece of article text: plain text, a reference (its key, trimmed), or a reference that is
/// never closed (the rest of the text).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Piece<'a> {
    Text(&'a str),
    Reference(&'a str),
    Unclosed(&'a str),
}

pub(super) fn pieces(text: &str) -> Vec<Piece<'_>> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(at) = find_open(rest) {
        if at > 0 {
            out.push(Piece::Text(&rest[..at]));
        }
        let inner = &rest[at + REFERENCE_OPEN.len()..];
        match inner.find(REFERENCE_CLOSE) {
            Some(end) => {
                out.push(Piece::Reference(inner[..end].trim()));
                rest = &inner[end + REFERENCE_CLOSE.len()..];
            }
            None => {
                out.push(Piece::Unclosed(&rest[at..]));
                rest = "";
            }
        }
    }
    if !rest.is_empty() {
        out.push(Piece::Text(rest));
    }
    out
}

/// Where the next reference opens in `text` (ASCII case-insensitive).
fn find_open(text: &str) -> Option<usize> {
    text.match_indices('[').map(|(i, _)| i).find(|&i| {
        text.get(i..i + REFERENCE_OPEN.len())
            .is_some_and(|s| s.eq_ignore_ascii_case(REFERENCE_OPEN))
    })
}

/// Every text of an article a reference may stand in: its title, paragraphs and points.
fn texts(a: &Article) -> impl Iterator<Item = &String> {
    std::iter::once(&a.title).chain(
        a.paragraphs
            .iter()
            .flat_map(|p| std::iter::once(&p.text).chain(&p.points)),
    )
}

/// Whether any text of `articles` holds a reference (resolving would change something).
pub fn has_references(articles: &[Article]) -> bool {
    articles
        .iter()
        .flat_map(texts)
        .any(|t| find_open(t).is_some())
}

/// The number of each keyed article; of two articles with one key (which
/// [`check_articles`] refuses), the first.
fn numbers_by_key(articles: &[Article]) -> HashMap<&str, u32> {
    let mut out = HashMap::new();
    for a in articles {
        if let Some(key) = &a.key {
            out.entry(key.as_str()).or_insert(a.number);
        }
    }
    out
}

fn resolve_text(text: &str, numbers: &HashMap<&str, u32>) -> String {
    if find_open(text).is_none() {
        return text.to_string();
    }
    pieces(text)
        .into_iter()
        .map(|piece| match piece {
            Piece::Text(t) | Piece::Unclosed(t) => t.to_string(),
            Piece::Reference(key) => match numbers.get(key) {
                Some(n) => format!("Pasal {n}"),
                // Left as written, so a broken reference shows rather than reads as a number.
                None => reference(key),
            },
        })
        .collect()
}

/// The articles as they read: each reference `[[pasal:KEY]]` becomes "Pasal N", N being the
/// current number of the article keyed KEY. What a letter prints and what the diff compares.
/// References to no article of the draft (refused by [`check_articles`]) stay as written;
/// articles without references come back unchanged.
pub fn resolve_references(articles: &[Article]) -> Vec<Article> {
    let numbers = numbers_by_key(articles);
    articles
        .iter()
        .map(|a| Article {
            number: a.number,
            key: a.key.clone(),
            title: resolve_text(&a.title, &numbers),
            paragraphs: a
                .paragraphs
                .iter()
                .map(|p| Paragraph {
                    text: resolve_text(&p.text, &numbers),
                    points: p.points.iter().map(|t| resolve_text(t, &numbers)).collect(),
                })
                .collect(),
        })
        .collect()
}

/// The keys an article's text refers to, in order of first appearance.
pub fn references_of(article: &Article) -> Vec<&str> {
    let mut out: Vec<&str> = Vec::new();
    for piece in texts(article).flat_map(|t| pieces(t)) {
        if let Piece::Reference(key) = piece
            && !out.contains(&key)
        {
            out.push(key);
        }
    }
    out
}

/// Gives every article without a key one made from its title (`Sanksi Administratif` →
/// `sanksi_administratif`), distinct from every other key, so other articles can refer to it.
/// Articles that have a key keep it.
pub fn assign_keys(articles: &mut [Article]) {
    let mut taken: HashSet<String> = articles.iter().filter_map(|a| a.key.clone()).collect();
    for a in articles.iter_mut().filter(|a| a.key.is_none()) {
        let base = key_from_title(&a.title);
        let key = std::iter::once(base.clone())
            .chain((2..).map(|n| {
                let suffix = format!("_{n}");
                let room = MAX_KEY_CHARS - suffix.len();
                format!("{}{suffix}", &base[..base.len().min(room)])
            }))
            .find(|k| !taken.contains(k))
            .unwrap_or_default();
        taken.insert(key.clone());
        a.key = Some(key);
    }
}

/// `Hak dan Kewajiban PIHAK KEDUA` → `hak_dan_kewajiban_pihak_kedua`; `pasal` when nothing of
/// the title is usable.
fn key_from_title(title: &str) -> String {
    let mut key = String::new();
    for c in title.chars() {
        if c.is_ascii_alphanumeric() {
            key.push(c.to_ascii_lowercase());
        } else if !key.is_empty() && !key.ends_with('_') {
            key.push('_');
        }
    }
    key.truncate(MAX_KEY_CHARS);
    let key = key.trim_end_matches('_');
    if key.starts_with(|c: char| c.is_ascii_lowercase()) {
        key.to_string()
    } else if key.is_empty() {
        "pasal".into()
    } else {
        format!("pasal_{key}")
            .chars()
            .take(MAX_KEY_CHARS)
            .collect::<String>()
            .trim_end_matches('_')
            .to_string()
    }
}

/// The problems with keys and references: bad or repeated keys, references to no article of
/// the draft, references left open. Each names the article that has it.
pub(super) fn check_references(articles: &[Article]) -> Vec<PksProblem> {
    let mut out = Vec::new();
    let mut seen: HashSet<&str> = HashSet::new();
    for a in articles {
        let Some(key) = &a.key else { continue };
        // A bad key still counts as present: a reference to it is not dangling as well.
        let fresh = seen.insert(key);
        if !valid_key(key) {
            out.push(PksProblem::BadKey {
                article: a.number,
                key: key.clone(),
            });
        } else if !fresh {
            out.push(PksProblem::DuplicateKey {
                article: a.number,
                key: key.clone(),
            });
        }
    }
    for a in articles {
        for key in references_of(a) {
            if !seen.contains(key) {
                out.push(PksProblem::DanglingReference {
                    article: a.number,
                    key: key.to_string(),
                });
            }
        }
        if texts(a)
            .flat_map(|t| pieces(t))
            .any(|p| matches!(p, Piece::Unclosed(_)))
        {
            out.push(PksProblem::UnclosedReference { article: a.number });
        }
    }
    out
}
