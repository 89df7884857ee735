//! PDF output: typst used as a library, with a minimal [`World`] that holds one source file and
//! the fonts shipped inside the binary (typst-assets). No file system, no network, no clock.

use std::sync::LazyLock;
use typst::diag::{FileError, FileResult, SourceDiagnostic};
use typst::ecow::EcoVec;
use typst::foundations::{Bytes, Datetime, Duration};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World, WorldExt};
use typst_layout::PagedDocument;

/// What every compilation shares: the standard library and the embedded fonts, loaded once.
struct Shared {
    library: LazyHash<Library>,
    book: LazyHash<FontBook>,
    fonts: Vec<Font>,
}

static SHARED: LazyLock<Shared> = LazyLock::new(|| {
    let fonts: Vec<Font> = typst_assets::fonts()
        .flat_map(|data| Font::iter(Bytes::new(data)))
        .collect();
    Shared {
        library: LazyHash::new(Library::default()),
        book: LazyHash::new(FontBook::from_fonts(&fonts)),
        fonts,
    }
});

/// How many compilations a memoised result may go unused before it is dropped, so a long-running
/// server's cache stays bounded. 64 keeps the shared parts of every kind of letter warm (about
/// five times the throughput of a cold cache in the benchmark) for some 10 MB more memory.
const CACHE_MAX_AGE: usize = 64;

struct LetterWorld {
    main: Source,
}

impl World for LetterWorld {
    fn library(&self) -> &LazyHash<Library> {
        &SHARED.library
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &SHARED.book
    }

    fn main(&self) -> FileId {
        self.main.id()
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.main.id() {
            Ok(self.main.clone())
        } else {
            Err(FileError::AccessDenied)
        }
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if id == self.main.id() {
            Ok(Bytes::from_string(self.main.clone()))
        } else {
            Err(FileError::AccessDenied)
        }
    }

    fn font(&self, index: usize) -> Option<Font> {
        SHARED.fonts.get(index).cloned()
    }

    fn today(&self, _offset: Option<Duration>) -> Option<Datetime> {
        // Letters carry their own date; a PDF must not depend on the day it was rendered.
        None
    }
}

fn main_id() -> Result<FileId, String> {
    let path = VirtualPath::new("letter.typ").map_err(|e| e.to_string())?;
    Ok(RootedPath::new(VirtualRoot::Project, path).intern())
}

fn describe(world: &LetterWorld, diagnostics: &[SourceDiagnostic]) -> String {
    let source = &world.main;
    diagnostics
        .iter()
        .map(|d| {
            let at = world
                .range(d.span)
                .and_then(|r| {
                    let line = source.lines().byte_to_line(r.start)?;
                    let snippet: String = source.text().get(r)?.chars().take(60).collect();
                    Some(format!(" at line {}: `{snippet}`", line + 1))
                })
                .unwrap_or_default();
            format!("{}{at}", d.message)
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// Compiles a typst source to PDF bytes.
pub(crate) fn compile(text: String) -> Result<Vec<u8>, String> {
    let world = LetterWorld {
        main: Source::new(main_id()?, text),
    };
    let result = typst::compile::<PagedDocument>(&world).output;
    let pdf = result
        .map_err(|diags: EcoVec<SourceDiagnostic>| describe(&world, &diags))
        .and_then(|doc| {
            typst_pdf::pdf(&doc, &typst_pdf::PdfOptions::default())
                .map_err(|diags: EcoVec<SourceDiagnostic>| describe(&world, &diags))
        });
    typst::comemo::evict(CACHE_MAX_AGE);
    pdf
}
