//! The one rule by which an operator's files replace Sepakat's embedded templates. Pages
//! (`templates/ui/`), letters (`templates/letters/` and its `partials/`) and e-mails
//! (`templates/emails/`) are compiled into the binary; a file of the same name in the operator's
//! folder takes the place of one of them, the same way for all three sets:
//!
//! - a folder that does not exist holds no overrides (the embedded set is used as it is);
//! - `<name>.hbs` replaces the embedded template `<name>`; other files are ignored;
//! - a `.hbs` file that names no template is refused, with the names that exist, so a misspelt
//!   override is noticed when the program starts rather than silently never used;
//! - a path that is not a folder, or a file that cannot be read, is refused.
//!
//! A [`TemplateSet`] is one set loaded by that rule into a handlebars registry that the set has
//! configured with its own settings (escaping, helpers); pages, letters and e-mails each hold
//! one, built once and kept in the program's state.

use handlebars::Handlebars;
use serde::Serialize;
use std::path::{Path, PathBuf};

/// One embedded template: its name and its source, as `include_str!` gives it.
pub type Embedded = (&'static str, &'static str);

/// An operator's file that replaces an embedded template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Override {
    /// The embedded template it replaces.
    pub name: &'static str,
    pub path: PathBuf,
    pub source: String,
}

/// Why an override folder cannot be used: the path, and what to do about it.
#[derive(Debug, thiserror::Error)]
#[error("template override {}: {message}", path.display())]
pub struct OverrideError {
    pub path: PathBuf,
    pub message: String,
}

/// The files of `dir` that replace templates of `set`, sorted by name.
pub fn overrides(dir: &Path, set: &[Embedded]) -> Result<Vec<Override>, OverrideError> {
    let refuse = |path: &Path, message: String| OverrideError {
        path: path.to_path_buf(),
        message,
    };
    if !dir.exists() {
        return Ok(Vec::new());
    }
    if !dir.is_dir() {
        return Err(refuse(
            dir,
            "is not a folder; point the templates setting at a folder of .hbs files".into(),
        ));
    }
    let entries = std::fs::read_dir(dir).map_err(|e| refuse(dir, e.to_string()))?;
    let mut found = Vec::new();
    for entry in entries {
        let path = entry.map_err(|e| refuse(dir, e.to_string()))?.path();
        let Some(stem) = path
            .file_name()
            .and_then(|n| n.to_str())
            .and_then(|n| n.strip_suffix(".hbs"))
        else {
            continue;
        };
        let Some((name, _)) = set.iter().find(|(n, _)| *n == stem) else {
            let known: Vec<&str> = set.iter().map(|(n, _)| *n).collect();
            return Err(refuse(
                &path,
                format!(
                    "no template is called `{stem}`; rename the file to one of: {}",
                    known.join(", ")
                ),
            ));
        };
        let source = std::fs::read_to_string(&path).map_err(|e| refuse(&path, e.to_string()))?;
        found.push(Override { name, path, source });
    }
    found.sort_by(|a, b| a.name.cmp(b.name));
    Ok(found)
}

/// Why a template set cannot be loaded.
#[derive(Debug, thiserror::Error)]
pub enum TemplateError {
    #[error(transparent)]
    Override(#[from] OverrideError),
    /// A template, embedded or the operator's, is not valid handlebars.
    #[error(
        "template `{name}` ({}) does not parse: {message}; fix the file, or remove it to use the built-in template",
        path.display()
    )]
    Parse {
        name: &'static str,
        path: PathBuf,
        message: String,
    },
}

/// One part of a set: its embedded templates, the operator's folder whose files replace them
/// (none: the embedded ones as they are), and the source folder named in messages about an
/// embedded template.
pub struct Part<'a> {
    pub embedded: &'static [Embedded],
    pub overrides: Option<&'a Path>,
    pub origin: &'static str,
}

/// A set of templates as the program renders them: every embedded template, or the operator's
/// file that replaces it, registered in a handlebars registry configured by the set's owner.
pub struct TemplateSet {
    hb: Handlebars<'static>,
    /// Each template's name and source as registered, in the order of the parts.
    sources: Vec<(&'static str, String)>,
}

impl std::fmt::Debug for TemplateSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TemplateSet")
            .field("templates", &self.sources.len())
            .finish()
    }
}

impl TemplateSet {
    /// Registers every part's templates in `hb`, each replaced by its override if the part's
    /// folder holds one.
    pub fn load(mut hb: Handlebars<'static>, parts: &[Part<'_>]) -> Result<Self, TemplateError> {
        let mut sources = Vec::new();
        for part in parts {
            let found = match part.overrides {
                Some(dir) => overrides(dir, part.embedded)?,
                None => Vec::new(),
            };
            for (name, embedded) in part.embedded {
                let (path, source) = match found.iter().find(|o| o.name == *name) {
                    Some(o) => (o.path.clone(), o.source.clone()),
                    None => (
                        Path::new(part.origin).join(format!("{name}.hbs")),
                        embedded.to_string(),
                    ),
                };
                hb.register_template_string(name, &source)
                    .map_err(|e| TemplateError::Parse {
                        name,
                        path,
                        message: e.to_string(),
                    })?;
                sources.push((*name, source));
            }
        }
        Ok(TemplateSet { hb, sources })
    }

    /// Whether the set has a template of this name.
    pub fn has(&self, name: &str) -> bool {
        self.sources.iter().any(|(n, _)| *n == name)
    }

    /// Renders template `name` with `ctx`.
    pub fn render<T: Serialize>(
        &self,
        name: &str,
        ctx: &T,
    ) -> Result<String, handlebars::RenderError> {
        self.hb.render(name, ctx)
    }

    /// Every template's name and source, as rendered.
    pub fn sources(&self) -> impl Iterator<Item = (&'static str, &str)> {
        self.sources.iter().map(|(n, s)| (*n, s.as_str()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SET: &[Embedded] = &[("kotak_masuk", "a"), ("masuk", "b")];

    fn folder(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("sepakat-templates-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn a_missing_folder_holds_no_overrides() {
        let dir = std::env::temp_dir().join("sepakat-templates-never-created");
        assert_eq!(overrides(&dir, SET).unwrap(), vec![]);
    }

    #[test]
    fn a_file_of_a_known_name_replaces_it_and_others_are_ignored() {
        let dir = folder("known");
        std::fs::write(dir.join("masuk.hbs"), "mine").unwrap();
        std::fs::write(dir.join("README.md"), "notes").unwrap();
        let found = overrides(&dir, SET).unwrap();
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].name, "masuk");
        assert_eq!(found[0].source, "mine");
        assert_eq!(found[0].path, dir.join("masuk.hbs"));
    }

    #[test]
    fn a_misspelt_override_is_refused_with_the_names_that_exist() {
        let dir = folder("misspelt");
        std::fs::write(dir.join("kotak-masuk.hbs"), "mine").unwrap();
        let err = overrides(&dir, SET).unwrap_err();
        assert_eq!(err.path, dir.join("kotak-masuk.hbs"));
        let text = err.to_string();
        assert!(
            text.contains("no template is called `kotak-masuk`"),
            "{text}"
        );
        assert!(text.contains("kotak_masuk, masuk"), "{text}");
    }

    #[test]
    fn a_file_in_place_of_the_folder_is_refused() {
        let dir = folder("file");
        let file = dir.join("ui");
        std::fs::write(&file, "not a folder").unwrap();
        let err = overrides(&file, SET).unwrap_err();
        assert!(err.to_string().contains("is not a folder"), "{err}");
    }

    fn plain() -> Handlebars<'static> {
        let mut hb = Handlebars::new();
        hb.set_strict_mode(true);
        hb
    }

    #[test]
    fn a_set_renders_each_override_in_place_of_its_embedded_template() {
        let dir = folder("set");
        std::fs::write(dir.join("masuk.hbs"), "mine {{who}}").unwrap();
        let part = |overrides| Part {
            embedded: SET,
            overrides,
            origin: "templates/ui",
        };
        let set = TemplateSet::load(plain(), &[part(Some(&dir))]).unwrap();
        let ctx = serde_json::json!({"who": "x"});
        assert_eq!(set.render("masuk", &ctx).unwrap(), "mine x");
        assert_eq!(set.render("kotak_masuk", &ctx).unwrap(), "a");
        assert!(set.has("masuk") && !set.has("galat"));
        let sources: Vec<_> = set.sources().collect();
        assert_eq!(
            sources,
            vec![("kotak_masuk", "a"), ("masuk", "mine {{who}}")]
        );
        // Without a folder, the embedded set as it is.
        let embedded = TemplateSet::load(plain(), &[part(None)]).unwrap();
        assert_eq!(embedded.render("masuk", &ctx).unwrap(), "b");
    }

    #[test]
    fn an_override_that_does_not_parse_is_refused_with_its_path() {
        let dir = folder("parse");
        std::fs::write(dir.join("masuk.hbs"), "{{#if}}").unwrap();
        let part = Part {
            embedded: SET,
            overrides: Some(&dir),
            origin: "templates/ui",
        };
        let err = TemplateSet::load(plain(), &[part]).unwrap_err();
        assert!(
            matches!(&err, TemplateError::Parse { name: "masuk", path, .. } if *path == dir.join("masuk.hbs")),
            "{err}"
        );
        assert!(err.to_string().contains("does not parse"), "{err}");
    }
}
