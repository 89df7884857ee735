//! The application page's "Langkah berikutnya" box, from the core's answer (`crate::next`).

use super::{labels, role_name};
use serde_json::{Value, json};

/// The next-step box: per way forward, who acts (role and people), what they do, and what
/// is still missing with its provider, in the page's language.
pub(super) fn block(next: &crate::next::NextView, clock: i32, lang: &str) -> Value {
    let text = |id: &str, en: &str| {
        if lang == "en" {
            en.to_string()
        } else {
            id.to_string()
        }
    };
    let steps: Vec<Value> = next
        .steps
        .iter()
        .map(|s| {
            let who: Vec<String> = s.acting_roles.iter().map(|r| role_name(*r, lang)).collect();
            let people: Vec<String> = s.people.iter().map(|p| p.name.clone()).collect();
            // The first missing thing is what the acting role does now: said as a task.
            let doing = match s.missing.first() {
                Some(m) => task(&m.unmet, lang).unwrap_or_else(|| text(&m.message_id, &m.message_en)),
                None => s.title.clone(),
            };
            let missing: Vec<Value> = s
                .missing
                .iter()
                .skip(1)
                .map(|m| json!({"by": role_name(m.by, lang), "text": text(&m.message_id, &m.message_en)}))
                .chain(
                    (!s.missing.is_empty())
                        .then(|| json!({"by": s.roles.iter().map(|r| role_name(*r, lang)).collect::<Vec<_>>().join(" / "), "text": s.title})),
                )
                .collect();
            json!({"action": s.action, "who": who.join(" / "), "people": people.join(", "), "doing": doing, "missing": missing})
        })
        .collect();
    json!({
        "finished": next.finished,
        "due": next.due_at.map(|d| labels::local_time(d, clock)),
        "overdue": next.overdue,
        "steps": steps,
    })
}

/// What the acting role must do for a missing letter or document, as an instruction ("Tanda
/// tangani …, lalu unggah pindaiannya") rather than the refusal's "… belum diunggah".
fn task(unmet: &Value, lang: &str) -> Option<String> {
    use sepakat_core::workflow::{document_title, letter_title};
    let en = lang == "en";
    match unmet["code"].as_str()? {
        "missing_signed_letter" => {
            let letter = unmet["letter"].as_str()?;
            let title = letter_title(letter).unwrap_or(letter);
            Some(if en {
                format!("Sign “{title}” and upload its scan under Documents.")
            } else {
                format!("Tanda tangani {title}, lalu unggah pindaiannya pada bagian Dokumen.")
            })
        }
        "missing_document" => {
            let kind = unmet["kind"].as_str()?;
            let title = document_title(kind).unwrap_or(kind);
            Some(if en {
                format!("Upload “{title}” under Documents.")
            } else {
                format!("Unggah {title} pada bagian Dokumen.")
            })
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::task;
    use serde_json::json;

    #[test]
    fn a_missing_scan_or_document_reads_as_a_task() {
        assert_eq!(
            task(
                &json!({"code": "missing_signed_letter", "letter": "surat_permohonan"}),
                "id"
            )
            .as_deref(),
            Some(
                "Tanda tangani Surat permohonan pemanfaatan data kependudukan, lalu unggah pindaiannya pada bagian Dokumen."
            )
        );
        assert!(
            task(
                &json!({"code": "missing_document", "kind": "laporan_semester"}),
                "en"
            )
            .is_some_and(|t| t.starts_with("Upload "))
        );
        assert_eq!(task(&json!({"code": "missing_attestation"}), "id"), None);
    }
}
