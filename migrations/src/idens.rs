//! Table and column names, as the migrations write them.

use sea_orm_migration::prelude::*;

#[derive(DeriveIden)]
pub enum Offices {
    Table,
    Id,
    Name,
    Kind,
    RegionCode,
    ProvinceCode,
    PlaceName,
    Address,
    LetterCode,
    LetterUnit,
    LetterPattern,
    UtcOffsetMinutes,
    CreatedAt,
}

#[derive(DeriveIden)]
pub enum Agencies {
    Table,
    Id,
    Name,
    Kind,
    OfficeId,
    Address,
    CreatedAt,
}

#[derive(DeriveIden)]
pub enum Accounts {
    Table,
    Id,
    Email,
    Name,
    Nip,
    Position,
    Role,
    OfficeId,
    AgencyId,
    Province,
    PasswordHash,
    Active,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
pub enum WorkflowVersions {
    Table,
    Name,
    Hash,
    Title,
    Source,
    LoadedAt,
}

#[derive(DeriveIden)]
pub enum Applications {
    Table,
    Id,
    WorkflowName,
    WorkflowHash,
    AgencyId,
    OfficeId,
    Stage,
    Version,
    State,
    SubmittedBy,
    SubmittedAt,
    StageEnteredAt,
    NextEvaluationDue,
    LastEventHash,
    EventCount,
    UpdatedAt,
}

#[derive(DeriveIden)]
pub enum ApplicationElements {
    Table,
    ApplicationId,
    ElementCode,
    Justification,
    Protected,
    ApprovedAt,
}

#[derive(DeriveIden)]
pub enum Documents {
    Table,
    Id,
    ApplicationId,
    Key,
    Filename,
    ContentType,
    Size,
    Sha256,
    BlobPath,
    UploadedBy,
    UploadedAt,
    EventSeq,
}

#[derive(DeriveIden)]
pub enum Letters {
    Table,
    Id,
    ApplicationId,
    Letter,
    Stage,
    OfficeId,
    Year,
    Seq,
    Number,
    IssuedAt,
    IssuedOn,
    DocumentSha256,
    EventSeq,
}

#[derive(DeriveIden)]
pub enum LetterCounters {
    Table,
    OfficeId,
    Year,
    LastSeq,
}

#[derive(DeriveIden)]
pub enum Attestations {
    Table,
    Id,
    ApplicationId,
    Connection,
    Provider,
    CostBorneBy,
    TechnicalContact,
    StatementSha256,
    RecordedBy,
    RecordedAt,
    WithdrawnBy,
    WithdrawnAt,
    WithdrawalReason,
}

#[derive(DeriveIden)]
pub enum Grants {
    Table,
    Id,
    ApplicationId,
    AttestationId,
    Kind,
    Elements,
    Method,
    IssuedAt,
    ValidUntil,
    Status,
    StatusReason,
    UpdatedAt,
}

#[derive(DeriveIden)]
pub enum Evaluations {
    Table,
    Id,
    ApplicationId,
    DueOn,
    Kind,
    State,
    Outcome,
    Findings,
    ReportSha256,
    RecordedBy,
    RecordedAt,
    CreatedAt,
}

#[derive(DeriveIden)]
pub enum AuditEvents {
    Table,
    Id,
    ApplicationId,
    Seq,
    Kind,
    ActorId,
    At,
    Payload,
    PrevHash,
    Hash,
}

#[derive(DeriveIden)]
pub enum Outbox {
    Table,
    Id,
    ApplicationId,
    EventSeq,
    RecipientAccountId,
    RecipientEmail,
    Template,
    Payload,
    State,
    Attempts,
    NextAttemptAt,
    MessageId,
    CreatedAt,
    SentAt,
    LastError,
}

/// A named foreign key from `from_tbl.from_col` to `to_tbl.to_col`.
pub fn fk<T, C, R, D>(
    name: &str,
    from_tbl: T,
    from_col: C,
    to_tbl: R,
    to_col: D,
) -> ForeignKeyCreateStatement
where
    T: IntoIden,
    C: IntoIden,
    R: IntoIden,
    D: IntoIden,
{
    ForeignKey::create()
        .name(name)
        .from(from_tbl, from_col)
        .to(to_tbl, to_col)
        .on_delete(ForeignKeyAction::Restrict)
        .on_update(ForeignKeyAction::Restrict)
        .take()
}

/// A plain (non-unique) index.
pub fn index<T: IntoIden>(name: &str, table: T) -> IndexCreateStatement {
    Index::create()
        .name(name)
        .table(table)
        .if_not_exists()
        .take()
}
