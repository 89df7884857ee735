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
use std::fmt;

mod diff;
mod references;
#[cfg(test)]
mod tests;

pub use diff::{ArticleDiff, Change, Segment, diff};
use references::check_references;
pub use references::{
    REFERENCE_CLOSE, REFERENCE_OPEN, assign_keys, has_references, reference, references_of,
    resolve_references, valid_key,
};

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
