//! `sepakat user`: accounts from the command line (add, list, disable, enable, reset a
//! password, change a role or scope).

use super::{DbArgs, block_on, open_store};
use anyhow::{Context, Result, bail};
use clap::Subcommand;
use std::process::ExitCode;

#[derive(Subcommand)]
pub(crate) enum UserCommand {
    /// Create an account. The password is read from SEPAKAT_PASSWORD or, failing that, one line of standard input.
    Add {
        #[command(flatten)]
        db: DbArgs,
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// agency_head, coordinator, provincial_reviewer, central, auditor or admin.
        #[arg(long)]
        role: sepakat_core::Role,
        /// For coordinators: their office's id.
        #[arg(long)]
        office: Option<uuid::Uuid>,
        /// For agency heads: their agency's id.
        #[arg(long)]
        agency: Option<uuid::Uuid>,
        /// For provincial reviewers: the two-digit province code.
        #[arg(long)]
        province: Option<String>,
        #[arg(long)]
        nip: Option<String>,
        #[arg(long)]
        position: Option<String>,
        /// For coordinators: this account heads the office (Kepala Dinas) and receives the
        /// escalations of overdue evaluations.
        #[arg(long)]
        heads_office: bool,
        /// Rank (pangkat/golongan) printed under the name on the letters this person signs,
        /// e.g. "Pembina Utama Muda (IV/c)".
        #[arg(long)]
        rank: Option<String>,
    },
    /// List the accounts: id, e-mail, role and scope, and whether each is active or must
    /// change a temporary password.
    List {
        #[command(flatten)]
        db: DbArgs,
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Disable an account: it can no longer sign in, and its sessions and API tokens end at once.
    Disable {
        #[command(flatten)]
        db: DbArgs,
        /// The account's e-mail or id.
        account: String,
    },
    /// Enable a disabled account again.
    Enable {
        #[command(flatten)]
        db: DbArgs,
        /// The account's e-mail or id.
        account: String,
    },
    /// Reset a password: prints a temporary password that must be changed at the next sign-in;
    /// the account's sessions and API tokens end.
    ResetPassword {
        #[command(flatten)]
        db: DbArgs,
        /// The account's e-mail or id.
        account: String,
    },
    /// Change an account's role and scope (give exactly the scope the new role needs).
    SetRole {
        #[command(flatten)]
        db: DbArgs,
        /// The account's e-mail or id.
        account: String,
        /// agency_head, coordinator, provincial_reviewer, central, auditor or admin.
        #[arg(long)]
        role: sepakat_core::Role,
        /// For coordinators: their office's id.
        #[arg(long)]
        office: Option<uuid::Uuid>,
        /// For agency heads: their agency's id.
        #[arg(long)]
        agency: Option<uuid::Uuid>,
        /// For provincial reviewers: the two-digit province code.
        #[arg(long)]
        province: Option<String>,
    },
}

/// The account named on the command line by e-mail or id.
pub(crate) async fn find_account(
    store: &sepakat_store::Store,
    account: &str,
) -> Result<sepakat_store::Account> {
    let found = match account.parse::<uuid::Uuid>() {
        Ok(id) => store.account(id).await.ok(),
        Err(_) => store.account_by_email(account).await?,
    };
    found.with_context(|| {
        format!("no account {account}: give its e-mail or id (see `sepakat user list`)")
    })
}

/// One account as a line of `user list`.
fn account_line(a: &sepakat_store::Account) -> String {
    let scope = a
        .office_id
        .map(|o| format!("office {o}"))
        .or(a.agency_id.map(|g| format!("agency {g}")))
        .or(a.province.as_ref().map(|p| format!("province {p}")))
        .unwrap_or_else(|| "national".into());
    let state = match (a.active, a.must_change_password) {
        (false, _) => "disabled",
        (true, true) => "must change password",
        (true, false) => "active",
    };
    format!(
        "{}  {:<44} {:<20} {:<44} {}",
        a.id, a.email, a.role, scope, state
    )
}

/// Runs one `sepakat user` subcommand.
pub(crate) fn run(command: UserCommand) -> Result<ExitCode> {
    match command {
        UserCommand::Add {
            db,
            email,
            name,
            role,
            office,
            agency,
            province,
            nip,
            position,
            heads_office,
            rank,
        } => block_on(async move {
            let password = match std::env::var("SEPAKAT_PASSWORD") {
                Ok(p) => p,
                Err(_) => {
                    let mut line = String::new();
                    std::io::stdin()
                        .read_line(&mut line)
                        .context("cannot read the password from standard input")?;
                    line.trim_end_matches(['\r', '\n']).to_string()
                }
            };
            if let Err(problem) = sepakat_core::password::check_password(&password) {
                bail!(
                    "{} Berikan melalui SEPAKAT_PASSWORD atau masukan standar. / {} Give it in SEPAKAT_PASSWORD or on standard input.",
                    problem.message_id(),
                    problem.message_en()
                );
            }
            let store = open_store(&db).await?;
            store.migrate().await.context("migration failed")?;
            let now = chrono::Utc::now();
            let account = store
                .create_account(
                    sepakat_store::NewAccount {
                        email,
                        name,
                        nip,
                        position,
                        role,
                        office_id: office,
                        agency_id: agency,
                        province,
                    },
                    now,
                )
                .await?;
            let hash =
                sepakat_web::security::hash_password(&password).map_err(anyhow::Error::msg)?;
            store.set_password_hash(account.id, Some(hash), now).await?;
            if heads_office {
                store.set_heads_office(account.id, true, now).await?;
            }
            if let Some(rank) = rank.as_deref() {
                store.set_account_rank(account.id, Some(rank), now).await?;
            }
            let rank = store.account(account.id).await?.rank;
            println!(
                "account {} created: {} ({}{})",
                account.id,
                account.email,
                account.role,
                rank.map(|r| format!(", rank {r}")).unwrap_or_default()
            );
            Ok(ExitCode::SUCCESS)
        }),
        UserCommand::List { db, json } => block_on(async move {
            let store = open_store(&db).await?;
            store.migrate().await.context("migration failed")?;
            let accounts = store.managed_accounts().await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&accounts)?);
            } else {
                for a in &accounts {
                    println!("{}", account_line(a));
                }
            }
            Ok(ExitCode::SUCCESS)
        }),
        UserCommand::Disable { db, account } => set_enabled(&db, &account, false),
        UserCommand::Enable { db, account } => set_enabled(&db, &account, true),
        UserCommand::ResetPassword { db, account } => block_on(async move {
            let store = open_store(&db).await?;
            store.migrate().await.context("migration failed")?;
            let a = find_account(&store, &account).await?;
            let password =
                sepakat_web::security::temporary_password().map_err(anyhow::Error::msg)?;
            let hash =
                sepakat_web::security::hash_password(&password).map_err(anyhow::Error::msg)?;
            let a = store
                .reset_password(
                    a.id,
                    hash,
                    sepakat_store::ChangedBy::CommandLine,
                    chrono::Utc::now(),
                )
                .await?;
            println!(
                "password of {} reset; its sessions and API tokens have ended.\ntemporary password (to be changed at the next sign-in): {password}",
                a.email
            );
            Ok(ExitCode::SUCCESS)
        }),
        UserCommand::SetRole {
            db,
            account,
            role,
            office,
            agency,
            province,
        } => block_on(async move {
            let store = open_store(&db).await?;
            store.migrate().await.context("migration failed")?;
            let a = find_account(&store, &account).await?;
            let a = store
                .change_role(
                    a.id,
                    sepakat_store::RoleChange {
                        role,
                        office_id: office,
                        agency_id: agency,
                        province,
                    },
                    sepakat_store::ChangedBy::CommandLine,
                    chrono::Utc::now(),
                )
                .await?;
            println!("{}", account_line(&a));
            Ok(ExitCode::SUCCESS)
        }),
    }
}

/// `user disable` and `user enable`: the same change, said back differently.
fn set_enabled(db: &DbArgs, account: &str, enabled: bool) -> Result<ExitCode> {
    block_on(async move {
        let store = open_store(db).await?;
        store.migrate().await.context("migration failed")?;
        let a = find_account(&store, account).await?;
        let a = store
            .set_account_enabled(
                a.id,
                enabled,
                sepakat_store::ChangedBy::CommandLine,
                chrono::Utc::now(),
            )
            .await?;
        if enabled {
            println!("account {} enabled: {} can sign in again", a.id, a.email);
        } else {
            println!(
                "account {} disabled: {} can no longer sign in; its sessions and API tokens have ended",
                a.id, a.email
            );
        }
        Ok(ExitCode::SUCCESS)
    })
}
