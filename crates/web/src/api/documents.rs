//! Documents of an application: the multipart upload (checked by type, size and who may
//! file which document) and the download of a stored file.

use super::*;

/// Reads one multipart field fully, refusing more than `limit` bytes.
async fn read_field(field: &mut actix_multipart::Field, limit: usize) -> Result<Vec<u8>, ApiError> {
    let mut bytes = Vec::new();
    while let Some(chunk) = field.next().await {
        let chunk =
            chunk.map_err(|e| ApiError::bad_request(format!("broken multipart body: {e}")))?;
        if bytes.len() + chunk.len() > limit {
            return Err(ApiError::PayloadTooLarge { limit });
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(bytes)
}

/// Upload a document (multipart: `key`, `expected_version`, `file`): a signed letter
/// (`signed:<letter>`), the network statement (`pernyataan_jaringan`), a test report, …
/// PDF, PNG or JPEG, checked by content; the SHA-256 is returned. Who may file each document
/// kind is the workflow's `[documents]` table: any other role gets 403 and nothing is stored.
#[utoipa::path(post, path = "/api/v1/applications/{id}/documents", tag = "documents", params(("id" = Uuid, Path)),
    request_body(content_type = "multipart/form-data", description = "fields: key, expected_version, file"),
    responses((status = 200, body = ApplicationView), (status = 403, body = crate::problem::Problem), (status = 413, body = crate::problem::Problem), (status = 415, body = crate::problem::Problem), (status = 422, body = crate::problem::Problem)))]
pub async fn upload(
    state: web::Data<AppState>,
    req: HttpRequest,
    VisibleApplication { caller, stored }: VisibleApplication,
    mut form: Multipart,
) -> Result<HttpResponse, ApiError> {
    let id = stored.row.id;
    let limit = state.config.max_upload_bytes;
    let (mut key, mut version, mut file) = (None, None, None);
    while let Some(field) = form.next().await {
        let mut field =
            field.map_err(|e| ApiError::bad_request(format!("broken multipart body: {e}")))?;
        let name = field.name().unwrap_or_default().to_string();
        match name.as_str() {
            "key" => {
                key = Some(
                    String::from_utf8_lossy(&read_field(&mut field, 200).await?)
                        .trim()
                        .to_string(),
                )
            }
            "expected_version" => {
                version = Some(
                    String::from_utf8_lossy(&read_field(&mut field, 32).await?)
                        .trim()
                        .to_string(),
                )
            }
            "file" => {
                let filename = field
                    .content_disposition()
                    .and_then(|cd| cd.get_filename().map(str::to_string))
                    .unwrap_or_default();
                file = Some((filename, read_field(&mut field, limit).await?));
            }
            other => {
                return Err(ApiError::bad_request(format!(
                    "unexpected multipart field `{other}`: send key, expected_version and file"
                )));
            }
        }
    }
    let mut missing = Vec::new();
    for (field, present) in [
        ("key", key.is_some()),
        ("expected_version", version.is_some()),
        ("file", file.is_some()),
    ] {
        if !present {
            missing.push(ApiError::field(
                field,
                "missing_field",
                format!("The `{field}` field is required."),
                format!("Isian `{field}` wajib ada."),
            ));
        }
    }
    if !missing.is_empty() {
        return Err(ApiError::invalid("The upload is incomplete.", missing));
    }
    let (key, version, (filename, bytes)) = (
        key.unwrap_or_default(),
        version.unwrap_or_default(),
        file.unwrap_or_default(),
    );
    let version: i64 = version.parse().map_err(|_| {
        ApiError::invalid(
            "expected_version must be a whole number.",
            vec![ApiError::field(
                "expected_version",
                "invalid_field",
                "Give the version you saw.",
                "Versi harus berupa bilangan bulat.",
            )],
        )
    })?;
    may_file(&state, &stored, &caller, &key).await?;
    let content_type = sniff_media_type(&bytes).ok_or_else(|| ApiError::UnsupportedMediaType {
        detail: "Only PDF, PNG and JPEG files are accepted (checked by their content).".into(),
    })?;
    let filename = if filename.trim().is_empty() {
        format!("{key}.{}", content_type.rsplit('/').next().unwrap_or("bin"))
    } else {
        filename
    };
    let fingerprint = [
        key.as_bytes(),
        &[0],
        version.to_string().as_bytes(),
        &[0],
        &bytes,
    ]
    .concat();
    idempotency::once(&state, &req, &caller, &fingerprint, |keyed| async {
        let sha256 = hex::encode(Sha256::digest(&bytes));
        let document = NewDocument {
            key,
            filename,
            sha256: sha256.clone(),
            content_type: Some(content_type.into()),
            size: Some(bytes.len() as i64),
            blob_path: Some(format!("{}/{}", &sha256[..2], sha256)),
        };
        // Decide first, write the file second: a refused upload leaves no blob. Only a
        // change between this check and the command (a race) can still leave one unreferenced.
        state
            .store
            .check_attach_document(id, version, &document, caller.account.id, state.clock.now())
            .await?;
        let blobs = state.blobs.clone();
        let data = bytes.clone();
        let written = web::block(move || blobs.put(&data))
            .await
            .map_err(|e| ApiError::Internal(e.to_string()))?
            .map_err(|e| ApiError::Internal(format!("blob store: {e}")))?;
        debug_assert_eq!(written, sha256);
        state
            .store
            .attach_document_keyed(
                id,
                version,
                document,
                caller.account.id,
                state.clock.now(),
                keyed.map(|k| k.answering(200)),
            )
            .await?;
        let stored = state.store.application(id).await?;
        Answer::ok(view(&state, &caller, stored).await?)
    })
    .await
}

/// A role the workflow does not let file this document kind is refused (403) before anything
/// is written, blob included; the command checks it again with everything else.
async fn may_file(
    state: &AppState,
    stored: &StoredApplication,
    caller: &Caller,
    key: &str,
) -> Result<(), ApiError> {
    if !caller.actor.may_write() {
        return Ok(());
    }
    let wf = state
        .store
        .workflow(&stored.row.workflow_name, &stored.row.workflow_hash)
        .await?;
    match wf.may_file(key, caller.actor.role) {
        Err(refusal) if refusal.is_permission() => Err(sepakat_core::machine::Rejection {
            unmet: vec![refusal.into()],
        }
        .into()),
        _ => Ok(()),
    }
}

/// The `{document_id}` of a document's path; its `{id}` is read by [`VisibleApplication`].
#[derive(Deserialize)]
pub struct DocumentPath {
    document_id: String,
}

/// Download a document on file.
#[utoipa::path(get, path = "/api/v1/applications/{id}/documents/{document_id}", tag = "documents",
    params(("id" = Uuid, Path), ("document_id" = Uuid, Path)),
    responses((status = 200, description = "The file"), (status = 404, body = crate::problem::Problem)))]
pub async fn download(
    state: web::Data<AppState>,
    app: VisibleApplication,
    path: web::Path<DocumentPath>,
) -> Result<HttpResponse, ApiError> {
    let (id, doc) = (app.id(), path.into_inner().document_id);
    let doc = Uuid::parse_str(&doc).map_err(|_| {
        ApiError::bad_request(format!("`{doc}` is not a valid document id (a UUID)"))
    })?;
    let docs = state.store.application_documents(id).await?;
    let d = docs
        .into_iter()
        .find(|d| d.id == doc)
        .ok_or(ApiError::NotFound { what: "document" })?;
    let blobs = state.blobs.clone();
    let sha = d.sha256.clone();
    let bytes = web::block(move || blobs.get(&sha))
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?
        .map_err(|e| ApiError::Internal(format!("blob store: {e}")))?
        .ok_or(ApiError::NotFound {
            what: "document file",
        })?;
    let safe_name: String = d
        .filename
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || ".-_ ".contains(*c))
        .collect();
    Ok(HttpResponse::Ok()
        .content_type(
            d.content_type
                .unwrap_or_else(|| "application/octet-stream".into()),
        )
        .insert_header((
            "Content-Disposition",
            format!("attachment; filename=\"{safe_name}\""),
        ))
        .insert_header(("X-Content-SHA256", d.sha256))
        .body(bytes))
}
