//! The frame every page shares: a skip link, the navigation with who is signed in, one
//! `<main>`, and a stylesheet that also prints (navigation and forms drop out on paper).

use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use maud::{html, Markup, PreEscaped, DOCTYPE};

use crate::auth::Session;
use crate::error::ApiError;

/// What the pages add to the printed scorecard's stylesheet.
const WEB_CSS: &str = "\
.skip { position: absolute; left: -999px; }
.skip:focus { left: 1rem; top: 1rem; background: #fff; padding: .5rem; z-index: 1; }
nav.site { display: flex; flex-wrap: wrap; gap: .25rem 1.25rem; align-items: baseline; border-bottom: 2px solid #1d4f91; padding-bottom: .5rem; margin-bottom: 1rem; }
nav.site .brand { font-weight: bold; font-size: 1.1rem; color: #1d4f91; text-decoration: none; }
nav.site .who { margin-left: auto; }
nav.site form { display: inline; }
a { color: #1d4f91; }
a:focus, button:focus, input:focus, select:focus { outline: 3px solid #f9a800; outline-offset: 1px; }
form.query { display: flex; flex-wrap: wrap; gap: .75rem 1.25rem; align-items: flex-end; background: #f3f4f6; padding: .75rem; border: 1px solid #c4c7cc; margin: .5rem 0 1rem; }
form.query label, form.signin label { display: flex; flex-direction: column; font-weight: bold; font-size: .9rem; gap: .2rem; }
form.query .check { flex-direction: row; align-items: center; gap: .4rem; }
input, select, button { font: inherit; padding: .3rem .45rem; }
button { background: #1d4f91; color: #fff; border: 1px solid #1d4f91; cursor: pointer; }
button.secondary { background: #fff; color: #1d4f91; }
.hint { font-size: .85rem; color: #333; margin: .25rem 0; }
.notice { border-left: 6px solid #1d4f91; background: #eef3fb; padding: .5rem .9rem; margin: .75rem 0; max-width: 62rem; }
.notice.verified { border-color: #1b7a3a; background: #eaf6ee; }
.notice.failed, .notice.error { border-color: #b00020; background: #fdecee; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; }
dl.facts dt { font-weight: bold; }
dl.facts dd { margin: 0; }
table.data td.when, table.data td.pos { white-space: nowrap; }
table.data td.change { min-width: 14rem; }
del { background: #fde2e1; text-decoration: line-through; }
ins { background: #ddf4e4; text-decoration: underline; }
tr.restated td, td.restated { background: #fff3b0; }
mark.restated { background: #fff3b0; color: inherit; font-weight: bold; }
.trend { max-width: 100%; height: auto; }
.trend text { font-size: 12px; fill: #111; }
strong.overdue { color: #b00020; }
.actions { display: flex; gap: 1rem; flex-wrap: wrap; margin: .5rem 0; }
@media print { nav.site, form.query, .actions, .skip { display: none; } del, ins, mark, td.restated, tr.restated td, .notice { -webkit-print-color-adjust: exact; print-color-adjust: exact; } }
";

/// A complete page: `title` in the tab and as the heading's context, `content` inside `<main>`.
pub(crate) fn page(title: &str, viewer: Option<&Session>, content: Markup) -> Html<String> {
    let council = viewer.and_then(|viewer| viewer.council.as_deref());
    page_of(title, viewer, council, content)
}

/// A page of `council`'s (on a deployment of several), named beside the brand whether or not
/// anyone is signed in: the public pages and the sign-in form.
pub(crate) fn page_of(
    title: &str,
    viewer: Option<&Session>,
    council: Option<&crate::councils::Council>,
    content: Markup,
) -> Html<String> {
    let css = format!("{}{WEB_CSS}", scoreledger_reports::html::stylesheet());
    Html(
        html! {
            (DOCTYPE)
            html lang="en-GB" {
                head {
                    meta charset="utf-8";
                    meta name="viewport" content="width=device-width, initial-scale=1";
                    title { (title) " — Scoreledger" }
                    style { (PreEscaped(css)) }
                }
                body {
                    a.skip href="#main" { "Skip to the content" }
                    (navigation(viewer, council))
                    main #main { (content) }
                }
            }
        }
        .into_string(),
    )
}

fn navigation(viewer: Option<&Session>, council: Option<&crate::councils::Council>) -> Markup {
    html! {
        nav.site aria-label="Scoreledger" {
            a.brand href="/" { "Scoreledger" }
            @if let Some(council) = council {
                span.council { (council.name) }
            }
            @if let Some(viewer) = viewer {
                a href="/scorecard" { "Scorecard" }
                a href="/reports" { "Published reports" }
                a href="/chase" { "Chase list" }
                a href="/period" { "Close a period" }
                @if scoreledger_domain::decide::may_issue_kind(viewer.actor.role, scoreledger_domain::CommandKind::SignOffValue) {
                    a href="/approvals" { "Approvals" }
                }
                a href="/audit" { "Audit search" }
                a href="/verification" { "Verification" }
                span.who {
                    "Signed in as " strong { (viewer.actor.name) } " (" (viewer.actor.role.as_str()) ") "
                    form method="post" action="/signout" {
                        button.secondary type="submit" { "Sign out" }
                    }
                }
            }
        }
    }
}

/// An error as a page: the same message the API gives, with a way back.
#[derive(Debug)]
pub(crate) struct PageError(pub ApiError);

impl From<ApiError> for PageError {
    fn from(err: ApiError) -> Self {
        PageError(err)
    }
}

impl From<scoreledger_service::QueryError> for PageError {
    fn from(err: scoreledger_service::QueryError) -> Self {
        PageError(err.into())
    }
}

impl From<sqlx::Error> for PageError {
    fn from(err: sqlx::Error) -> Self {
        PageError(err.into())
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let status = self.0.status;
        let heading = match status {
            StatusCode::NOT_FOUND => "Not found",
            StatusCode::FORBIDDEN => "Not allowed",
            s if s.is_server_error() => "Something went wrong",
            _ => "That cannot be shown",
        };
        let body = page(
            heading,
            None,
            html! {
                h1 { (heading) }
                p.notice.error role="alert" { (self.0.message) }
                p { a href="/scorecard" { "Back to the scorecard" } }
            },
        );
        (status, body).into_response()
    }
}
