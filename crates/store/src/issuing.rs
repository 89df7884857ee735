//! Issuing letters inside a command's transaction.
//!
//! The core decides that a letter is issued (an `EventKind::LetterProduced` intent). Here, in the
//! same transaction as the rest of the command, the letter takes the next number of its register
//! (and the office registers it in its own), gets its date on the office's clock and a
//! verification code, and the [`LetterSealer`] builds, freezes and renders it from the facts read
//! in this transaction. The intent is replaced by an `EventKind::LetterIssued` carrying the number
//! and the hashes, so the audit chain holds them. A letter that cannot be built rolls the whole
//! command back: no number is consumed.

use crate::directory::find_office;
use crate::entity::{accounts, agencies, letters, offices, pks_versions, register_counters};
use crate::named::Named;
use crate::numbering::{allocate_agency_seq, allocate_seq, format_number, local_date};
use crate::{Result, Store, StoreError};
use chrono::{Datelike, NaiveDate};
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict, Query};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder,
};
use sepakat_core::application::EventKind;
use sepakat_core::letter::{
    self, AgencyFacts, CitedLetter, IssueStamp, IssuedLetter, LetterFacts, LetterProblem,
    OfficeFacts, PersonFacts, Register,
};
use sepakat_core::{Application, Event, Rejection, Role, Unmet};
use std::collections::BTreeMap;
use std::sync::Arc;
use uuid::Uuid;

/// What freezing a letter gave: its context as JSON text and the SHA-256 of each form, whose
/// files the sealer has already put in the blob store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sealed {
    pub snapshot: String,
    pub snapshot_sha256: String,
    pub html_sha256: String,
    pub pdf_sha256: String,
}

/// Why a letter could not be frozen.
#[derive(Debug, thiserror::Error)]
pub enum SealError {
    /// Facts the letter needs are missing: every one of them.
    #[error("the letter lacks {} fact(s)", .0.len())]
    Missing(Vec<LetterProblem>),
    /// Rendering or keeping the files failed.
    #[error("{0}")]
    Failed(String),
}

/// Builds a letter from its facts and stamp, renders it and keeps its files: the letters crate
/// and the blob store, which the store does not know. The server and the CLI install one with
/// [`Store::set_letter_sealer`].
pub trait LetterSealer: Send + Sync {
    fn seal(
        &self,
        letter: &str,
        facts: &LetterFacts,
        stamp: &IssueStamp,
    ) -> Result<Sealed, SealError>;

    /// The public address of the verification page for `code`.
    fn verify_url(&self, code: &str) -> String;
}

/// The alphabet of verification codes: no 0/O, 1/I/L, so a code read off paper is typed right.
const CODE_ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";
const CODE_LEN: usize = 10;

/// A fresh verification code: 10 characters of a 31-letter alphabet (about 49 bits), from a
/// random UUID. The unique index on the column catches the improbable collision.
pub fn new_verification_code() -> String {
    let mut n = u128::from_be_bytes(*Uuid::new_v4().as_bytes());
    let base = CODE_ALPHABET.len() as u128;
    (0..CODE_LEN)
        .map(|_| {
            let c = CODE_ALPHABET[(n % base) as usize] as char;
            n /= base;
            c
        })
        .collect()
}

/// A code as a visitor may type it: trimmed, upper case, without spaces or dashes.
pub fn normalize_code(code: &str) -> Option<String> {
    let c: String = code
        .chars()
        .filter(|c| !matches!(c, ' ' | '-'))
        .map(|c| c.to_ascii_uppercase())
        .collect();
    (c.len() == CODE_LEN && c.bytes().all(|b| CODE_ALPHABET.contains(&b))).then_some(c)
}

impl Store {
    /// The issued letter a verification code opens (the code as [`normalize_code`] gives it);
    /// `None` for an unknown code or a letter issued before letters were frozen. A read only:
    /// the public verification page calls it for anonymous visitors.
    pub async fn letter_by_code(&self, code: &str) -> Result<Option<letters::Model>> {
        Ok(letters::Entity::find()
            .filter(letters::Column::VerificationCode.eq(code))
            .filter(letters::Column::Snapshot.is_not_null())
            .one(&self.inner.db)
            .await?)
    }

    /// Installs what builds and renders letters when they are issued.
    pub fn set_letter_sealer(&self, sealer: Arc<dyn LetterSealer>) {
        if let Ok(mut s) = self.inner.sealer.write() {
            *s = Some(sealer);
        }
    }

    pub(crate) fn letter_sealer(&self) -> Result<Arc<dyn LetterSealer>> {
        self.inner
            .sealer
            .read()
            .ok()
            .and_then(|s| s.clone())
            .ok_or_else(|| {
                StoreError::Invalid(
                    "letters cannot be issued: no letter renderer is configured for this store"
                        .into(),
                )
            })
    }

    /// The facts the letters of `app` are built from, as they stand (a preview's draft).
    pub async fn letter_facts(&self, app: &Application) -> Result<LetterFacts> {
        letter_facts(&self.inner.db, app).await
    }

    /// Issues every letter the core decided on in `events`: number, date, code, frozen
    /// context. Replaces each intent by its `LetterIssued` event and evolves `after` with it.
    /// Returns the rows to write; `persist` writes each with its event.
    pub(crate) async fn issue_letters(
        &self,
        txn: &DatabaseTransaction,
        after: &mut Application,
        events: &mut [Event],
        first_seq: i64,
    ) -> Result<Vec<letters::Model>> {
        let mut rows = Vec::new();
        for (i, e) in events.iter_mut().enumerate() {
            let EventKind::LetterProduced {
                letter,
                stage,
                inputs,
            } = &e.kind
            else {
                continue;
            };
            let sealer = self.letter_sealer()?;
            let office = find_office(txn, after.ownership.office_id).await?;
            let day = local_date(&office, e.at);
            let year = day.year();
            let register = letter::register_of(letter);

            // The office registers every letter (its *nomor agenda*); the printed number comes
            // from the register of whoever issues the letter.
            let seq = allocate_seq(txn, office.id, year).await?;
            let number = format_number(
                &office.letter_pattern,
                &office.letter_code,
                &office.letter_unit,
                seq,
                day,
                &format!("office {}", office.id),
            )?;
            let mut row = letters::Model {
                id: Uuid::now_v7(),
                application_id: after.id,
                letter: letter.clone(),
                stage: stage.clone(),
                office_id: office.id,
                year,
                seq,
                number: number.clone(),
                issued_at: e.at,
                issued_on: day,
                document_sha256: None,
                event_seq: first_seq + i as i64,
                agency_id: None,
                agency_seq: None,
                agency_number: None,
                register: Some(register_name(register).into()),
                printed_register: None,
                printed_seq: None,
                printed_number: None,
                snapshot: None,
                snapshot_sha256: None,
                html_sha256: None,
                pdf_sha256: None,
                verification_code: Some(new_verification_code()),
            };
            if register == Register::Agency
                || letter::counterpart_register(letter) == Some(Register::Agency)
            {
                let (agency_id, aseq, anumber) = agency_number(txn, after, day).await?;
                row.agency_id = Some(agency_id);
                row.agency_seq = Some(aseq);
                row.agency_number = Some(anumber);
            }
            match register {
                Register::Office | Register::Agency => {}
                Register::RegionalSecretariat => {
                    let key = format!("setda:{}", office.region_code);
                    let pseq = next_in_named_register(txn, &key, year).await?;
                    row.printed_number = Some(format_number(
                        &office.letter_pattern,
                        &office.letter_code,
                        REGIONAL_SECRETARIAT_UNIT,
                        pseq,
                        day,
                        &key,
                    )?);
                    row.printed_register = Some(key);
                    row.printed_seq = Some(pseq);
                }
                Register::ProvincialOffice => {
                    // A kab/kota's minutes are numbered by the province that signs and keeps
                    // them; without that office on record there is no such number to give.
                    let province = match provincial_office(txn, &office).await? {
                        Some(p) => p,
                        None => {
                            return Err(StoreError::Rejected(Rejection {
                                unmet: vec![Unmet::Letter {
                                    problem: LetterProblem::new(
                                        "provincial_office",
                                        format!(
                                            "Disdukcapil Provinsi untuk wilayah {} belum tercatat; berita acara konsultasi diberi nomor oleh kantor tersebut. Tambahkan dengan `sepakat office add`.",
                                            office.name
                                        ),
                                        format!(
                                            "No provincial Disdukcapil is on record for {}; the consultation's minutes take its number. Add it with `sepakat office add`.",
                                            office.name
                                        ),
                                    ),
                                }],
                            }));
                        }
                    };
                    let (pseq, pnumber) = if province.id == office.id {
                        (seq, number.clone())
                    } else {
                        let pseq = allocate_seq(txn, province.id, year).await?;
                        let n = format_number(
                            &province.letter_pattern,
                            &province.letter_code,
                            &province.letter_unit,
                            pseq,
                            day,
                            &format!("office {}", province.id),
                        )?;
                        (pseq, n)
                    };
                    row.printed_register = Some(format!("office:{}", province.id));
                    row.printed_seq = Some(pseq);
                    row.printed_number = Some(pnumber);
                }
            }

            let facts = letter_facts(txn, after).await?;
            let code = row.verification_code.clone().unwrap_or_default();
            let stamp = IssueStamp {
                number: row.printed_number().to_string(),
                counterpart_number: row.counterpart_number().map(str::to_string),
                date: day,
                verify_url: sealer.verify_url(&code),
                code,
                inputs: inputs.clone(),
            };
            // Rendering a PDF is CPU work: off the async threads, still inside the transaction
            // so a letter that cannot be built gives its number back.
            let letter_name = letter.clone();
            let sealed =
                tokio::task::spawn_blocking(move || sealer.seal(&letter_name, &facts, &stamp))
                    .await
                    .map_err(|e| StoreError::Invalid(format!("issuing the letter stopped: {e}")))?
                    .map_err(|e| match e {
                        SealError::Missing(problems) => StoreError::Rejected(Rejection {
                            unmet: problems
                                .into_iter()
                                .map(|problem| Unmet::Letter { problem })
                                .collect(),
                        }),
                        SealError::Failed(msg) => StoreError::Invalid(format!(
                            "letter `{letter}` cannot be issued: {msg}"
                        )),
                    })?;
            row.snapshot = Some(sealed.snapshot);
            row.snapshot_sha256 = Some(sealed.snapshot_sha256.clone());
            row.html_sha256 = Some(sealed.html_sha256.clone());
            row.pdf_sha256 = Some(sealed.pdf_sha256.clone());
            row.document_sha256 = Some(sealed.pdf_sha256.clone());
            // The row is written by `persist` with its event: on a submission the application
            // row it refers to does not exist yet.

            e.kind = EventKind::LetterIssued {
                letter: IssuedLetter {
                    id: row.id,
                    letter: row.letter.clone(),
                    stage: row.stage.clone(),
                    number: row.printed_number().to_string(),
                    register,
                    date: day,
                    at: e.at,
                    snapshot_sha256: sealed.snapshot_sha256,
                    html_sha256: sealed.html_sha256,
                    pdf_sha256: sealed.pdf_sha256,
                    code: row.verification_code.clone().unwrap_or_default(),
                },
            };
            after.evolve(e);
            rows.push(row);
        }
        Ok(rows)
    }
}

/// The unit in the numbers of the regional secretariat's register.
pub const REGIONAL_SECRETARIAT_UNIT: &str = "Setda";

fn register_name(r: Register) -> &'static str {
    match r {
        Register::Office => "office",
        Register::Agency => "agency",
        Register::RegionalSecretariat => "regional_secretariat",
        Register::ProvincialOffice => "provincial_office",
    }
}

/// The next number of the application's agency register.
async fn agency_number(
    txn: &DatabaseTransaction,
    app: &Application,
    day: NaiveDate,
) -> Result<(Uuid, i64, String)> {
    let agency = agencies::Entity::find_by_id(app.ownership.agency_id)
        .one(txn)
        .await?
        .ok_or_else(|| StoreError::not_found("agency", app.ownership.agency_id))?;
    let aseq = allocate_agency_seq(txn, agency.id, day.year()).await?;
    let unit = if agency.letter_unit.trim().is_empty() {
        sepakat_core::numbering::unit_from_name(&agency.name)
    } else {
        agency.letter_unit.clone()
    };
    let number = format_number(
        &agency.letter_pattern,
        &agency.letter_code,
        &unit,
        aseq,
        day,
        &format!("agency {}", agency.id),
    )?;
    Ok((agency.id, aseq, number))
}

/// Takes the next running number of a register named `key` (gap-free, as the others).
async fn next_in_named_register(txn: &DatabaseTransaction, key: &str, year: i32) -> Result<i64> {
    use register_counters::Column as C;
    let stmt = Query::insert()
        .into_table(register_counters::Entity)
        .columns([C::Register, C::Year, C::LastSeq])
        .values([key.into(), year.into(), 1i64.into()])
        .map_err(StoreError::corrupt)?
        .on_conflict(
            OnConflict::columns([C::Register, C::Year])
                .value(
                    C::LastSeq,
                    Expr::col((register_counters::Entity, C::LastSeq)).add(1),
                )
                .to_owned(),
        )
        .returning_col(C::LastSeq)
        .to_owned();
    let row = txn
        .query_one(&stmt)
        .await?
        .ok_or_else(|| StoreError::corrupt("the register counter returned no row"))?;
    Ok(row.try_get::<i64>("", "last_seq")?)
}

async fn provincial_office<C: ConnectionTrait>(
    db: &C,
    office: &offices::Model,
) -> Result<Option<offices::Model>> {
    Ok(offices::Entity::find()
        .filter(offices::Column::Kind.eq(crate::OfficeKind::Province))
        .filter(offices::Column::ProvinceCode.eq(office.province_code.clone()))
        .one(db)
        .await?)
}

fn office_facts(o: &offices::Model) -> OfficeFacts {
    OfficeFacts {
        name: o.name.clone(),
        is_province: o.kind == crate::OfficeKind::Province,
        place_name: o.place_name.clone(),
        address: o.address.clone(),
        logo_svg: o.logo_svg.clone(),
    }
}

fn person(a: &accounts::Model) -> PersonFacts {
    PersonFacts {
        name: a.name.clone(),
        position: a.position.clone(),
        nip: a.nip.clone(),
        rank: a.rank.clone(),
        heads_office: a.heads_office,
    }
}

/// Reads what the letters of `app` are built from: the offices, the agency, the people who sign,
/// the letters already numbered and the current PKS text.
pub(crate) async fn letter_facts<C: ConnectionTrait>(
    db: &C,
    app: &Application,
) -> Result<LetterFacts> {
    let office = find_office(db, app.ownership.office_id).await?;
    let provincial = provincial_office(db, &office).await?;
    let agency = agencies::Entity::find_by_id(app.ownership.agency_id)
        .one(db)
        .await?
        .ok_or_else(|| StoreError::not_found("agency", app.ownership.agency_id))?;
    let people = accounts::Entity::find()
        .filter(accounts::Column::Active.eq(true))
        .filter(
            sea_orm::Condition::any()
                .add(accounts::Column::OfficeId.eq(office.id))
                .add(accounts::Column::AgencyId.eq(agency.id))
                .add(
                    sea_orm::Condition::all()
                        .add(accounts::Column::Role.eq(Named(Role::ProvincialReviewer)))
                        .add(accounts::Column::Province.eq(office.province_code.clone())),
                ),
        )
        .order_by_asc(accounts::Column::CreatedAt)
        .all(db)
        .await?;
    // The head of office signs for Disdukcapil; without one on record, a coordinator does.
    let coordinators = people
        .iter()
        .filter(|a| a.role == Role::Coordinator && a.office_id == Some(office.id));
    let office_head = coordinators
        .clone()
        .find(|a| a.heads_office)
        .or_else(|| coordinators.clone().next())
        .map(person);
    let agency_head = people
        .iter()
        .find(|a| a.role == Role::AgencyHead && a.agency_id == Some(agency.id))
        .map(person);
    let provincial_reviewer = people
        .iter()
        .filter(|a| a.role == Role::ProvincialReviewer)
        .find(|a| a.heads_office)
        .or_else(|| people.iter().find(|a| a.role == Role::ProvincialReviewer))
        .map(person);
    let mut cited = BTreeMap::new();
    for l in letters::Entity::find()
        .filter(letters::Column::ApplicationId.eq(app.id))
        .order_by_asc(letters::Column::IssuedAt)
        .all(db)
        .await?
    {
        cited.insert(
            l.letter.clone(),
            CitedLetter {
                number: l.printed_number().to_string(),
                date: l.issued_on,
            },
        );
    }
    let pks_articles = if app.pks.version == 0 {
        Vec::new()
    } else {
        match pks_versions::Entity::find()
            .filter(pks_versions::Column::ApplicationId.eq(app.id))
            .filter(pks_versions::Column::Version.eq(app.pks.version as i32))
            .one(db)
            .await?
        {
            Some(v) => serde_json::from_value(v.articles).map_err(|e| {
                StoreError::corrupt(format!("PKS version {} of {}: {e}", v.version, app.id))
            })?,
            None => Vec::new(),
        }
    };
    Ok(LetterFacts {
        application: app.clone(),
        office: office_facts(&office),
        provincial_office: provincial.as_ref().map(office_facts),
        agency: AgencyFacts {
            name: agency.name.clone(),
            address: agency.address.clone(),
        },
        office_head,
        agency_head,
        provincial_reviewer,
        cited,
        pks_articles,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_ten_unambiguous_characters_and_read_back() {
        let a = new_verification_code();
        let b = new_verification_code();
        assert_ne!(a, b);
        assert_eq!(a.len(), CODE_LEN);
        assert!(!a.contains(['0', 'O', '1', 'I', 'L']));
        let typed = format!(" {}-{} ", a[..5].to_lowercase(), &a[5..]);
        assert_eq!(normalize_code(&typed).as_deref(), Some(a.as_str()));
        assert_eq!(normalize_code("short"), None);
        assert_eq!(normalize_code("0000000000"), None);
    }
}
