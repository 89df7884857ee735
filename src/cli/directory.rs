//! `sepakat office` and `sepakat agency`: the directory of Disdukcapil offices and user
//! institutions.

use super::{DbArgs, block_on, open_store};
use anyhow::{Context, Result};
use clap::Subcommand;
use std::process::ExitCode;

#[derive(Subcommand)]
pub(crate) enum OfficeCommand {
    /// Create a Disdukcapil office; prints its id (for `user add --office`).
    Add {
        #[command(flatten)]
        db: DbArgs,
        /// e.g. "Dinas Kependudukan dan Pencatatan Sipil Kota Pontianak".
        #[arg(long)]
        name: String,
        /// Kemendagri code: "61" for a province, "61.71" for a kabupaten/kota.
        #[arg(long)]
        region_code: String,
        /// The place written before the date on letters, e.g. "Pontianak".
        #[arg(long)]
        place: String,
        #[arg(long, default_value = "")]
        address: String,
        /// The unit in letter numbers, e.g. "Dukcapil.4".
        #[arg(long)]
        letter_unit: String,
        /// Classification code (Permendagri 83/2022).
        #[arg(long, default_value = sepakat_core::numbering::DEFAULT_CLASSIFICATION)]
        letter_code: String,
        /// From {code}, {seq}, {unit}, {month_roman}, {month}, {year}; must hold {seq}.
        #[arg(long, default_value = sepakat_core::numbering::DEFAULT_PATTERN)]
        letter_pattern: String,
        /// Minutes ahead of UTC: 420 (WIB), 480 (WITA) or 540 (WIT).
        #[arg(long, default_value_t = 420)]
        utc_offset_minutes: i32,
        /// The logo at the left of the letterhead: an SVG file (at most 256 KiB, no scripts).
        #[arg(long, value_name = "FILE")]
        logo: Option<std::path::PathBuf>,
    },
    /// List the offices with their ids and numbering.
    List(DbArgs),
}

#[derive(Subcommand)]
pub(crate) enum AgencyCommand {
    /// Create a user institution served by an office; prints its id (for `user add --agency`).
    Add {
        #[command(flatten)]
        db: DbArgs,
        #[arg(long)]
        name: String,
        /// The id of the Disdukcapil office that handles its applications.
        #[arg(long)]
        office: uuid::Uuid,
        /// opd (default), ministry, legal_entity, ...
        #[arg(long)]
        kind: Option<String>,
        #[arg(long, default_value = "")]
        address: String,
        /// The unit in the agency's own letter numbers, e.g. "DPMPTSP"; default: its initials.
        #[arg(long)]
        letter_unit: Option<String>,
    },
    /// List the agencies with their ids and offices.
    List(DbArgs),
}

/// Runs one `sepakat office` subcommand.
pub(crate) fn run_office(command: OfficeCommand) -> Result<ExitCode> {
    match command {
        OfficeCommand::Add {
            db,
            name,
            region_code,
            place,
            address,
            letter_unit,
            letter_code,
            letter_pattern,
            utc_offset_minutes,
            logo,
        } => block_on(async move {
            // The logo is checked before anything is created: its shape by the store, then
            // that typst draws it, so the office's letters can always be rendered.
            let logo = match &logo {
                Some(path) => {
                    let bytes = std::fs::read(path)
                        .with_context(|| format!("cannot read the logo {}", path.display()))?;
                    let svg = sepakat_store::check_logo_svg(&bytes)
                        .with_context(|| format!("logo {} refused", path.display()))?;
                    sepakat_letters::logo::check(&svg)
                        .map_err(|e| anyhow::anyhow!("logo {} refused: {e}", path.display()))?;
                    Some(bytes)
                }
                None => None,
            };
            let store = open_store(&db).await?;
            store.migrate().await.context("migration failed")?;
            let office = store
                .create_office(
                    sepakat_store::NewOffice {
                        name,
                        region_code,
                        place_name: place,
                        address,
                        letter_code: Some(letter_code),
                        letter_unit,
                        letter_pattern: Some(letter_pattern),
                        utc_offset_minutes: Some(utc_offset_minutes),
                    },
                    chrono::Utc::now(),
                )
                .await?;
            if let Some(bytes) = &logo {
                store.set_office_logo(office.id, Some(bytes)).await?;
            }
            println!(
                "office {} created: {} (letters numbered {}{})",
                office.id,
                office.name,
                office.letter_pattern,
                if logo.is_some() { ", with a logo" } else { "" }
            );
            Ok(ExitCode::SUCCESS)
        }),
        OfficeCommand::List(db) => block_on(async move {
            let store = open_store(&db).await?;
            for o in store.offices().await? {
                println!(
                    "{}  {:<6} {}  [{} | {} | {}]  logo: {}",
                    o.id,
                    o.region_code,
                    o.name,
                    o.letter_code,
                    o.letter_unit,
                    o.letter_pattern,
                    if o.logo_svg.is_some() { "yes" } else { "no" }
                );
            }
            Ok(ExitCode::SUCCESS)
        }),
    }
}

/// Runs one `sepakat agency` subcommand.
pub(crate) fn run_agency(command: AgencyCommand) -> Result<ExitCode> {
    match command {
        AgencyCommand::Add {
            db,
            name,
            office,
            kind,
            address,
            letter_unit,
        } => block_on(async move {
            let store = open_store(&db).await?;
            store.migrate().await.context("migration failed")?;
            let agency = store
                .create_agency(
                    sepakat_store::NewAgency {
                        name,
                        kind,
                        office_id: office,
                        address,
                        letter_unit,
                    },
                    chrono::Utc::now(),
                )
                .await?;
            println!(
                "agency {} created: {} (its letters numbered with unit {})",
                agency.id, agency.name, agency.letter_unit
            );
            Ok(ExitCode::SUCCESS)
        }),
        AgencyCommand::List(db) => block_on(async move {
            let store = open_store(&db).await?;
            for a in store.agencies(None).await? {
                println!(
                    "{}  office {}  {}  [{}]",
                    a.id, a.office_id, a.name, a.letter_unit
                );
            }
            Ok(ExitCode::SUCCESS)
        }),
    }
}
