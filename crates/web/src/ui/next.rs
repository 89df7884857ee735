//! The application page's "Langkah berikutnya" box, from the core's answer (`crate::next`).

use super::i18n::Lang;
use super::{labels, role_name};
use serde_json::{Value, json};

/// The next-step box: per way forward, who acts (role and people), what they do, and what
/// is still missing with its provider, in the page's language.
pub(super) fn block(next: &crate::next::NextView, clock: i32, lang: Lang) -> Value {
    let text = |id: &str, en: &str| {
        if lang == Lang::En {
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
                Some(m) => text(&m.task_id, &m.task_en),
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
