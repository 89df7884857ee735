//! Issuing a letter from the application page: the form for each letter the viewer may issue in
//! the current stage, with a field for each fact the letter needs (`core::letter::needs`), and
//! the handler that issues it. Lists are typed one item a line, columns separated by `|`.

use super::i18n::Lang;
use super::{Refused, Viewer, check_csrf, lang, load_visible, render_detail};
use crate::AppState;
use crate::problem::ApiError;
use actix_web::{HttpRequest, HttpResponse, web};
use sepakat_core::application::ConnectionType;
use sepakat_core::letter::{
    self, AggregateFigure, LetterInputs, Need, PocResult, SignatoryInput, SignatoryKind,
    TeamMember, TestResult, UserLine,
};
use sepakat_core::workflow::{Workflow, letter_title};
use sepakat_core::{Actor, Application, Command, Unmet};
use serde_json::{Value, json};
use std::collections::HashMap;

/// The key under which a refused issue form remembers which letter it was for.
const REFUSED_LETTER: &str = "issue.letter";

fn t<'a>(lang: Lang, id: &'a str, en: &'a str) -> &'a str {
    if lang == Lang::En { en } else { id }
}

/// One form field of a need: (name, label, kind, hint).
fn fields(need: Need, lang: Lang) -> Vec<(&'static str, String, &'static str, String)> {
    let columns = |id: &str, en: &str| {
        format!(
            "{} {}",
            t(
                lang,
                "Satu baris per isian, kolom dipisah |:",
                "One line each, columns separated by |:"
            ),
            t(lang, id, en)
        )
    };
    match need {
        Need::Signatory => vec![
            (
                "signatory_kind",
                t(lang, "Penanda tangan", "Signatory").into(),
                "signatory",
                String::new(),
            ),
            (
                "signatory_name",
                t(lang, "Nama penanda tangan", "Signatory's name").into(),
                "text",
                String::new(),
            ),
            (
                "signatory_nip",
                "NIP".into(),
                "text",
                t(
                    lang,
                    "Kosongkan untuk kepala daerah.",
                    "Leave empty for an elected head.",
                )
                .into(),
            ),
            (
                "signatory_rank",
                t(lang, "Pangkat/golongan", "Rank").into(),
                "text",
                String::new(),
            ),
        ],
        Need::Network => vec![(
            "network",
            t(lang, "Jenis jaringan", "Network").into(),
            "network",
            String::new(),
        )],
        Need::IpAddresses => vec![(
            "ip_addresses",
            t(lang, "Alamat IP", "IP addresses").into(),
            "textarea",
            t(
                lang,
                "Satu alamat per baris, misalnya 10.61.12.20.",
                "One address a line, e.g. 10.61.12.20.",
            )
            .into(),
        )],
        Need::TechnicalTeam => vec![(
            "technical_team",
            t(
                lang,
                "Tim teknis lembaga pengguna",
                "The agency's technical team",
            )
            .into(),
            "textarea",
            columns("nama | jabatan | peran.", "name | position | role."),
        )],
        Need::Users => vec![(
            "users",
            t(
                lang,
                "Calon pengguna user ID",
                "Prospective user-ID holders",
            )
            .into(),
            "textarea",
            columns(
                "nama | NIP | jabatan | alamat IP.",
                "name | NIP | position | IP address.",
            ),
        )],
        Need::ApplicationName => vec![(
            "application_name",
            t(lang, "Nama aplikasi", "Application name").into(),
            "text",
            String::new(),
        )],
        Need::Devices => vec![(
            "devices",
            t(lang, "Perangkat", "Devices").into(),
            "textarea",
            t(lang, "Satu perangkat per baris.", "One device a line.").into(),
        )],
        Need::TestUserId => vec![(
            "test_user_id",
            t(lang, "User ID uji coba yang diuji", "Test user ID tested").into(),
            "text",
            String::new(),
        )],
        Need::TestDate => vec![(
            "test_date",
            t(lang, "Tanggal uji beban", "Date of the stress test").into(),
            "date",
            String::new(),
        )],
        Need::Scenario => vec![(
            "scenario",
            t(lang, "Skenario uji beban", "Stress-test scenario").into(),
            "text",
            String::new(),
        )],
        Need::TestResults => vec![(
            "test_results",
            t(lang, "Hasil uji per parameter", "Results per parameter").into(),
            "textarea",
            columns(
                "parameter | target | hasil | memenuhi/tidak.",
                "parameter | target | result | memenuhi/tidak.",
            ),
        )],
        Need::PocResults => vec![(
            "poc_results",
            t(lang, "Hasil proof of concept", "Proof-of-concept results").into(),
            "textarea",
            columns(
                "skenario | hasil | berhasil/tidak.",
                "scenario | result | berhasil/tidak.",
            ),
        )],
        Need::Aggregate => vec![(
            "aggregate",
            t(lang, "Data agregat", "Aggregate figures").into(),
            "textarea",
            columns("uraian | jumlah jiwa.", "description | number of people."),
        )],
    }
}

/// The issue forms of the letters `actor` may issue now, with what a refused form held.
pub(super) fn forms(
    wf: &Workflow,
    app: &Application,
    actor: &Actor,
    lang: Lang,
    refused: &Refused,
) -> Vec<Value> {
    if !actor.may_write() || !actor.can_see(&app.ownership) {
        return Vec::new();
    }
    let refused_letter = refused.values.get(REFUSED_LETTER).map(String::as_str);
    letter::issuable_ahead(wf, &app.stage)
        .into_iter()
        .filter(|l| !app.issued_in_stage(l))
        .filter(|l| letter::issuers(wf, &app.stage, l).contains(&actor.role))
        .map(|l| {
            let mine = refused_letter == Some(l);
            let value = |name: &str| if mine { refused.value(&format!("issue.{name}")) } else { String::new() };
            let error = |name: &str| if mine { refused.errors.get(name).cloned() } else { None };
            let fields: Vec<Value> = letter::needs(l)
                .iter()
                .flat_map(|n| fields(*n, lang))
                .map(|(name, label, kind, hint)| {
                    let current = value(name);
                    let options: Vec<Value> = match kind {
                        "signatory" => [("head", t(lang, "Kepala daerah sendiri", "The regional head")),
                                        ("regional_secretary", t(lang, "Sekretaris Daerah a.n. kepala daerah", "The regional secretary on the head's behalf"))]
                            .iter().map(|(c, n)| json!({"code": c, "name": n, "selected": current == *c})).collect(),
                        "network" => super::labels::CONNECTIONS.iter().map(|c| {
                            let code = super::labels::code(c);
                            json!({"name": super::labels::connection_name(*c, lang), "selected": current == code, "code": code})
                        }).collect(),
                        _ => Vec::new(),
                    };
                    json!({
                        "name": name, "label": label, "hint": hint, "value": current, "error": error(name),
                        "textarea": kind == "textarea", "date": kind == "date", "select": !options.is_empty(), "options": options,
                    })
                })
                .collect();
            json!({
                "key": l, "title": letter_title(l).unwrap_or(l), "fields": fields,
                "error": error("form"), "open": mine,
            })
        })
        .collect()
}

fn lines(text: &str) -> impl Iterator<Item = (usize, Vec<String>)> + '_ {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .enumerate()
        .map(|(i, l)| (i, l.split('|').map(|c| c.trim().to_string()).collect()))
}

fn passed(word: &str) -> Option<bool> {
    match word.to_lowercase().as_str() {
        "memenuhi" | "berhasil" | "lulus" | "ya" | "passed" | "pass" | "yes" => Some(true),
        "tidak" | "tidak memenuhi" | "gagal" | "belum" | "failed" | "fail" | "no" => Some(false),
        _ => None,
    }
}

/// Turns the typed form into the letter's inputs; each line that cannot be read is an error on
/// its field, saying what was expected.
fn parse(form: &HashMap<String, String>, lang: Lang) -> (LetterInputs, Vec<(String, String)>) {
    let mut inputs = LetterInputs::default();
    let mut errors = Vec::new();
    let get = |k: &str| {
        form.get(k)
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
    };
    let mut bad = |field: &str, line: usize, want: &str| {
        errors.push((
            field.to_string(),
            format!("{} {}: {want}.", t(lang, "Baris", "Line"), line + 1),
        ))
    };
    if let Some(kind) = get("signatory_kind") {
        inputs.signatory = Some(SignatoryInput {
            kind: if kind == "head" {
                SignatoryKind::Head
            } else {
                SignatoryKind::RegionalSecretary
            },
            name: get("signatory_name").unwrap_or_default(),
            nip: get("signatory_nip"),
            rank: get("signatory_rank"),
        });
    }
    if let Some(n) = get("network") {
        inputs.network = super::labels::CONNECTIONS
            .iter()
            .copied()
            .find(|c: &ConnectionType| super::labels::code(c) == n);
    }
    inputs.application_name = get("application_name");
    inputs.test_user_id = get("test_user_id");
    inputs.scenario = get("scenario");
    if let Some(d) = get("test_date") {
        match d.parse() {
            Ok(d) => inputs.test_date = Some(d),
            Err(_) => bad(
                "test_date",
                0,
                t(lang, "tanggal TTTT-BB-HH", "a date YYYY-MM-DD"),
            ),
        }
    }
    let text = |k: &str| form.get(k).cloned().unwrap_or_default();
    inputs.ip_addresses = lines(&text("ip_addresses"))
        .map(|(_, c)| c.join(" "))
        .collect();
    inputs.devices = lines(&text("devices")).map(|(_, c)| c.join(" ")).collect();
    for (i, c) in lines(&text("technical_team")) {
        match c.as_slice() {
            [name, position, role] => inputs.technical_team.push(TeamMember {
                name: name.clone(),
                position: position.clone(),
                role: role.clone(),
            }),
            _ => bad(
                "technical_team",
                i,
                t(lang, "nama | jabatan | peran", "name | position | role"),
            ),
        }
    }
    for (i, c) in lines(&text("users")) {
        match c.as_slice() {
            [name, nip, position, ip] => inputs.users.push(UserLine {
                name: name.clone(),
                nip: (!nip.is_empty()).then(|| nip.clone()),
                position: position.clone(),
                ip_address: ip.clone(),
            }),
            _ => bad(
                "users",
                i,
                t(
                    lang,
                    "nama | NIP | jabatan | alamat IP",
                    "name | NIP | position | IP address",
                ),
            ),
        }
    }
    for (i, c) in lines(&text("test_results")) {
        match c.as_slice() {
            [parameter, target, result, verdict] if passed(verdict).is_some() => {
                inputs.test_results.push(TestResult {
                    parameter: parameter.clone(),
                    target: target.clone(),
                    result: result.clone(),
                    passed: passed(verdict).unwrap_or(false),
                    note: None,
                })
            }
            _ => bad(
                "test_results",
                i,
                t(
                    lang,
                    "parameter | target | hasil | memenuhi/tidak",
                    "parameter | target | result | memenuhi/tidak",
                ),
            ),
        }
    }
    for (i, c) in lines(&text("poc_results")) {
        match c.as_slice() {
            [scenario, result, verdict] if passed(verdict).is_some() => {
                inputs.poc_results.push(PocResult {
                    scenario: scenario.clone(),
                    result: result.clone(),
                    passed: passed(verdict).unwrap_or(false),
                })
            }
            _ => bad(
                "poc_results",
                i,
                t(
                    lang,
                    "skenario | hasil | berhasil/tidak",
                    "scenario | result | berhasil/tidak",
                ),
            ),
        }
    }
    for (i, c) in lines(&text("aggregate")) {
        let count = c
            .get(1)
            .map(|n| n.replace(['.', ' '], ""))
            .and_then(|n| n.parse::<u64>().ok());
        match (c.as_slice(), count) {
            ([description, _], Some(count)) => inputs.aggregate.push(AggregateFigure {
                description: description.clone(),
                count,
            }),
            _ => bad(
                "aggregate",
                i,
                t(
                    lang,
                    "uraian | jumlah (bilangan bulat)",
                    "description | count (a whole number)",
                ),
            ),
        }
    }
    (inputs, errors)
}

/// `POST /permohonan/{id}/surat/{letter}`: issue the letter with the facts typed in.
pub(super) async fn issue(
    state: web::Data<AppState>,
    req: HttpRequest,
    v: Viewer,
    path: web::Path<(String, String)>,
    form: web::Form<HashMap<String, String>>,
) -> Result<HttpResponse, ApiError> {
    let (id, letter) = path.into_inner();
    let form = form.into_inner();
    check_csrf(&v, form.get("csrf").map(String::as_str).unwrap_or(""))?;
    let stored = load_visible(&state, &v, &id).await?;
    let lang = lang(&req);
    let expected_version: i64 = form
        .get("expected_version")
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| ApiError::bad_request("expected_version is the application's version"))?;
    let (inputs, parse_errors) = parse(&form, lang);
    let mut refused = Refused::default();
    refused.values.insert(REFUSED_LETTER.into(), letter.clone());
    for (k, v) in &form {
        refused.values.insert(format!("issue.{k}"), v.clone());
    }
    if parse_errors.is_empty() {
        let command = Command::IssueLetter {
            letter: letter.clone(),
            inputs: Box::new(inputs),
        };
        let rejection = match super::run_form_command(
            &state,
            &req,
            &v,
            &id,
            expected_version,
            command,
        )
        .await?
        {
            Ok(page) => return Ok(page),
            Err(r) => r,
        };
        for u in &rejection.unmet {
            match u {
                // `ip_addresses[1]` belongs beside the `ip_addresses` field.
                Unmet::Letter { problem } => {
                    let field = problem.field.split(['[', '.']).next().unwrap_or("form");
                    let field = if field == "signatory" {
                        "signatory_name"
                    } else {
                        field
                    };
                    let text = if lang == Lang::En {
                        &problem.message_en
                    } else {
                        &problem.message_id
                    };
                    refused.add(field.to_string(), text.clone());
                }
                other => refused.add("form".into(), super::unmet_text(other, lang)),
            }
        }
    } else {
        for (field, text) in parse_errors {
            refused.add(field, text);
        }
    }
    let summary = t(
        lang,
        "Surat belum dapat diterbitkan; perbaiki isian yang ditandai.",
        "The letter cannot be issued yet: correct the marked fields.",
    )
    .to_string();
    let mut res = render_detail(&state, &req, &v, stored, Some(summary), false, &refused).await?;
    *res.status_mut() = actix_web::http::StatusCode::UNPROCESSABLE_ENTITY;
    Ok(res)
}
