//! Sepakat's letters: one handlebars template per letter of
//! [`sepakat_core::workflow::LETTERS`], rendered to print-ready HTML and, in-process, to PDF.
//!
//! - [`context`]: the typed input, [`LetterContext`];
//! - [`pks`]: the default articles (*pasal*) and recitals of a PKS, built from the request;
//! - [`indonesian`]: dates, numbers and *terbilang* the Indonesian way, also as template helpers;
//! - [`samples`]: realistic contexts (Kota Pontianak, Provinsi Kalimantan Selatan) for previews,
//!   tests and the benchmark;
//! - `pdf` (private): the rendered HTML laid out by typst, used as a library, with the fonts
//!   embedded in the binary.
//!
//! One template yields both outputs: the PDF is laid out from the very HTML the template renders,
//! so the two never say different things. Templates therefore use a small HTML vocabulary that
//! the PDF layout understands (see `templates/letters/README.md`); any other tag is an error,
//! never silently dropped text.
//!
//! Handlebars runs in strict mode: a field a template names but the context lacks is
//! [`LetterError::MissingField`], naming it. Every value is HTML-escaped, and the PDF layout
//! treats every text as text, so `<script>`, `{{…}}` or typst markup in a value is printed as is.

pub mod addendum;
pub mod build;
pub mod context;
mod helpers;
pub mod indonesian;
pub mod logo;
mod markup;
mod pdf;
pub mod pks;
pub mod qr;
pub mod samples;
mod templates;

pub use build::build_context;
pub use context::{
    AccessMethodLine, Addressee, Article, ElementLine, Issuer, LetterContext, Official, Paragraph,
    Party, Region, Verification,
};
pub use pks::{PksParties, default_articles, default_recitals};

use handlebars::{Handlebars, RenderError, RenderErrorReason};
use sepakat_templates::{Part, TemplateError, TemplateSet};
use std::path::{Path, PathBuf};

/// What a rendered letter is delivered as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    Html,
    Pdf,
}

impl Format {
    pub fn content_type(self) -> &'static str {
        match self {
            Format::Html => "text/html; charset=utf-8",
            Format::Pdf => "application/pdf",
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            Format::Html => "html",
            Format::Pdf => "pdf",
        }
    }
}

impl std::str::FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "html" => Ok(Format::Html),
            "pdf" => Ok(Format::Pdf),
            other => Err(format!("unknown letter format `{other}`: use html or pdf")),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum LetterError {
    #[error("unknown letter `{name}`; known letters: {known}")]
    UnknownLetter { name: String, known: String },
    #[error(
        "letter `{letter}`: field `{field}` is missing from the context ({template} line {line})"
    )]
    MissingField {
        letter: String,
        field: String,
        template: String,
        line: String,
    },
    #[error("letter `{letter}`: {message} ({template} line {line})")]
    Render {
        letter: String,
        message: String,
        template: String,
        line: String,
    },
    #[error("template `{name}` does not parse: {message}")]
    Template { name: String, message: String },
    #[error("template override {}: {message}", path.display())]
    Override { path: PathBuf, message: String },
    #[error("letter `{letter}` cannot be laid out as PDF: {message}")]
    Layout { letter: String, message: String },
}

/// The letter templates, ready to render. Build once and share: rendering takes `&self`.
#[derive(Debug)]
pub struct Letters {
    set: TemplateSet,
}

impl Letters {
    /// The templates embedded in the binary.
    pub fn new() -> Result<Self, LetterError> {
        Letters::load(None)
    }

    /// The embedded templates, with any of them replaced by a file of the same name in `dir`:
    /// `dir/<letter>.hbs` for a letter, `dir/partials/<partial>.hbs` for a shared partial, by
    /// the rule every template set follows (`sepakat_templates::overrides`).
    pub fn with_overrides(dir: &Path) -> Result<Self, LetterError> {
        Letters::load(Some(dir))
    }

    fn load(dir: Option<&Path>) -> Result<Self, LetterError> {
        let mut hb = Handlebars::new();
        hb.set_strict_mode(true);
        hb.set_prevent_indent(true);
        helpers::register(&mut hb);
        let partials = dir.map(|d| d.join("partials"));
        let parts = [
            Part {
                embedded: templates::PARTIALS,
                overrides: partials.as_deref(),
                origin: "templates/letters/partials",
            },
            Part {
                embedded: templates::LETTERS,
                overrides: dir,
                origin: "templates/letters",
            },
        ];
        let set = TemplateSet::load(hb, &parts).map_err(|e| match e {
            TemplateError::Override(e) => LetterError::Override {
                path: e.path,
                message: e.message,
            },
            TemplateError::Parse { name, message, .. } => LetterError::Template {
                name: name.into(),
                message,
            },
        })?;
        Ok(Letters { set })
    }

    /// The letters these templates can render, in the order of the workflow's list.
    pub fn names(&self) -> impl Iterator<Item = &'static str> {
        templates::LETTERS.iter().map(|(n, _)| *n)
    }

    /// The letter as a complete HTML document (A4, print CSS).
    pub fn render_html(&self, letter: &str, ctx: &LetterContext) -> Result<String, LetterError> {
        if !templates::LETTERS.iter().any(|(n, _)| *n == letter) {
            return Err(LetterError::UnknownLetter {
                name: letter.into(),
                known: self.names().collect::<Vec<_>>().join(", "),
            });
        }
        // PKS articles refer to one another as `[[pasal:KEY]]`: the letter prints "Pasal N",
        // N being the referred article's number in this very draft.
        let resolved;
        let ctx = if sepakat_core::pks::has_references(&ctx.articles) {
            resolved = LetterContext {
                articles: sepakat_core::pks::resolve_references(&ctx.articles),
                ..ctx.clone()
            };
            &resolved
        } else {
            ctx
        };
        self.set
            .render(letter, ctx)
            .map_err(|e| render_error(letter, e))
    }

    /// The typst source the PDF is compiled from (for inspection and debugging).
    pub fn render_typst(&self, letter: &str, ctx: &LetterContext) -> Result<String, LetterError> {
        let html = self.render_html(letter, ctx)?;
        markup::html_to_typst(&html).map_err(|message| LetterError::Layout {
            letter: letter.into(),
            message,
        })
    }

    /// The letter as a PDF with its fonts embedded.
    pub fn render_pdf(&self, letter: &str, ctx: &LetterContext) -> Result<Vec<u8>, LetterError> {
        let source = self.render_typst(letter, ctx)?;
        pdf::compile(source).map_err(|message| LetterError::Layout {
            letter: letter.into(),
            message,
        })
    }

    pub fn render(
        &self,
        letter: &str,
        ctx: &LetterContext,
        format: Format,
    ) -> Result<Vec<u8>, LetterError> {
        match format {
            Format::Html => self.render_html(letter, ctx).map(String::into_bytes),
            Format::Pdf => self.render_pdf(letter, ctx),
        }
    }

    /// Issues `letter`: builds its context from `facts` and `stamp`, freezes it as JSON and
    /// renders both forms from that frozen context. Refused with every missing fact.
    pub fn issue(
        &self,
        letter: &str,
        facts: &sepakat_core::letter::LetterFacts,
        stamp: &sepakat_core::letter::IssueStamp,
    ) -> Result<IssuedFiles, IssueError> {
        let ctx = build::build_context(letter, facts, Some(stamp), &stamp.inputs, stamp.date)
            .map_err(IssueError::Missing)?;
        let snapshot = serde_json::to_string(&ctx).map_err(|e| {
            IssueError::Render(LetterError::Render {
                letter: letter.into(),
                message: format!("the context cannot be frozen: {e}"),
                template: letter.into(),
                line: "?".into(),
            })
        })?;
        let html = self.render_html(letter, &ctx)?.into_bytes();
        let pdf = self.render_pdf(letter, &ctx)?;
        Ok(IssuedFiles {
            snapshot_sha256: sha256_hex(snapshot.as_bytes()),
            snapshot,
            html_sha256: sha256_hex(&html),
            html,
            pdf_sha256: sha256_hex(&pdf),
            pdf,
        })
    }

    /// Renders an issued letter again from its frozen context (the snapshot's JSON text).
    pub fn render_snapshot(
        &self,
        letter: &str,
        snapshot: &str,
        format: Format,
    ) -> Result<Vec<u8>, LetterError> {
        let ctx: LetterContext =
            serde_json::from_str(snapshot).map_err(|e| LetterError::Render {
                letter: letter.into(),
                message: format!("the frozen context does not read back: {e}"),
                template: letter.into(),
                line: "?".into(),
            })?;
        self.render(letter, &ctx, format)
    }
}

/// The frozen context of an issued letter and its two renderings, each with its SHA-256.
#[derive(Debug, Clone)]
pub struct IssuedFiles {
    pub snapshot: String,
    pub snapshot_sha256: String,
    pub html: Vec<u8>,
    pub html_sha256: String,
    pub pdf: Vec<u8>,
    pub pdf_sha256: String,
}

/// Why a letter could not be issued.
#[derive(Debug, thiserror::Error)]
pub enum IssueError {
    #[error("the letter lacks {} fact(s)", .0.len())]
    Missing(Vec<sepakat_core::letter::LetterProblem>),
    #[error(transparent)]
    Render(#[from] LetterError),
}

/// Lower-case hex SHA-256, as the blob store names files.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(Sha256::digest(bytes))
}

fn render_error(letter: &str, e: RenderError) -> LetterError {
    let template = e.template_name.clone().unwrap_or_else(|| letter.into());
    let line = e
        .line_no
        .map(|l| l.to_string())
        .unwrap_or_else(|| "?".into());
    match e.reason() {
        RenderErrorReason::MissingVariable(path) => LetterError::MissingField {
            letter: letter.into(),
            field: path.clone().unwrap_or_else(|| "(unnamed)".into()),
            template,
            line,
        },
        reason => LetterError::Render {
            letter: letter.into(),
            message: reason.to_string(),
            template,
            line,
        },
    }
}
