//! A period's values by spreadsheet, without JavaScript: upload the filled-in scorecard
//! export (CSV or XLSX), read the preview of every cell (new, revised, changed, unchanged)
//! and every refusal, then apply it, all or nothing, through the one write path, as
//! `import-values` does.
//!
//! The apply form carries the file itself and the digest of the preview the page showed: if
//! the log changed what importing it would do meanwhile, applying is a conflict, and the page
//! asks for a fresh look. Commit ids derive from the file, so applying twice lands once.
//! Officers import for their own directorate only.

use axum::extract::{Multipart, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Form;
use maud::{html, Markup};
use scoreledger_domain::{CommandKind, Period, RevisionClass, Role};
use scoreledger_reports::sheet::{self, Problems, Sheet};
use scoreledger_service::values::{self, Outcome, Preview, ValuesImport};
use serde::Deserialize;
use sha2::{Digest, Sha256};

use super::layout::{page as frame, PageError};
use super::signin::Viewer;
use super::{filled, period_of, urlencode};
use crate::auth::Session;
use crate::error::ApiError;
use crate::ServerState;

/// The page's query.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct ImportQuery {
    #[serde(default)]
    period: Option<String>,
    /// Commits just appended.
    #[serde(default)]
    applied: Option<usize>,
}

/// What the upload form and the apply form both say.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct Upload {
    period: String,
    #[serde(default)]
    classification: String,
    #[serde(default)]
    reason: String,
    /// The file's name, which says its format.
    #[serde(default)]
    name: String,
    /// The file, hex-encoded (the apply form carries it back).
    #[serde(default)]
    file: String,
    /// The digest of the preview the page showed (the apply form only).
    #[serde(default)]
    preview: String,
}

fn unprocessable(message: String) -> PageError {
    PageError(ApiError::unprocessable(message))
}

fn may_import(viewer: &Session) -> Result<(), PageError> {
    if scoreledger_domain::decide::may_issue_kind(viewer.actor.role, CommandKind::RecordValue) {
        return Ok(());
    }
    Err(PageError(ApiError::new(
        StatusCode::FORBIDDEN,
        format!(
            "importing values is for officers, the performance team and admins; you act as {}",
            viewer.actor.role
        ),
    )))
}

/// `GET /import?period=…`: the upload form.
pub(crate) async fn page(
    Viewer(viewer): Viewer,
    Query(query): Query<ImportQuery>,
) -> Result<Html<String>, PageError> {
    may_import(&viewer)?;
    let period = filled(&query.period).unwrap_or_default().to_owned();
    Ok(frame(
        "Import values",
        Some(&viewer),
        html! {
            h1 { "Import a period's values from a spreadsheet" }
            @if let Some(commits) = query.applied {
                p.notice.verified role="status" #applied {
                    @if commits == 0 { "Nothing to append: the log already holds every cell." }
                    @else { "Imported: " (commits) " commit(s) appended." }
                    " " a href=(format!("/period?period={}", urlencode(&period))) { "Back to closing " (period) }
                }
            }
            p { "Export the scorecard (" code { "report --format xlsx" } " or " code { "csv-words" }
                "), fill in the period's values, statuses, directions and notes, and upload it here. "
                "You see every cell before anything is written." }
            (upload_form(&period))
        },
    ))
}

fn upload_form(period: &str) -> Markup {
    html! {
        form.query method="post" action="/import" enctype="multipart/form-data" aria-label="Upload a sheet" {
            label { "Period" input #import-period name="period" value=(period) placeholder="Q4 2016/17" required; }
            label { "Sheet (.xlsx or .csv)" input #import-file type="file" name="file" accept=".xlsx,.csv" required; }
            label { "For revised values without a classification of their own"
                select #import-classification name="classification" {
                    option value="" { "(none)" }
                    @for class in RevisionClass::ALL { option value=(class.as_str()) { (class.as_str().replace('_', " ")) } }
                }
            }
            label { "Reason, for revised values without one" input #import-reason name="reason"; }
            button #import-preview type="submit" { "Preview" }
        }
    }
}

/// `POST /import` (multipart): the preview.
pub(crate) async fn preview(
    State(state): State<ServerState>,
    Viewer(viewer): Viewer,
    mut multipart: Multipart,
) -> Result<Html<String>, PageError> {
    may_import(&viewer)?;
    let mut upload = Upload::default();
    let mut bytes = Vec::new();
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|err| unprocessable(format!("the upload did not read: {err}")))?
    {
        let name = field.name().unwrap_or_default().to_owned();
        if name == "file" {
            upload.name = field.file_name().unwrap_or_default().to_owned();
            bytes = field
                .bytes()
                .await
                .map_err(|err| unprocessable(format!("the file did not upload: {err}")))?
                .to_vec();
            continue;
        }
        let text = field
            .text()
            .await
            .map_err(|err| unprocessable(format!("{name}: {err}")))?;
        match name.as_str() {
            "period" => upload.period = text,
            "classification" => upload.classification = text,
            "reason" => upload.reason = text,
            _ => {}
        }
    }
    if bytes.is_empty() {
        return Err(unprocessable(
            "file: choose the filled-in sheet to upload".into(),
        ));
    }
    upload.file = hex::encode(&bytes);
    let judged = judge(&state, &viewer, &upload, &bytes).await?;
    Ok(frame(
        "Import preview",
        Some(&viewer),
        preview_page(&upload, &judged),
    ))
}

/// `POST /import/apply`: applies the preview the page showed, or nothing.
pub(crate) async fn apply(
    State(state): State<ServerState>,
    Viewer(viewer): Viewer,
    Form(upload): Form<Upload>,
) -> Result<Response, PageError> {
    may_import(&viewer)?;
    let bytes = hex::decode(upload.file.trim()).map_err(|_| {
        unprocessable("file: the form's copy of the sheet is damaged; upload it again".into())
    })?;
    let judged = judge(&state, &viewer, &upload, &bytes).await?;
    // Applied before (a double click, the back button): the log holds every cell, and the
    // commits' ids, derived from the file, say so.
    if judged.preview.commits == 0 && judged.preview.problems.is_empty() {
        return Ok(applied(&upload, 0));
    }
    if judged.digest != upload.preview.trim() {
        return Err(PageError(ApiError::new(
            StatusCode::CONFLICT,
            "the log changed what this sheet would do since its preview: upload it again and read the new preview",
        )));
    }
    let Judged {
        preview,
        period,
        key,
        ..
    } = judged;
    let import = import_of(&viewer, &upload, period, &key)?;
    let appended = values::apply(&*state.store, preview, &import)
        .await
        .map_err(|err| match err {
            values::ValuesError::Submit(err) => PageError(ApiError::from(err)),
            other => PageError(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                other.to_string(),
            )),
        })?;
    Ok(applied(
        &upload,
        appended.iter().filter(|a| !a.deduplicated).count(),
    ))
}

/// Back to the upload form, which says how many commits were appended.
fn applied(upload: &Upload, commits: usize) -> Response {
    Redirect::to(&format!(
        "/import?period={}&applied={commits}",
        urlencode(upload.period.trim())
    ))
    .into_response()
}

/// A sheet judged against the log.
struct Judged {
    preview: Preview,
    period: Period,
    /// The SHA-256 of the file, which names the import.
    key: String,
    /// The SHA-256 of the preview's cells and problems, which the apply form carries.
    digest: String,
}

fn import_of<'a>(
    viewer: &'a Session,
    upload: &Upload,
    period: Period,
    key: &'a str,
) -> Result<ValuesImport<'a>, PageError> {
    let classification = Some(upload.classification.trim())
        .filter(|c| !c.is_empty())
        .map(str::parse::<RevisionClass>)
        .transpose()
        .map_err(|err| unprocessable(format!("classification: {err}")))?;
    // An officer without a directorate imports for none.
    let directorate = (viewer.actor.role == Role::Officer)
        .then(|| viewer.directorate.as_deref().unwrap_or_default());
    Ok(ValuesImport {
        actor: &viewer.actor,
        directorate,
        period,
        classification,
        reason: Some(upload.reason.trim().to_owned()).filter(|r| !r.is_empty()),
        key,
        reported: None,
    })
}

async fn judge(
    state: &ServerState,
    viewer: &Session,
    upload: &Upload,
    bytes: &[u8],
) -> Result<Judged, PageError> {
    let period = period_of(&upload.period)?;
    let sheet = read(&upload.name, bytes)?;
    let key = hex::encode(Sha256::digest(bytes));
    state.catch_up().await?;
    let import = import_of(viewer, upload, period, &key)?;
    let preview = values::preview(&*state.store, &state.read, &sheet, &import)
        .await
        .map_err(|err| {
            PageError(ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                err.to_string(),
            ))
        })?;
    let digest = hex::encode(Sha256::digest(
        serde_json::to_vec(&(&preview.cells, &preview.problems)).expect("a preview serialises"),
    ));
    Ok(Judged {
        preview,
        period,
        key,
        digest,
    })
}

/// The sheet, read by its name's extension: a workbook, or CSV text.
fn read(name: &str, bytes: &[u8]) -> Result<Sheet, PageError> {
    let sheet = if name.to_ascii_lowercase().ends_with(".xlsx") {
        sheet::read_xlsx(bytes)
    } else {
        sheet::read_csv_bytes(bytes)
    };
    sheet.map_err(|problems: Problems| unprocessable(problems.to_string()))
}

fn preview_page(upload: &Upload, judged: &Judged) -> Markup {
    let preview = &judged.preview;
    let shown: Vec<_> = preview
        .cells
        .iter()
        .filter(|c| c.outcome != Outcome::Unchanged)
        .collect();
    html! {
        h1 { "Preview: " (upload.name) " for " (preview.period) }
        p #import-counts {
            (preview.count(Outcome::New)) " new, " (preview.count(Outcome::Revision)) " revised, "
            (preview.count(Outcome::Change)) " changed, " (preview.count(Outcome::Unchanged)) " unchanged."
        }
        @if !preview.problems.is_empty() {
            div.notice.failed role="alert" #import-problems {
                p { strong { (preview.problems.len()) " problem(s): nothing can be imported until the sheet is corrected." } }
                ul { @for problem in &preview.problems { li { (problem.to_string()) } } }
            }
        }
        @if !shown.is_empty() {
            table.data #import-cells {
                caption { "Every cell the import changes" }
                thead { tr { th { "Row" } th { "Measure" } th { "Period" } th { "Field" } th { "Before" } th { "After" } th { "Outcome" } } }
                tbody {
                    @for cell in &shown {
                        tr {
                            td.num { (cell.row) } td { (cell.measure) } td { (cell.period) } td { (cell.field) }
                            td { (cell.before.as_deref().unwrap_or("—")) } td { (cell.after) }
                            td { (cell.outcome.as_str()) @if let Some(class) = cell.classification { " (" (class) ")" } }
                        }
                    }
                }
            }
        }
        @if preview.problems.is_empty() {
            @if preview.commits == 0 {
                p.notice role="status" { "Nothing to append: the log already holds every cell." }
            } @else {
                form.query method="post" action="/import/apply" aria-label="Apply the import" {
                    input type="hidden" name="period" value=(upload.period);
                    input type="hidden" name="classification" value=(upload.classification);
                    input type="hidden" name="reason" value=(upload.reason);
                    input type="hidden" name="name" value=(upload.name);
                    input type="hidden" name="file" value=(upload.file);
                    input type="hidden" name="preview" value=(judged.digest);
                    button #import-apply type="submit" {
                        "Apply: append " (preview.commits) " commit(s) holding " (preview.events) " event(s)"
                    }
                }
            }
        }
        p { a href=(format!("/import?period={}", urlencode(upload.period.trim()))) { "Upload another sheet" } }
    }
}
