//! Sepakat's HTTP edge. Handlers translate HTTP into store calls and core commands, and
//! errors into problem+json through [`problem::ApiError`] — the one mapping. No SQL here.

pub mod api;
pub mod auth;
pub mod blobs;
pub mod config;
pub mod headers;
pub mod idempotency;
pub mod inputs;
pub mod metrics;
pub mod next;
pub mod openapi;
pub mod problem;
pub mod security;
pub mod ui;
pub mod views;

use actix_web::dev::{Server, Service};
use actix_web::{App, HttpResponse, HttpServer, web};
use blobs::BlobStore;
use config::ServeConfig;
use metrics::Metrics;
use problem::ApiError;
use security::LoginThrottle;
use sepakat_store::Store;
use std::net::TcpListener;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// A source of "now": the real clock in production, a movable one in tests.
pub use sepakat_store::clock::{Clock, ManualClock, SystemClock};

/// What every request shares.
pub struct AppState {
    pub store: Store,
    /// The page and letter templates, loaded once from `--templates` when the server starts.
    pub pages: ui::Pages,
    pub letters: Arc<sepakat_letters::Letters>,
    pub config: ServeConfig,
    pub blobs: BlobStore,
    pub metrics: Metrics,
    pub login_throttle: LoginThrottle,
    pub clock: Arc<dyn Clock>,
}

/// The HTTP server, bound and ready: `port` is known before it runs (port 0 in tests).
pub struct Application {
    pub port: u16,
    pub server: Server,
}

impl Application {
    /// Binds `config.listen` and builds the server around an opened, migrated store.
    pub fn build(
        config: ServeConfig,
        store: Store,
        clock: Arc<dyn Clock>,
    ) -> std::io::Result<Application> {
        let pages = ui::load_pages(&config.templates.join("ui")).map_err(std::io::Error::other)?;
        let letters = api::letters::load_letters(&config.templates.join("letters"))
            .map_err(std::io::Error::other)?;
        api::letters::install_sealer(
            &store,
            Arc::clone(&letters),
            BlobStore::new(&config.blobs),
            &config.notify.public_url,
        );
        let listener = TcpListener::bind(config.listen)?;
        let port = listener.local_addr()?.port();
        let state = web::Data::new(AppState {
            blobs: BlobStore::new(&config.blobs),
            login_throttle: LoginThrottle::new(
                config.login_attempts,
                Duration::from_secs(config.login_max_delay_secs),
                config.login_address_attempts,
                Duration::from_secs(15 * 60),
            ),
            metrics: Metrics::default(),
            pages,
            letters,
            store,
            clock,
            config: config.clone(),
        });
        let mut server = HttpServer::new(move || {
            App::new()
                .app_data(state.clone())
                .configure(|cfg| configure(cfg, &state.config))
                .wrap(actix_web::middleware::from_fn(inputs::screen))
                .wrap_fn(|req, srv| {
                    let started = Instant::now();
                    let method = req.method().to_string();
                    let data = req.app_data::<web::Data<AppState>>().cloned();
                    let fut = srv.call(req);
                    async move {
                        let res = fut.await?;
                        let route = res
                            .request()
                            .match_pattern()
                            .unwrap_or_else(|| "(unmatched)".into());
                        if let Some(data) = data {
                            data.metrics.observe(
                                &method,
                                &route,
                                res.status().as_u16(),
                                started.elapsed(),
                            );
                        }
                        Ok(res)
                    }
                })
                .wrap(headers::SecurityHeaders::new(&state.pages))
        })
        .shutdown_timeout(10)
        .listen(listener)?;
        if config.workers > 0 {
            server = server.workers(config.workers);
        }
        Ok(Application {
            port,
            server: server.run(),
        })
    }
}

/// Mounts every route; `main` and the tests build the same app through this.
pub fn configure(cfg: &mut web::ServiceConfig, config: &ServeConfig) {
    let json = web::JsonConfig::default()
        .limit(config.max_json_bytes)
        .content_type_required(true)
        .error_handler(|err, _| api::json_error(err).into());
    let path = web::PathConfig::default().error_handler(|err, _| {
        ApiError::bad_request(format!(
            "{err}: identifiers in the path are UUIDs or names from the API"
        ))
        .into()
    });
    let query = web::QueryConfig::default().error_handler(|err, _| {
        ApiError::bad_request(format!("invalid query string: {err}")).into()
    });
    cfg.app_data(json)
        .app_data(path)
        .app_data(query)
        .route("/healthz", web::get().to(api::healthz))
        .route("/metrics", web::get().to(api::metrics))
        .route("/api/openapi.json", web::get().to(openapi::document))
        .route("/api/docs", web::get().to(openapi::docs_page))
        .service(api::scope())
        .configure(ui::routes)
        .default_service(web::to(not_found));
}

async fn not_found() -> Result<HttpResponse, ApiError> {
    Err(ApiError::NoRoute)
}
