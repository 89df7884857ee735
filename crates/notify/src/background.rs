//! The loops `sepakat serve` runs beside the HTTP server: the outbox dispatcher, the
//! evaluation calendar and the upkeep of the stage counters (deltas folded, old waits merged),
//! each stopped by
//! `Background::stop`.

use crate::dispatch::Dispatcher;
use sepakat_store::Store;
use sepakat_store::clock::Clock;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// How often the stage counters' deltas are folded into the counters.
const FOLD_EVERY: Duration = Duration::from_secs(2);

pub struct Background {
    stop: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
}

impl Background {
    /// Starts the loops on the current tokio runtime.
    pub fn spawn(
        store: Store,
        dispatcher: Dispatcher,
        clock: Arc<dyn Clock>,
        outbox_every: Duration,
        calendar_every: Duration,
    ) -> Background {
        let (stop, stopped) = watch::channel(false);
        let dispatcher = Arc::new(dispatcher);
        let mut tasks = Vec::new();
        {
            let clock = clock.clone();
            let mut stopped = stopped.clone();
            tasks.push(tokio::spawn(async move {
                loop {
                    match dispatcher.run_once(clock.now()).await {
                        Ok(r) if r.claimed > 0 => tracing::info!(
                            sent = r.sent,
                            retried = r.retried,
                            dead = r.dead,
                            "outbox delivered"
                        ),
                        Ok(_) => {}
                        Err(e) => {
                            tracing::warn!(error = %e, "outbox round failed; trying again later")
                        }
                    }
                    if wait(&mut stopped, outbox_every).await {
                        return;
                    }
                }
            }));
        }
        {
            // Reads add the deltas not yet folded, so this only keeps them few. Once a day (and
            // at start) the old waits' counters are merged into blocks, so they stay few too.
            let store = store.clone();
            let clock = clock.clone();
            let mut stopped = stopped.clone();
            tasks.push(tokio::spawn(async move {
                let mut rolled_on = None;
                loop {
                    if let Err(e) = store.fold_stage_stats().await {
                        tracing::warn!(error = %e, "folding the stage counters failed; trying again later");
                    }
                    let now = clock.now();
                    if rolled_on != Some(now.date_naive()) {
                        match store.roll_open_stats(now).await {
                            Ok(n) => {
                                rolled_on = Some(now.date_naive());
                                tracing::debug!(rows = n, "old waits' counters merged");
                                match store.purge_expired_sessions(now).await {
                                    Ok(n) => tracing::debug!(sessions = n, "expired sessions removed"),
                                    Err(e) => tracing::warn!(error = %e, "removing expired sessions failed; trying again tomorrow"),
                                }
                            }
                            Err(e) => tracing::warn!(error = %e, "merging the old waits' counters failed; trying again later"),
                        }
                    }
                    if wait(&mut stopped, FOLD_EVERY).await {
                        return;
                    }
                }
            }));
        }
        {
            // The evaluation calendar runs every `calendar_every` (an hour by default), not on
            // a date change: each application is decided on its own office's day
            // (`core::machine`'s `CheckEvaluations` takes `Application::local_date`), so an
            // office in WIB, WITA or WIT sees its evaluations opened, escalated or overdue in
            // the first round after its own midnight. The daily upkeep above follows the UTC
            // date on purpose: it only merges counters and removes expired sessions.
            let mut stopped = stopped.clone();
            tasks.push(tokio::spawn(async move {
                loop {
                    match store.run_evaluation_calendar(clock.now()).await {
                        Ok(r) if r.changed > 0 => tracing::info!(
                            opened = r.opened,
                            reminded = r.reminded,
                            escalated = r.escalated,
                            overdue = r.overdue,
                            grants_suspended = r.grants_suspended,
                            "evaluation calendar ran"
                        ),
                        Ok(_) => {}
                        Err(e) => tracing::warn!(error = %e, "evaluation calendar failed; trying again later"),
                    }
                    if wait(&mut stopped, calendar_every).await {
                        return;
                    }
                }
            }));
        }
        Background { stop, tasks }
    }

    /// Stops the loops after the round in progress.
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        for t in self.tasks {
            let _ = t.await;
        }
    }
}

/// Sleeps `every`; true when told to stop meanwhile.
async fn wait(stopped: &mut watch::Receiver<bool>, every: Duration) -> bool {
    tokio::select! {
        _ = tokio::time::sleep(every) => *stopped.borrow(),
        r = stopped.changed() => r.is_err() || *stopped.borrow(),
    }
}
