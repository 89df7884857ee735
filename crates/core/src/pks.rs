//! The PKS as structured articles (*pasal*): the model every draft version is stored in, the
//! checks a submitted draft must pass, the reviewer's comments on single articles, and the
//! article-by-article comparison of two versions.
//!
//! A draft's articles travel in its `PksDrafted` event, so the audit log holds the exact text
//! of every version, and the signed PKS is the approved version's text.
//!
//! Articles refer to one another by a stable key, not by number: the text holds
//! `[[pasal:kerahasiaan]]` where the printed PKS reads "Pasal 6", and [`resolve_references`]
//! turns each such reference into the current number of the article keyed `kerahasiaan`. So an
//! article can be inserted, removed or moved without leaving another article pointing at the
//! wrong one. A paragraph is named in plain text after the reference
//! (`[[pasal:ruang_lingkup]] ayat (2)`); references to laws ("Pasal 58 ayat (2) Undang-Undang
//! …") are ordinary text and never change. The brackets mean nothing to handlebars, and the
//! letters print article text as escaped values anyway.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::{HashMap, HashSet};
use std::fmt;

/// Limits that keep a draft printable and a diff cheap; far above any real PKS.
pub const MAX_ARTICLES: usize = 60;
pub const MAX_PARAGRAPHS: usize = 30;
pub const MAX_TEXT_CHARS: usize = 4_000;
/// The longest article key.
pub const MAX_KEY_CHARS: usize = 40;

/// How many times a day all of an agency's user IDs together may access the data, as the PKS
/// agrees it unless its drafted articles say otherwise: the default articles print it (“dibatasi
/// paling banyak 1.000 (seribu) kali akses per hari”), and so do the juknis and the evaluation
/// report. One figure for the drafts, the letters and the pages alike.
pub const DAILY_QUOTA: u32 = 1_000;

/// One article (*pasal*) of the PKS.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Article {
    pub number: u32,
    /// The stable name other articles refer to this one by (`[[pasal:KEY]]`); it stays when the
    /// article is renumbered. Lowercase letters, digits, `_` and `-`, starting with a letter.
    /// Drafts stored before keys existed have none (and no references either); it is left out
    /// of the JSON when absent, so their fingerprints do not change.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    pub title: String,
    /// Its paragraphs (*ayat*); an article of one paragraph is printed without `(1)`.
    pub paragraphs: Vec<Paragraph>,
}

/// One paragraph (*ayat*) with its lettered points (`a.`, `b.`, …), if any.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Paragraph {
    pub text: String,
    #[serde(default)]
    pub points: Vec<String>,
}

impl Paragraph {
    pub fn text(text: impl Into<String>) -> Self {
        Paragraph {
            text: text.into(),
            points: Vec::new(),
        }
    }

    pub fn with_points(text: impl Into<String>, points: Vec<String>) -> Self {
        Paragraph {
            text: text.into(),
            points,
        }
    }
}

impl Article {
    /// The article as lines of plain text: each paragraph, then its points as `a. …`.
    pub fn lines(&self) -> Vec<String> {
        let mut out = Vec::new();
        let numbered = self.paragraphs.len() > 1;
        for (i, p) in self.paragraphs.iter().enumerate() {
            out.push(if numbered {
                format!("({}) {}", i + 1, p.text)
            } else {
                p.text.clone()
            });
            for (j, point) in p.points.iter().enumerate() {
                out.push(format!("{}. {point}", point_letter(j)));
            }
        }
        out
    }
}

/// The plain-text form of an article's body, as a person edits it in a text box: paragraphs
/// separated by a blank line, each paragraph's points on their own lines as `a. …`, `b. …`.
pub fn body_to_text(paragraphs: &[Paragraph]) -> String {
    paragraphs
        .iter()
        .map(|p| {
            let mut block = p.text.clone();
            for (j, point) in p.points.iter().enumerate() {
                block.push('\n');
                block.push_str(&format!("{}. {point}", point_letter(j)));
            }
            block
        })
        .collect::<Vec<_>>()
        .join("\n\n")
}

/// Reads the plain-text form back: blank lines separate paragraphs; a line that starts with a
/// point letter (`a.`, `b.`, … `aa.`) is a point of the paragraph above; any other line
/// continues what precedes it. A leading `(2)` is dropped: paragraphs are numbered when printed.
pub fn body_from_text(text: &str) -> Vec<Paragraph> {
    let mut out: Vec<Paragraph> = Vec::new();
    for block in text.replace("\r\n", "\n").split("\n\n") {
        let mut paragraph: Option<Paragraph> = None;
        for line in block.lines().map(str::trim).filter(|l| !l.is_empty()) {
            let p = paragraph.get_or_insert_with(|| Paragraph::text(""));
            if let Some(point) = strip_point_letter(line).filter(|_| !p.text.is_empty()) {
                p.points.push(point.to_string());
            } else if let Some(last) = p.points.last_mut() {
                last.push(' ');
                last.push_str(line);
            } else if p.text.is_empty() {
                p.text = strip_paragraph_number(line).to_string();
            } else {
                p.text.push(' ');
                p.text.push_str(line);
            }
        }
        out.extend(paragraph);
    }
    out
}

/// `b. teks` → `teks`: a point letter is one or two equal lowercase letters and a full stop.
fn strip_point_letter(line: &str) -> Option<&str> {
    let (label, rest) = line.split_once(". ")?;
    let mut chars = label.chars();
    let first = chars.next()?;
    let letter_ok = first.is_ascii_lowercase() && chars.all(|c| c == first) && label.len() <= 2;
    letter_ok.then(|| rest.trim())
}

/// `(2) teks` → `teks`.
fn strip_paragraph_number(line: &str) -> &str {
    line.strip_prefix('(')
        .and_then(|r| r.split_once(") "))
        .filter(|(n, _)| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
        .map_or(line, |(_, rest)| rest.trim())
}

/// `a`, `b`, … `z`, then `aa`, `bb`, … as Indonesian legal texts letter their points.
fn point_letter(i: usize) -> String {
    let letter = char::from(b'a' + (i % 26) as u8);
    std::iter::repeat_n(letter, i / 26 + 1).collect()
}

// ---- References between articles --------------------------------------------------------------

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
enum Piece<'a> {
    Text(&'a str),
    Reference(&'a str),
    Unclosed(&'a str),
}

fn pieces(text: &str) -> Vec<Piece<'_>> {
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

/// The order of `items` once some were given a new position: `Some(p)` moves an item to
/// position `p` (1-based), `None` leaves it. The items that stay keep their order, then the
/// moved ones are put at their positions, lowest first, so each lands where it was asked to
/// (a position past the end puts it last). Moving the article at 1 to 3 gives 2, 3, 1; a new
/// article given the number of the last one goes just before it.
pub fn arrange<T>(items: impl IntoIterator<Item = (T, Option<usize>)>) -> Vec<T> {
    let mut stay = Vec::new();
    let mut moved = Vec::new();
    for (item, to) in items {
        match to {
            Some(p) => moved.push((p, item)),
            None => stay.push(item),
        }
    }
    moved.sort_by_key(|(p, _)| *p);
    for (p, item) in moved {
        let at = p.saturating_sub(1).min(stay.len());
        stay.insert(at, item);
    }
    stay
}

/// A reviewer's comment on one article of a draft version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ArticleComment {
    pub article: u32,
    pub text: String,
}

/// What a transition carries for the PKS: the articles of a new draft (with `draft_pks`), the
/// comments on articles (with `return_pks` or `approve_pks`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PksInput {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub articles: Option<Vec<Article>>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub comments: Vec<ArticleComment>,
}

impl PksInput {
    pub fn is_empty(&self) -> bool {
        self.articles.is_none() && self.comments.is_empty()
    }
}

/// Why a draft or a comment is refused; each names the article.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "problem", rename_all = "snake_case")]
pub enum PksProblem {
    NoArticles,
    TooManyArticles {
        max: usize,
    },
    /// Articles are numbered 1, 2, 3, … in order.
    Numbering {
        position: usize,
        found: u32,
    },
    BlankTitle {
        article: u32,
    },
    NoParagraphs {
        article: u32,
    },
    TooManyParagraphs {
        article: u32,
        max: usize,
    },
    BlankText {
        article: u32,
    },
    TooLong {
        article: u32,
        max: usize,
    },
    /// A key that is not 1 to 40 lowercase letters, digits, `_` and `-` starting with a letter.
    BadKey {
        article: u32,
        key: String,
    },
    /// A key an earlier article has already: a reference would not know which one it names.
    DuplicateKey {
        article: u32,
        key: String,
    },
    /// `article` refers (`[[pasal:KEY]]`) to an article the draft does not have.
    DanglingReference {
        article: u32,
        key: String,
    },
    /// `article` opens a reference (`[[pasal:`) and never closes it (`]]`).
    UnclosedReference {
        article: u32,
    },
    /// A comment on an article the draft does not have.
    UnknownArticle {
        article: u32,
        articles: u32,
    },
    BlankComment {
        article: u32,
    },
    /// Articles go with a new draft only; comments with a review only.
    NotADraft,
    NotAReview,
}

impl fmt::Display for PksProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PksProblem::NoArticles => write!(f, "The draft has no articles."),
            PksProblem::TooManyArticles { max } => write!(f, "A draft has at most {max} articles."),
            PksProblem::Numbering { position, found } => write!(
                f,
                "Article {position} is numbered {found}: number the articles 1, 2, 3, … in order."
            ),
            PksProblem::BlankTitle { article } => write!(f, "Article {article} has no title."),
            PksProblem::NoParagraphs { article } => {
                write!(f, "Article {article} has no paragraph.")
            }
            PksProblem::TooManyParagraphs { article, max } => {
                write!(f, "Article {article} has more than {max} paragraphs.")
            }
            PksProblem::BlankText { article } => {
                write!(f, "Article {article} has an empty paragraph or point.")
            }
            PksProblem::TooLong { article, max } => write!(
                f,
                "A paragraph or point of article {article} is longer than {max} characters."
            ),
            PksProblem::BadKey { article, key } => write!(
                f,
                "Article {article} has the key `{key}`: a key is 1 to {MAX_KEY_CHARS} lowercase letters, digits, `_` or `-`, starting with a letter."
            ),
            PksProblem::DuplicateKey { article, key } => write!(
                f,
                "Article {article} has the key `{key}` of an earlier article: each article needs its own key."
            ),
            PksProblem::DanglingReference { article, key } => write!(
                f,
                "Article {article} refers to {}, but the draft has no article with the key `{key}`: restore that article or correct the reference.",
                reference(key)
            ),
            PksProblem::UnclosedReference { article } => write!(
                f,
                "Article {article} opens a reference with `{REFERENCE_OPEN}` without closing it with `{REFERENCE_CLOSE}`."
            ),
            PksProblem::UnknownArticle { article, articles } => write!(
                f,
                "There is no article {article}: the draft has articles 1 to {articles}."
            ),
            PksProblem::BlankComment { article } => {
                write!(f, "The comment on article {article} is empty.")
            }
            PksProblem::NotADraft => write!(
                f,
                "Articles can only be given with the action that submits a PKS draft."
            ),
            PksProblem::NotAReview => write!(
                f,
                "Comments on articles can only be given when a PKS draft is returned or approved."
            ),
        }
    }
}

impl PksProblem {
    pub fn message_en(&self) -> String {
        self.to_string()
    }

    /// The same in Indonesian, for the pages and the `message_id` of API errors.
    pub fn message_id(&self) -> String {
        match self {
            PksProblem::NoArticles => "Draf PKS belum memuat pasal.".into(),
            PksProblem::TooManyArticles { max } => {
                format!("Draf PKS memuat paling banyak {max} pasal.")
            }
            PksProblem::Numbering { position, found } => format!(
                "Pasal ke-{position} bernomor {found}: beri nomor pasal 1, 2, 3, dan seterusnya secara berurutan."
            ),
            PksProblem::BlankTitle { article } => format!("Pasal {article} belum berjudul."),
            PksProblem::NoParagraphs { article } => format!("Pasal {article} belum memuat ayat."),
            PksProblem::TooManyParagraphs { article, max } => {
                format!("Pasal {article} memuat lebih dari {max} ayat.")
            }
            PksProblem::BlankText { article } => {
                format!("Pasal {article} memuat ayat atau huruf yang kosong.")
            }
            PksProblem::TooLong { article, max } => {
                format!("Ayat atau huruf pada Pasal {article} melebihi {max} karakter.")
            }
            PksProblem::BadKey { article, key } => format!(
                "Kunci `{key}` pada Pasal {article} tidak sah: kunci terdiri atas 1 sampai dengan {MAX_KEY_CHARS} huruf kecil, angka, `_` atau `-`, diawali huruf."
            ),
            PksProblem::DuplicateKey { article, key } => format!(
                "Kunci `{key}` pada Pasal {article} telah digunakan oleh pasal sebelumnya: setiap pasal memerlukan kunci tersendiri."
            ),
            PksProblem::DanglingReference { article, key } => format!(
                "Pasal {article} merujuk {}, padahal draf ini tidak memuat pasal dengan kunci `{key}`: kembalikan pasal tersebut atau perbaiki rujukannya.",
                reference(key)
            ),
            PksProblem::UnclosedReference { article } => format!(
                "Pasal {article} memuat rujukan yang dibuka dengan `{REFERENCE_OPEN}` tanpa ditutup dengan `{REFERENCE_CLOSE}`."
            ),
            PksProblem::UnknownArticle { article, articles } => format!(
                "Tidak ada Pasal {article}: draf ini memuat Pasal 1 sampai dengan Pasal {articles}."
            ),
            PksProblem::BlankComment { article } => format!("Catatan pada Pasal {article} kosong."),
            PksProblem::NotADraft => {
                "Pasal hanya dapat disampaikan bersama tindakan pengajuan draf PKS.".into()
            }
            PksProblem::NotAReview => {
                "Catatan per pasal hanya dapat diberikan saat draf PKS dikembalikan atau disetujui."
                    .into()
            }
        }
    }
}

fn blank(s: &str) -> bool {
    s.trim().is_empty()
}

/// Every problem of a submitted draft; empty when it can be stored as a version.
pub fn check_articles(articles: &[Article]) -> Vec<PksProblem> {
    let mut out = Vec::new();
    if articles.is_empty() {
        out.push(PksProblem::NoArticles);
    }
    if articles.len() > MAX_ARTICLES {
        out.push(PksProblem::TooManyArticles { max: MAX_ARTICLES });
        return out;
    }
    for (i, a) in articles.iter().enumerate() {
        let article = a.number;
        if a.number as usize != i + 1 {
            out.push(PksProblem::Numbering {
                position: i + 1,
                found: a.number,
            });
        }
        if blank(&a.title) {
            out.push(PksProblem::BlankTitle { article });
        }
        if a.paragraphs.is_empty() {
            out.push(PksProblem::NoParagraphs { article });
        }
        if a.paragraphs.len() > MAX_PARAGRAPHS {
            out.push(PksProblem::TooManyParagraphs {
                article,
                max: MAX_PARAGRAPHS,
            });
        }
        let texts = a
            .paragraphs
            .iter()
            .flat_map(|p| std::iter::once(&p.text).chain(&p.points));
        if texts.clone().any(|t| blank(t)) {
            out.push(PksProblem::BlankText { article });
        }
        if texts
            .chain(std::iter::once(&a.title))
            .any(|t| t.chars().count() > MAX_TEXT_CHARS)
        {
            out.push(PksProblem::TooLong {
                article,
                max: MAX_TEXT_CHARS,
            });
        }
    }
    out.extend(check_references(articles));
    out
}

/// The problems with keys and references: bad or repeated keys, references to no article of
/// the draft, references left open. Each names the article that has it.
fn check_references(articles: &[Article]) -> Vec<PksProblem> {
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

/// Every problem of comments on a draft of `articles` articles.
pub fn check_comments(comments: &[ArticleComment], articles: u32) -> Vec<PksProblem> {
    let mut out = Vec::new();
    for c in comments {
        if c.article == 0 || c.article > articles {
            out.push(PksProblem::UnknownArticle {
                article: c.article,
                articles,
            });
        }
        if blank(&c.text) {
            out.push(PksProblem::BlankComment { article: c.article });
        } else if c.text.chars().count() > MAX_TEXT_CHARS {
            out.push(PksProblem::TooLong {
                article: c.article,
                max: MAX_TEXT_CHARS,
            });
        }
    }
    out
}

/// SHA-256 of a version's articles (of their JSON form): the fingerprint of the exact text.
pub fn articles_sha256(articles: &[Article]) -> String {
    let json = serde_json::to_vec(articles).unwrap_or_default();
    hex::encode(Sha256::digest(&json))
}

// ---- Comparing two versions --------------------------------------------------------------------

/// How an article changed from one version to the next.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Change {
    Same,
    Changed,
    Added,
    Removed,
}

/// A run of words, marked when it differs from the other side.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Segment {
    pub text: String,
    pub changed: bool,
}

/// One article side by side: the old text and the new one, line by line, each line split into
/// segments so a page can mark the words that changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ArticleDiff {
    pub number: u32,
    pub old_title: Option<String>,
    pub new_title: Option<String>,
    pub change: Change,
    pub old: Vec<Vec<Segment>>,
    pub new: Vec<Vec<Segment>>,
}

/// Compares two versions article by article (articles are matched by number), marking the
/// words that were removed on the old side and the words that were added on the new side.
/// The texts compared are the resolved ones ([`resolve_references`]): what the PKS reads, so a
/// reference whose number changed shows as a change, and a key alone is no change.
pub fn diff(old: &[Article], new: &[Article]) -> Vec<ArticleDiff> {
    let (old, new) = (resolve_references(old), resolve_references(new));
    let count = old.len().max(new.len());
    (0..count)
        .map(|i| {
            let (o, n) = (old.get(i), new.get(i));
            let change = match (o, n) {
                (Some(o), Some(n)) if o.title == n.title && o.paragraphs == n.paragraphs => {
                    Change::Same
                }
                (Some(_), Some(_)) => Change::Changed,
                (None, _) => Change::Added,
                (_, None) => Change::Removed,
            };
            let o_lines = o.map(Article::lines).unwrap_or_default();
            let n_lines = n.map(Article::lines).unwrap_or_default();
            let (old_side, new_side) = diff_lines(&o_lines, &n_lines);
            ArticleDiff {
                number: n.or(o).map_or(i as u32 + 1, |a| a.number),
                old_title: o.map(|a| a.title.clone()),
                new_title: n.map(|a| a.title.clone()),
                change,
                old: old_side,
                new: new_side,
            }
        })
        .collect()
}

/// Word-level comparison of two texts given as lines: the longest common subsequence of words
/// stays unmarked, everything else is marked on its side.
fn diff_lines(old: &[String], new: &[String]) -> (Vec<Vec<Segment>>, Vec<Vec<Segment>>) {
    // Words with the line they belong to, so the marks can be put back line by line.
    let words = |lines: &[String]| -> Vec<(usize, String)> {
        lines
            .iter()
            .enumerate()
            .flat_map(|(l, s)| s.split_whitespace().map(move |w| (l, w.to_string())))
            .collect()
    };
    let (a, b) = (words(old), words(new));
    let kept = lcs(&a, &b);
    let sides = |lines: &[String], words: &[(usize, String)], kept: &[bool]| {
        let mut out: Vec<Vec<Segment>> = vec![Vec::new(); lines.len()];
        for ((line, word), keep) in words.iter().zip(kept) {
            let segments = &mut out[*line];
            match segments.last_mut() {
                Some(last) if last.changed != *keep => {
                    last.text.push(' ');
                    last.text.push_str(word);
                }
                _ => segments.push(Segment {
                    text: word.clone(),
                    changed: !keep,
                }),
            }
        }
        out
    };
    (sides(old, &a, &kept.0), sides(new, &b, &kept.1))
}

/// Which words of `a` and of `b` belong to their longest common subsequence.
fn lcs(a: &[(usize, String)], b: &[(usize, String)]) -> (Vec<bool>, Vec<bool>) {
    let (n, m) = (a.len(), b.len());
    // table[i][j]: the LCS length of a[i..] and b[j..]. The sizes are bounded by the draft
    // limits (one article), so the quadratic table stays small.
    let mut table = vec![vec![0u32; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            table[i][j] = if a[i].1 == b[j].1 {
                table[i + 1][j + 1] + 1
            } else {
                table[i + 1][j].max(table[i][j + 1])
            };
        }
    }
    let (mut keep_a, mut keep_b) = (vec![false; n], vec![false; m]);
    let (mut i, mut j) = (0, 0);
    while i < n && j < m {
        if a[i].1 == b[j].1 {
            keep_a[i] = true;
            keep_b[j] = true;
            i += 1;
            j += 1;
        } else if table[i + 1][j] >= table[i][j + 1] {
            i += 1;
        } else {
            j += 1;
        }
    }
    (keep_a, keep_b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_agreed_daily_quota_is_a_thousand_accesses() {
        // Every PKS drafted so far and the juknis printed from them say 1.000 a day; changing
        // the figure changes what agencies sign, so it is pinned here.
        assert_eq!(DAILY_QUOTA, 1_000);
    }

    fn art(number: u32, title: &str, texts: &[&str]) -> Article {
        Article {
            number,
            key: None,
            title: title.into(),
            paragraphs: texts.iter().map(|t| Paragraph::text(*t)).collect(),
        }
    }

    fn marked(lines: &[Vec<Segment>]) -> Vec<String> {
        lines
            .iter()
            .flatten()
            .filter(|s| s.changed)
            .map(|s| s.text.clone())
            .collect()
    }

    fn keyed(number: u32, key: &str, title: &str, texts: &[&str]) -> Article {
        Article {
            key: Some(key.into()),
            ..art(number, title, texts)
        }
    }

    #[test]
    fn references_are_read_only_where_marked() {
        assert_eq!(
            pieces("lihat [[pasal:sanksi]] ayat (2) dan [[PASAL: tujuan ]]."),
            [
                Piece::Text("lihat "),
                Piece::Reference("sanksi"),
                Piece::Text(" ayat (2) dan "),
                Piece::Reference("tujuan"),
                Piece::Text("."),
            ]
        );
        // Other brackets are text; an open reference is the rest of the text.
        assert_eq!(pieces("[[x]] [[pasal"), [Piece::Text("[[x]] [[pasal")]);
        assert_eq!(
            pieces("a [[pasal:b"),
            [Piece::Text("a "), Piece::Unclosed("[[pasal:b")]
        );
        assert_eq!(
            pieces("Pasal [[[pasal:c]]"),
            [Piece::Text("Pasal ["), Piece::Reference("c"),]
        );
        assert_eq!(
            pieces("ä[[pasal:é]]"),
            [Piece::Text("ä"), Piece::Reference("é")]
        );
        assert_eq!(reference("tim_teknis"), "[[pasal:tim_teknis]]");
        for ok in ["a", "tim_teknis", "pasal-2", &"x".repeat(MAX_KEY_CHARS)] {
            assert!(valid_key(ok), "{ok}");
        }
        for bad in [
            "",
            "Sanksi",
            "2pasal",
            "_a",
            "tim teknis",
            "é",
            &"x".repeat(MAX_KEY_CHARS + 1),
        ] {
            assert!(!valid_key(bad), "{bad}");
        }
    }

    #[test]
    fn references_resolve_to_the_current_number_anywhere_in_an_article() {
        let articles = vec![
            keyed(1, "tujuan", "Tujuan", &["Teks."]),
            Article {
                paragraphs: vec![Paragraph::with_points(
                    "Sebagaimana dimaksud dalam [[pasal:tujuan]] dan Pasal 58 ayat (2) Undang-Undang:",
                    vec!["[[pasal:sanksi]] ayat (1);".into()],
                )],
                ..keyed(2, "sanksi", "Sanksi atas [[pasal:tujuan]]", &[])
            },
        ];
        assert!(has_references(&articles));
        assert!(!has_references(&articles[..1]));
        let read = resolve_references(&articles);
        assert_eq!(read[1].title, "Sanksi atas Pasal 1");
        assert_eq!(
            read[1].paragraphs[0].text,
            "Sebagaimana dimaksud dalam Pasal 1 dan Pasal 58 ayat (2) Undang-Undang:"
        );
        assert_eq!(read[1].paragraphs[0].points, ["Pasal 2 ayat (1);"]);
        assert_eq!(read[1].key.as_deref(), Some("sanksi"));
        assert_eq!(references_of(&articles[1]), ["tujuan", "sanksi"]);
        assert!(check_articles(&articles).is_empty());
    }

    #[test]
    fn keys_and_references_are_checked_naming_the_article() {
        let articles = vec![
            keyed(1, "Tujuan", "Tujuan", &["Teks."]),
            keyed(2, "sanksi", "Sanksi", &["Lihat [[pasal:Tujuan]]."]),
            keyed(
                3,
                "sanksi",
                "Lain",
                &["Lihat [[pasal:kerahasiaan]] dan [[pasal:kerahasiaan]]."],
            ),
            art(4, "Tanpa kunci", &["Lihat [[pasal:sanksi"]),
        ];
        let problems = check_articles(&articles);
        assert_eq!(
            problems,
            [
                PksProblem::BadKey {
                    article: 1,
                    key: "Tujuan".into()
                },
                PksProblem::DuplicateKey {
                    article: 3,
                    key: "sanksi".into()
                },
                PksProblem::DanglingReference {
                    article: 3,
                    key: "kerahasiaan".into()
                },
                PksProblem::UnclosedReference { article: 4 },
            ]
        );
        assert!(
            problems[0]
                .message_id()
                .contains("Kunci `Tujuan` pada Pasal 1 tidak sah")
        );
        assert!(
            problems[1]
                .message_en()
                .contains("Article 3 has the key `sanksi` of an earlier article")
        );
        assert!(
            problems[3]
                .message_id()
                .starts_with("Pasal 4 memuat rujukan yang dibuka")
        );
        assert!(
            problems[3]
                .message_en()
                .contains("without closing it with `]]`")
        );
        // The first of two articles with one key is the one a reference names.
        assert_eq!(
            resolve_references(&articles)[1].paragraphs[0].text,
            "Lihat Pasal 1."
        );
    }

    #[test]
    fn new_articles_get_keys_from_their_titles_and_keep_the_ones_they_have() {
        let mut articles = vec![
            keyed(1, "sanksi", "Sanksi", &["T"]),
            art(2, "Sanksi", &["T"]),
            art(3, "Hak dan Kewajiban PIHAK KEDUA", &["T"]),
            art(4, "  ", &["T"]),
            art(5, "2. Lain-lain (tambahan)", &["T"]),
            art(6, &"Keadaan Kahar ".repeat(10), &["T"]),
            art(7, &"Keadaan Kahar ".repeat(10), &["T"]),
        ];
        assign_keys(&mut articles);
        let keys: Vec<_> = articles.iter().map(|a| a.key.clone().unwrap()).collect();
        assert_eq!(
            keys[..5],
            [
                "sanksi",
                "sanksi_2",
                "hak_dan_kewajiban_pihak_kedua",
                "pasal",
                "pasal_2_lain_lain_tambahan"
            ]
        );
        assert_eq!(keys[5], "keadaan_kahar_keadaan_kahar_keadaan_kaha");
        assert_eq!(keys[6], "keadaan_kahar_keadaan_kahar_keadaan_ka_2");
        assert!(keys.iter().all(|k| valid_key(k)), "{keys:?}");
        // No key problem: only the blank title is one.
        assert_eq!(
            check_articles(&articles),
            [PksProblem::BlankTitle { article: 4 }]
        );
    }

    #[test]
    fn arrange_puts_moved_items_where_they_were_asked() {
        let letters = |moves: &[(char, Option<usize>)]| -> String {
            arrange(moves.iter().copied()).into_iter().collect()
        };
        // Down, up, to the end, past the end, and a new item before the last.
        assert_eq!(
            letters(&[('a', Some(3)), ('b', None), ('c', None), ('d', None)]),
            "bcad"
        );
        assert_eq!(
            letters(&[('a', None), ('b', None), ('c', None), ('d', Some(2))]),
            "adbc"
        );
        assert_eq!(letters(&[('a', Some(9)), ('b', None)]), "ba");
        assert_eq!(letters(&[('a', None), ('b', None), ('n', Some(2))]), "anb");
        // Of two asking for one position, the later in the list gets it.
        assert_eq!(
            letters(&[('a', None), ('b', Some(1)), ('c', Some(1))]),
            "cba"
        );
        // Two moves land on both positions.
        assert_eq!(
            letters(&[('a', None), ('b', None), ('c', Some(3)), ('d', Some(2))]),
            "adcb"
        );
    }

    #[test]
    fn the_diff_compares_what_the_articles_read() {
        let v1 = vec![
            keyed(1, "pengertian", "Pengertian", &["Teks."]),
            keyed(2, "kerahasiaan", "Kerahasiaan", &["Rahasia."]),
            keyed(3, "sanksi", "Sanksi", &["Melanggar [[pasal:kerahasiaan]]."]),
        ];
        // Kerahasiaan moved to the front: Sanksi, unchanged as stored, now reads Pasal 1.
        let v2 = vec![
            keyed(1, "kerahasiaan", "Kerahasiaan", &["Rahasia."]),
            keyed(2, "pengertian", "Pengertian", &["Teks."]),
            keyed(3, "sanksi", "Sanksi", &["Melanggar [[pasal:kerahasiaan]]."]),
        ];
        let d = diff(&v1, &v2);
        assert_eq!(d[2].change, Change::Changed);
        assert_eq!(marked(&d[2].old), ["2."]);
        assert_eq!(marked(&d[2].new), ["1."]);
        // A key given to an article of an old draft changes nothing it reads.
        let old = vec![art(1, "Sanksi", &["T."])];
        let d = diff(&old, &[keyed(1, "sanksi", "Sanksi", &["T."])]);
        assert_eq!(d[0].change, Change::Same);
    }

    #[test]
    fn a_good_draft_passes_and_every_problem_is_named() {
        let good = vec![art(1, "Maksud", &["Teks."]), art(2, "Tujuan", &["Teks."])];
        assert!(check_articles(&good).is_empty());
        assert_eq!(check_articles(&[]), vec![PksProblem::NoArticles]);
        let bad = vec![
            art(1, " ", &["Teks."]),
            art(3, "Ruang Lingkup", &[]),
            Article {
                number: 3,
                key: None,
                title: "Hak".into(),
                paragraphs: vec![Paragraph::with_points("Teks", vec!["".into()])],
            },
        ];
        assert_eq!(
            check_articles(&bad),
            vec![
                PksProblem::BlankTitle { article: 1 },
                PksProblem::Numbering {
                    position: 2,
                    found: 3
                },
                PksProblem::NoParagraphs { article: 3 },
                PksProblem::BlankText { article: 3 },
            ]
        );
        let long = vec![art(1, "Judul", &[&"x".repeat(MAX_TEXT_CHARS + 1)])];
        assert_eq!(
            check_articles(&long),
            vec![PksProblem::TooLong {
                article: 1,
                max: MAX_TEXT_CHARS
            }]
        );
        let many: Vec<_> = (1..=MAX_ARTICLES as u32 + 1)
            .map(|n| art(n, "J", &["T"]))
            .collect();
        assert_eq!(
            check_articles(&many),
            vec![PksProblem::TooManyArticles { max: MAX_ARTICLES }]
        );
    }

    #[test]
    fn comments_must_name_an_article_of_the_draft() {
        let ok = vec![ArticleComment {
            article: 2,
            text: "Tambahkan kuota.".into(),
        }];
        assert!(check_comments(&ok, 14).is_empty());
        let bad = vec![
            ArticleComment {
                article: 0,
                text: "x".into(),
            },
            ArticleComment {
                article: 15,
                text: " ".into(),
            },
        ];
        let problems = check_comments(&bad, 14);
        assert_eq!(problems.len(), 3);
        assert!(problems[1].to_string().contains("articles 1 to 14"));
        assert!(
            problems[1]
                .message_id()
                .contains("Pasal 1 sampai dengan Pasal 14")
        );
    }

    #[test]
    fn the_diff_marks_changed_words_and_whole_articles() {
        let v1 = vec![
            art(1, "Maksud", &["Sebagai pedoman bagi PARA PIHAK."]),
            art(2, "Kuota", &["Paling banyak 1.000 akses per hari."]),
            art(3, "Penutup", &["Selesai."]),
        ];
        let v2 = vec![
            art(1, "Maksud", &["Sebagai pedoman bagi PARA PIHAK."]),
            art(2, "Kuota", &["Paling banyak 500 akses per hari kerja."]),
        ];
        let d = diff(&v1, &v2);
        assert_eq!(
            d.iter().map(|a| a.change).collect::<Vec<_>>(),
            [Change::Same, Change::Changed, Change::Removed]
        );
        assert!(marked(&d[0].old).is_empty() && marked(&d[0].new).is_empty());
        assert_eq!(marked(&d[1].old), ["1.000", "hari."]);
        assert_eq!(marked(&d[1].new), ["500", "hari kerja."]);
        // The unchanged words read in order around the marks.
        let whole: Vec<_> = d[1].new[0].iter().map(|s| s.text.as_str()).collect();
        assert_eq!(whole, ["Paling banyak", "500", "akses per", "hari kerja."]);
        assert_eq!(d[2].new_title, None);
        assert_eq!(marked(&d[2].old), ["Selesai."]);
        let back = diff(&v2, &v1);
        assert_eq!(back[2].change, Change::Added);
    }

    #[test]
    fn the_text_form_round_trips_and_reads_what_people_type() {
        let body = vec![
            Paragraph::with_points(
                "PIHAK KEDUA berhak:",
                vec![
                    "memperoleh hak akses;".into(),
                    "memperoleh pendampingan.".into(),
                ],
            ),
            Paragraph::text("PIHAK KEDUA wajib menjaga kerahasiaan data."),
        ];
        let text = body_to_text(&body);
        assert_eq!(
            text,
            "PIHAK KEDUA berhak:\na. memperoleh hak akses;\nb. memperoleh pendampingan.\n\nPIHAK KEDUA wajib menjaga kerahasiaan data."
        );
        assert_eq!(body_from_text(&text), body);
        // Windows line ends, numbered paragraphs, wrapped lines and stray blank lines.
        let typed = "(1) Data kependudukan\r\ndigunakan untuk:\r\na. verifikasi;\r\nb. pemadanan\r\ndata.\r\n\r\n\r\n(2) Selesai.\n";
        assert_eq!(
            body_from_text(typed),
            vec![
                Paragraph::with_points(
                    "Data kependudukan digunakan untuk:",
                    vec!["verifikasi;".into(), "pemadanan data.".into()]
                ),
                Paragraph::text("Selesai."),
            ]
        );
        // A paragraph may itself begin like a point only after its text.
        assert_eq!(body_from_text("a. b"), vec![Paragraph::text("a. b")]);
        assert!(body_from_text(" \n\n ").is_empty());
    }

    #[test]
    fn lines_number_paragraphs_and_letter_points() {
        let a = Article {
            number: 5,
            key: None,
            title: "Hak".into(),
            paragraphs: vec![
                Paragraph::with_points("PIHAK KEDUA berhak:", vec!["satu;".into(), "dua.".into()]),
                Paragraph::text("Lain."),
            ],
        };
        assert_eq!(
            a.lines(),
            [
                "(1) PIHAK KEDUA berhak:",
                "a. satu;",
                "b. dua.",
                "(2) Lain."
            ]
        );
        assert_eq!(point_letter(26), "aa");
        // The fingerprint follows the text: the same articles, the same hash; a change, another.
        let mut changed = a.clone();
        changed.title.push('.');
        let hash = articles_sha256(std::slice::from_ref(&a));
        assert_eq!(hash.len(), 64);
        assert_eq!(hash, articles_sha256(std::slice::from_ref(&a)));
        assert_ne!(hash, articles_sha256(&[changed]));
        assert_ne!(articles_sha256(&[a]), articles_sha256(&[]));
    }
}
