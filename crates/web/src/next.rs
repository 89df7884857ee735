//! The core's "what happens next, and who does it" (`core::next`) with the people behind each
//! role: the `next` block of `GET /api/v1/applications/{id}` and the "Langkah berikutnya" box of
//! the application page render this one answer.

use crate::AppState;
use crate::problem::ApiError;
use chrono::{DateTime, Utc};
use sepakat_core::next::{NextStep, next_step};
use sepakat_core::workflow::Workflow;
use sepakat_core::{Actor, Application, Role};
use serde::Serialize;
use utoipa::ToSchema;

/// What happens next on the application, and who does it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NextView {
    pub stage: String,
    pub stage_title: String,
    /// True when the application has ended: nothing is next.
    pub finished: bool,
    /// When the stage's target runs out (none for a stage without a target).
    pub due_at: Option<DateTime<Utc>>,
    /// The target has passed.
    pub overdue: bool,
    /// Each way forward from the stage (ending the application is not one).
    pub steps: Vec<NextStepView>,
}

/// One way forward: who takes it, and what must be provided first, by whom.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NextStepView {
    pub action: String,
    pub title: String,
    /// The roles that take the step once nothing is missing.
    #[schema(value_type = Vec<String>)]
    pub roles: Vec<Role>,
    pub ready: bool,
    /// The roles that act now: the provider of the first missing thing, or `roles` when ready.
    #[schema(value_type = Vec<String>)]
    pub acting_roles: Vec<Role>,
    /// What is still missing, in the order it is done.
    pub missing: Vec<MissingView>,
    /// The active accounts of `acting_roles` for this application.
    pub people: Vec<PersonView>,
}

/// One thing a step still needs.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MissingView {
    /// The unmet rule (same codes as a refused command's problems).
    #[schema(value_type = Object)]
    pub unmet: serde_json::Value,
    /// The role that provides it.
    #[schema(value_type = String)]
    pub by: Role,
    pub message_id: String,
    pub message_en: String,
    /// The same as the task of the role that provides it ("Tanda tangani …, lalu unggah
    /// pindaiannya pada bagian Dokumen.").
    pub task_id: String,
    pub task_en: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PersonView {
    #[schema(value_type = String)]
    pub role: Role,
    pub name: String,
    pub email: String,
}

/// The core's answer for `app` and `actor` now, with the people who act.
pub async fn next_view(
    state: &AppState,
    wf: &Workflow,
    app: &Application,
    actor: &Actor,
) -> Result<(NextView, NextStep), ApiError> {
    let next = next_step(wf, app, actor, state.clock.now());
    let mut acting: Vec<Role> = next.steps.iter().flat_map(|s| s.acting_roles()).collect();
    acting.sort();
    acting.dedup();
    let people = state.store.people_acting(&app.ownership, &acting).await?;
    let steps = next
        .steps
        .iter()
        .map(|s| {
            let roles = s.acting_roles();
            NextStepView {
                action: s.action.clone(),
                title: s.title.clone(),
                roles: s.roles.clone(),
                ready: s.ready(),
                people: people
                    .iter()
                    .filter(|p| roles.contains(&p.role))
                    .map(|p| PersonView {
                        role: p.role,
                        name: p.name.clone(),
                        email: p.email.clone(),
                    })
                    .collect(),
                acting_roles: roles,
                missing: s
                    .missing
                    .iter()
                    .map(|m| MissingView {
                        unmet: serde_json::to_value(&m.unmet).unwrap_or_default(),
                        by: m.by,
                        message_id: m.message_id.clone(),
                        message_en: m.message_en.clone(),
                        task_id: m.task_id.clone(),
                        task_en: m.task_en.clone(),
                    })
                    .collect(),
            }
        })
        .collect();
    let view = NextView {
        stage: next.stage.clone(),
        stage_title: next.stage_title.clone(),
        finished: next.finished,
        due_at: next.due_at,
        overdue: next.overdue,
        steps,
    };
    Ok((view, next))
}
