//! The `[documents]` table checked: who may file each document kind, and a filer for every
//! document the workflow or the core asks for.

use super::Validator;
use crate::actor::Role;
use crate::request::DataType;
use crate::workflow::documents::{
    CORE_DOCUMENTS, DOCUMENTS, LEGACY_FILERS, LEGACY_SIGNED_FILERS, LETTERS, document_title,
    letter_title,
};
use crate::workflow::raw::RawWorkflow;
use crate::workflow::{Requirement, Transition, names};
use std::collections::BTreeMap;

impl Validator<'_> {
    /// `[documents]`: every kind known, every role one that writes, each listed once, no kind
    /// without a filer; and a filer for every document the workflow or the core asks for.
    pub(super) fn documents(
        &mut self,
        raw: &RawWorkflow,
        data_type: DataType,
        transitions: &[Transition],
        produced: &[&str],
    ) -> BTreeMap<String, Vec<Role>> {
        let mut documents: BTreeMap<String, Vec<Role>> = BTreeMap::new();
        // A stored version that does not say who files a letter's signed scan (it predates
        // `signed:` keys) is read with the shipped rule.
        let legacy_signed = |documents: &mut BTreeMap<String, Vec<Role>>| {
            for (letter, roles) in LEGACY_SIGNED_FILERS {
                if produced.contains(letter) {
                    documents
                        .entry(format!("signed:{letter}"))
                        .or_insert_with(|| roles.to_vec());
                }
            }
        };
        let Some(table) = &raw.documents else {
            if self.stored {
                for (kind, roles) in LEGACY_FILERS {
                    documents.insert(kind.to_string(), roles.to_vec());
                }
                legacy_signed(&mut documents);
            } else {
                self.err(
                    0..0,
                    "the workflow does not say who may file its uploaded documents".into(),
                    "add a [documents] table naming, for each document kind, the roles that may \
                     file it, e.g. persetujuan_dirjen = [\"central\"]; see workflows/README.md",
                );
            }
            return documents;
        };
        for (kind, roles) in table.get_ref() {
            let name = kind.get_ref();
            if let Some(letter) = name.strip_prefix("signed:") {
                if letter_title(letter).is_none() {
                    self.err(
                        kind.span(),
                        format!("unknown letter `{letter}` in [documents] `{name}`"),
                        format!("use one of the letters: {}", names(LETTERS)),
                    );
                    continue;
                }
                if !produced.contains(&letter) {
                    self.err(
                        kind.span(),
                        format!("[documents] `{name}`: the workflow issues no `{letter}`"),
                        "remove the line: only the letters the workflow issues are signed and filed",
                    );
                    continue;
                }
            } else if document_title(name).is_none() {
                self.err(
                    kind.span(),
                    format!("unknown document kind `{name}` in [documents]"),
                    format!(
                        "use one of the document kinds: {}, or signed:<letter> for a letter's signed scan",
                        names(DOCUMENTS)
                    ),
                );
                continue;
            }
            let whose = format!("[documents] `{name}`");
            let mut filers = self.roles(roles.get_ref(), &whose);
            for r in roles.get_ref() {
                if let Ok(role) = r.get_ref().parse::<Role>()
                    && matches!(role, Role::Auditor | Role::Admin)
                {
                    self.err(
                        r.span(),
                        format!("role `{role}` only reads applications and cannot file `{name}`"),
                        "remove it: a document is filed by the party that signs it or the office \
                         that receives it, never by an administrator on their behalf",
                    );
                }
            }
            filers.retain(|r| !matches!(r, Role::Auditor | Role::Admin));
            if roles.get_ref().is_empty() {
                self.err(
                    roles.span(),
                    format!("document `{name}` names no role that may file it"),
                    format!(
                        "list who files it, e.g. {name} = [\"agency_head\"], or remove the line \
                         if the workflow takes no such document"
                    ),
                );
            }
            if !filers.is_empty() {
                documents.insert(name.clone(), filers);
            }
        }
        // Every document asked for must have someone to file it, or the application is stuck.
        let declared = |k: &str| table.get_ref().keys().any(|key| key.get_ref() == k);
        // And so must the signed scan of every letter the workflow issues.
        if self.stored {
            legacy_signed(&mut documents);
        } else {
            for letter in produced {
                let key = format!("signed:{letter}");
                if !declared(&key) && !self.errors.iter().any(|e| e.message.contains(&key)) {
                    self.err(
                        table.span(),
                        format!(
                            "[documents] does not say who files `{key}`, the signed scan of a letter the workflow issues"
                        ),
                        format!(
                            "add \"{key}\" = [\"<role>\"]: the party that signs or sends the letter, or the office that receives it"
                        ),
                    );
                }
            }
        }
        for t in transitions {
            for r in &t.requires {
                if let Requirement::Document(kind) = r
                    && !declared(kind)
                {
                    let span = raw
                        .transition
                        .iter()
                        .find(|rt| rt.action.get_ref() == &t.action)
                        .and_then(|rt| rt.requires.iter().find(|q| q.get_ref() == &r.to_string()))
                        .map_or(0..0, |q| q.span());
                    self.err(
                        span,
                        format!(
                            "`{}` requires document `{kind}`, but [documents] names no role that may file it",
                            t.action
                        ),
                        format!("add {kind} = [\"<role>\"] to [documents]"),
                    );
                }
            }
        }
        if data_type == DataType::Individual {
            for kind in CORE_DOCUMENTS {
                if !declared(kind) {
                    self.err(
                        table.span(),
                        format!(
                            "[documents] names no role that may file `{kind}`, which an individual-data workflow needs"
                        ),
                        format!(
                            "add {kind} = [\"<role>\"]: the core asks for it (closed-network \
                             statement, Minister's approval, semester report)"
                        ),
                    );
                }
            }
        }
        documents
    }
}
