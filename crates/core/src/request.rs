//! What an agency asks for, and the policy every request must meet before it enters a workflow.

use crate::elements::ElementCode;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::fmt;

/// How the institution reaches the data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AccessMethod {
    /// Ditjen's browser application: view and match only, nothing stored.
    WebPortal,
    /// Reads the e-KTP chip with a SAM card activated by Ditjen.
    CardReader,
    /// The user's own application calls an API; lets the user store data.
    WebService,
}

impl AccessMethod {
    pub const ALL: [AccessMethod; 3] = [
        AccessMethod::WebPortal,
        AccessMethod::CardReader,
        AccessMethod::WebService,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AccessMethod::WebPortal => "web_portal",
            AccessMethod::CardReader => "card_reader",
            AccessMethod::WebService => "web_service",
        }
    }

    pub fn name_id(self) -> &'static str {
        match self {
            AccessMethod::WebPortal => "Aplikasi web portal",
            AccessMethod::CardReader => "Card reader KTP-el",
            AccessMethod::WebService => "Web service",
        }
    }
}

impl fmt::Display for AccessMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Art. 58: individual (*perseorangan*) or aggregate data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DataType {
    Individual,
    Aggregate,
}

/// Why the data is wanted. Only the last two may ever reach the protected elements.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PurposeKind {
    /// Public services, development planning, democracy, law enforcement support by OPDs, …
    PublicService,
    StateSecurity,
    LawEnforcement,
}

impl PurposeKind {
    /// PP 40/2019 Art. 56(4): protected elements only for state security and law enforcement.
    pub fn may_request_protected(self) -> bool {
        matches!(
            self,
            PurposeKind::StateSecurity | PurposeKind::LawEnforcement
        )
    }
}

/// One requested element with the reason the institution needs it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RequestedElement {
    pub code: ElementCode,
    pub justification: String,
}

/// The substance of a request letter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Request {
    pub purpose: String,
    pub purpose_kind: PurposeKind,
    pub legal_basis: String,
    pub data_type: DataType,
    pub elements: Vec<RequestedElement>,
    /// None for aggregate requests, which are answered by letter.
    pub access_method: Option<AccessMethod>,
    /// The return data (*data balikan*) the institution will provide, e.g. "NPWP dipadankan dengan NIK".
    #[serde(default)]
    pub data_balikan: Vec<String>,
    /// How long the PKS should run.
    pub duration_months: u16,
}

impl Request {
    pub fn element_codes(&self) -> BTreeSet<ElementCode> {
        self.elements.iter().map(|e| e.code).collect()
    }

    /// A request that includes a protected element needs the Minister's approval on record
    /// before the PKS is signed and before any grant.
    pub fn needs_minister_approval(&self) -> bool {
        self.elements.iter().any(|e| e.code.is_protected())
    }
}

/// What a workflow allows a request to be.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RequestPolicy {
    pub data_type: DataType,
    pub allowed_methods: Vec<AccessMethod>,
    pub max_duration_months: u16,
}

/// One thing wrong with a request; a request gets all of them at once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "problem", rename_all = "snake_case")]
pub enum RequestProblem {
    MissingPurpose,
    MissingLegalBasis,
    NoElements,
    DuplicateElement {
        code: ElementCode,
    },
    MissingJustification {
        code: ElementCode,
    },
    ProtectedElement {
        code: ElementCode,
    },
    MissingDataBalikan,
    MissingAccessMethod,
    MethodNotAllowed {
        method: AccessMethod,
        allowed: Vec<AccessMethod>,
    },
    MethodForAggregate,
    WrongDataType {
        expected: DataType,
    },
    DurationOutOfRange {
        max: u16,
    },
}

impl RequestProblem {
    /// The request field the problem belongs to, so a form can show it beside that field.
    pub fn field(&self) -> String {
        match self {
            RequestProblem::MissingPurpose => "purpose".into(),
            RequestProblem::MissingLegalBasis => "legal_basis".into(),
            RequestProblem::NoElements => "elements".into(),
            RequestProblem::DuplicateElement { code }
            | RequestProblem::MissingJustification { code }
            | RequestProblem::ProtectedElement { code } => format!("elements.{code}"),
            RequestProblem::MissingDataBalikan => "data_balikan".into(),
            RequestProblem::MissingAccessMethod
            | RequestProblem::MethodNotAllowed { .. }
            | RequestProblem::MethodForAggregate => "access_method".into(),
            RequestProblem::WrongDataType { .. } => "data_type".into(),
            RequestProblem::DurationOutOfRange { .. } => "duration_months".into(),
        }
    }

    pub fn message_id(&self) -> String {
        match self {
            RequestProblem::MissingPurpose => "Tujuan pemanfaatan data wajib diisi.".into(),
            RequestProblem::MissingLegalBasis => "Dasar hukum wajib diisi.".into(),
            RequestProblem::NoElements => "Pilih sekurang-kurangnya satu elemen data.".into(),
            RequestProblem::DuplicateElement { code } => {
                format!(
                    "Elemen data {} dipilih lebih dari sekali.",
                    code.element().name_id
                )
            }
            RequestProblem::MissingJustification { code } => {
                format!(
                    "Alasan kebutuhan elemen data {} wajib diisi.",
                    code.element().name_id
                )
            }
            RequestProblem::ProtectedElement { code } => format!(
                "Elemen data {} termasuk data pribadi yang dilindungi (Pasal 84 ayat (1) UU 24/2013) \
                 dan hanya dapat diakses untuk keamanan negara atau penegakan hukum dengan persetujuan Menteri.",
                code.element().name_id
            ),
            RequestProblem::MissingDataBalikan => {
                "Data balikan yang akan diberikan wajib dicantumkan (wajib sejak 2023).".into()
            }
            RequestProblem::MissingAccessMethod => "Pilih metode akses.".into(),
            RequestProblem::MethodNotAllowed { method, allowed } => format!(
                "Metode akses {} tidak tersedia pada alur ini; pilih salah satu: {}.",
                method.name_id(),
                allowed
                    .iter()
                    .map(|m| m.name_id())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            RequestProblem::MethodForAggregate => {
                "Permohonan data agregat dijawab dengan surat dan tidak memakai metode akses."
                    .into()
            }
            RequestProblem::WrongDataType { expected } => format!(
                "Alur ini hanya untuk data {}.",
                match expected {
                    DataType::Individual => "perseorangan",
                    DataType::Aggregate => "agregat",
                }
            ),
            RequestProblem::DurationOutOfRange { max } => {
                format!("Jangka waktu kerja sama harus antara 1 dan {max} bulan.")
            }
        }
    }

    pub fn message_en(&self) -> String {
        match self {
            RequestProblem::MissingPurpose => "The purpose is required.".into(),
            RequestProblem::MissingLegalBasis => "The legal basis is required.".into(),
            RequestProblem::NoElements => "Choose at least one data element.".into(),
            RequestProblem::DuplicateElement { code } => format!("Data element {code} is listed more than once."),
            RequestProblem::MissingJustification { code } => {
                format!("Give the reason the institution needs data element {code}.")
            }
            RequestProblem::ProtectedElement { code } => format!(
                "Data element {code} ({}) is protected personal data (Art. 84(1) UU 24/2013): only a request \
                 for state security or law enforcement may include it, with the Minister's approval. Remove it.",
                code.element().name_en
            ),
            RequestProblem::MissingDataBalikan => {
                "Declare the return data (data balikan) the institution will provide; it is mandatory since 2023.".into()
            }
            RequestProblem::MissingAccessMethod => "Choose an access method.".into(),
            RequestProblem::MethodNotAllowed { method, allowed } => format!(
                "Access method {method} is not offered in this workflow; choose one of: {}.",
                allowed.iter().map(|m| m.as_str()).collect::<Vec<_>>().join(", ")
            ),
            RequestProblem::MethodForAggregate => {
                "Aggregate requests are answered by letter: leave the access method empty.".into()
            }
            RequestProblem::WrongDataType { expected } => {
                format!("This workflow handles {expected:?} data only; pick the matching workflow.")
            }
            RequestProblem::DurationOutOfRange { max } => {
                format!("The duration must be between 1 and {max} months.")
            }
        }
    }
}

fn blank(s: &str) -> bool {
    s.trim().is_empty()
}

/// Checks a request against the policy and returns every problem found.
pub fn check_request(req: &Request, policy: &RequestPolicy) -> Result<(), Vec<RequestProblem>> {
    let mut problems = Vec::new();
    if blank(&req.purpose) {
        problems.push(RequestProblem::MissingPurpose);
    }
    if blank(&req.legal_basis) {
        problems.push(RequestProblem::MissingLegalBasis);
    }
    if req.data_type != policy.data_type {
        problems.push(RequestProblem::WrongDataType {
            expected: policy.data_type,
        });
    }
    if req.elements.is_empty() {
        problems.push(RequestProblem::NoElements);
    }
    let mut seen = BTreeSet::new();
    for e in &req.elements {
        if !seen.insert(e.code) {
            problems.push(RequestProblem::DuplicateElement { code: e.code });
            continue;
        }
        if e.code.is_protected() && !req.purpose_kind.may_request_protected() {
            problems.push(RequestProblem::ProtectedElement { code: e.code });
        }
        if blank(&e.justification) {
            problems.push(RequestProblem::MissingJustification { code: e.code });
        }
    }
    match (policy.data_type, req.access_method) {
        (DataType::Individual, None) => problems.push(RequestProblem::MissingAccessMethod),
        (DataType::Individual, Some(m)) if !policy.allowed_methods.contains(&m) => {
            problems.push(RequestProblem::MethodNotAllowed {
                method: m,
                allowed: policy.allowed_methods.clone(),
            })
        }
        (DataType::Aggregate, Some(_)) => problems.push(RequestProblem::MethodForAggregate),
        _ => {}
    }
    // Return data is owed under a PKS; aggregate answers by letter have no PKS.
    if policy.data_type == DataType::Individual && req.data_balikan.iter().all(|d| blank(d)) {
        problems.push(RequestProblem::MissingDataBalikan);
    }
    if req.duration_months == 0 || req.duration_months > policy.max_duration_months {
        problems.push(RequestProblem::DurationOutOfRange {
            max: policy.max_duration_months,
        });
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn el(code: &str, why: &str) -> RequestedElement {
        RequestedElement {
            code: ElementCode::parse(code).unwrap(),
            justification: why.into(),
        }
    }

    fn policy() -> RequestPolicy {
        RequestPolicy {
            data_type: DataType::Individual,
            allowed_methods: vec![AccessMethod::WebPortal, AccessMethod::CardReader],
            max_duration_months: 60,
        }
    }

    fn valid() -> Request {
        Request {
            purpose: "Verifikasi pemohon izin usaha".into(),
            purpose_kind: PurposeKind::PublicService,
            legal_basis: "Permendagri 102/2019".into(),
            data_type: DataType::Individual,
            elements: vec![
                el("nik", "identitas pemohon"),
                el("nama_lengkap", "padanan nama"),
            ],
            access_method: Some(AccessMethod::WebPortal),
            data_balikan: vec!["NIB dipadankan dengan NIK".into()],
            duration_months: 24,
        }
    }

    #[test]
    fn a_valid_request_passes() {
        assert_eq!(check_request(&valid(), &policy()), Ok(()));
        assert!(!valid().needs_minister_approval());
    }

    #[test]
    fn protected_elements_are_refused_by_name_in_an_ordinary_request() {
        let mut r = valid();
        r.elements.push(el("sidik_jari", "verifikasi"));
        r.elements.push(el("k", "bantuan sosial"));
        let problems = check_request(&r, &policy()).unwrap_err();
        let refused: Vec<_> = problems
            .iter()
            .filter_map(|p| match p {
                RequestProblem::ProtectedElement { code } => Some(code.as_str()),
                _ => None,
            })
            .collect();
        assert_eq!(refused, ["sidik_jari", "cacat_fisik_mental"]);
        let msg = problems[0].message_id();
        assert!(
            msg.contains("Sidik jari") && msg.contains("Pasal 84"),
            "{msg}"
        );
        assert!(problems[0].message_en().contains("Art. 84(1)"));
        assert_eq!(problems[0].field(), "elements.sidik_jari");
    }

    #[test]
    fn security_purposes_may_include_protected_elements_but_need_the_minister() {
        for kind in [PurposeKind::StateSecurity, PurposeKind::LawEnforcement] {
            let mut r = valid();
            r.purpose_kind = kind;
            r.elements.push(el("iris_mata", "identifikasi tersangka"));
            assert_eq!(check_request(&r, &policy()), Ok(()));
            assert!(r.needs_minister_approval());
        }
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let r = Request {
            purpose: "  ".into(),
            purpose_kind: PurposeKind::PublicService,
            legal_basis: "".into(),
            data_type: DataType::Individual,
            elements: vec![el("nik", ""), el("nik", "x"), el("tanda_tangan", "x")],
            access_method: Some(AccessMethod::WebService),
            data_balikan: vec![" ".into()],
            duration_months: 0,
        };
        let problems = check_request(&r, &policy()).unwrap_err();
        let code = ElementCode::parse("nik").unwrap();
        let ttd = ElementCode::parse("tanda_tangan").unwrap();
        assert_eq!(
            problems,
            vec![
                RequestProblem::MissingPurpose,
                RequestProblem::MissingLegalBasis,
                RequestProblem::MissingJustification { code },
                RequestProblem::DuplicateElement { code },
                RequestProblem::ProtectedElement { code: ttd },
                RequestProblem::MethodNotAllowed {
                    method: AccessMethod::WebService,
                    allowed: vec![AccessMethod::WebPortal, AccessMethod::CardReader]
                },
                RequestProblem::MissingDataBalikan,
                RequestProblem::DurationOutOfRange { max: 60 },
            ]
        );
        assert!(problems[5].message_en().contains("web_portal, card_reader"));
    }

    #[test]
    fn method_is_required_for_individual_and_refused_for_aggregate() {
        let mut r = valid();
        r.access_method = None;
        assert_eq!(
            check_request(&r, &policy()),
            Err(vec![RequestProblem::MissingAccessMethod])
        );

        let agg = RequestPolicy {
            data_type: DataType::Aggregate,
            allowed_methods: vec![],
            max_duration_months: 12,
        };
        let mut a = valid();
        a.data_type = DataType::Aggregate;
        a.data_balikan.clear();
        a.duration_months = 1;
        assert_eq!(
            check_request(&a, &agg),
            Err(vec![RequestProblem::MethodForAggregate])
        );
        a.access_method = None;
        assert_eq!(check_request(&a, &agg), Ok(()));
        assert_eq!(
            check_request(&valid(), &agg).unwrap_err()[0],
            RequestProblem::WrongDataType {
                expected: DataType::Aggregate
            }
        );
    }

    #[test]
    fn unknown_fields_and_elements_are_refused_when_parsing() {
        let json = serde_json::to_value(valid()).unwrap();
        let mut extra = json.clone();
        extra["colour"] = "red".into();
        assert!(serde_json::from_value::<Request>(extra).is_err());
        let mut bad = json;
        bad["elements"][0]["code"] = "no_such".into();
        let err = serde_json::from_value::<Request>(bad)
            .unwrap_err()
            .to_string();
        assert!(err.contains("no_such"), "{err}");
    }
}
