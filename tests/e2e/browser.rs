//! The web pages in a real headless Chromium (Debian's `chromium` driven through
//! `chromedriver` over WebDriver): an auditor signs in with a token, opens the Q3 scorecard,
//! a measure with its revision and reason, the published Q2 report with its restatement, a
//! past scorecard through the as-at picker, and the audit search. A screenshot of every page
//! is kept under `target/screenshots/` for people to look at.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};

use crate::support::{assert_success, run, run_in, stdout};

/// A child process killed when the test ends, however it ends.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `$SCORELEDGER_CHROMEDRIVER` (set by `scripts/services.sh`, which installs it), or
/// `chromedriver` on the PATH. Missing is a failure, not a skip.
fn chromedriver() -> PathBuf {
    std::env::var_os("SCORELEDGER_CHROMEDRIVER")
        .map(PathBuf::from)
        .or_else(|| which("chromedriver"))
        .expect(
            "no chromedriver: run `. scripts/services.sh` first (it installs Debian's chromium and chromium-driver)",
        )
}

fn chromium() -> PathBuf {
    std::env::var_os("SCORELEDGER_CHROMIUM")
        .map(PathBuf::from)
        .or_else(|| which("chromium"))
        .expect("no chromium: run `. scripts/services.sh` first")
}

fn which(program: &str) -> Option<PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|dir| dir.join(program))
        .find(|path| path.is_file())
}

fn free_port() -> u16 {
    scoreledger_testkit::nats::free_port()
}

fn wait_for_port(port: u16, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "{what} did not start listening");
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn screenshots() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .expect("the target directory")
        .join("screenshots");
    std::fs::create_dir_all(&dir).expect("the screenshot directory");
    dir
}

async fn keep_screenshot(client: &Client, name: &str) {
    let png = client.screenshot().await.expect("a screenshot");
    assert!(png.starts_with(b"\x89PNG"), "{name} is a PNG");
    std::fs::write(screenshots().join(name), png).expect("the screenshot is written");
}

async fn text_of(client: &Client, css: &str) -> String {
    let found = client.find(Locator::Css(css)).await;
    let at = path_of(client).await;
    found
        .unwrap_or_else(|err| panic!("no {css} on {at}: {err}"))
        .text()
        .await
        .expect("its text")
}

async fn path_of(client: &Client) -> String {
    let url = client.current_url().await.expect("the current address");
    match url.query() {
        Some(query) => format!("{}?{query}", url.path()),
        None => url.path().to_owned(),
    }
}

/// Waits until a click or a form has taken the browser to a page whose address starts with
/// `prefix` (a click returns before the next page has loaded).
async fn wait_for_page(client: &Client, prefix: &str) {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let at = path_of(client).await;
        if at.starts_with(prefix) {
            return;
        }
        if Instant::now() > deadline {
            keep_screenshot(client, "failed-wait.png").await;
            panic!("expected a page at {prefix}, still at {at}");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Waits for a page at `prefix` other than `left`: a form that answers on the page it was sent
/// from (the period page after a lock, then after a reopening) must not be read before the
/// browser has left it, or its elements go stale under the reader.
async fn wait_for_next_page(client: &Client, prefix: &str, left: &str) {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let at = path_of(client).await;
        if at.starts_with(prefix) && at != left {
            return;
        }
        if Instant::now() > deadline {
            keep_screenshot(client, "failed-wait.png").await;
            panic!("expected a page at {prefix} other than {left}, still at {at}");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Issues a token as an admin (`token create` with `args`) and returns its secret.
fn token(db: &Path, args: &[&str]) -> String {
    let mut all = vec!["--role", "admin", "token", "create"];
    all.extend_from_slice(args);
    let created = run_in(db, &all);
    assert_success(&created);
    stdout(&created)
        .lines()
        .find(|line| line.starts_with("slt_"))
        .expect("the secret is printed")
        .to_owned()
}

/// `scoreledger serve` on `db`, on a free loopback port.
fn serve(db: &Path) -> (Running, u16) {
    let port = free_port();
    let service = Running(
        Command::new(env!("CARGO_BIN_EXE_scoreledger"))
            .env_remove("SCORELEDGER_STORE")
            .env_remove("SCORELEDGER_CONFIG")
            .args(["--db", db.to_str().unwrap(), "serve", "--addr"])
            .arg(format!("127.0.0.1:{port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("the service starts"),
    );
    wait_for_port(port, "the service");
    (service, port)
}

fn start_chromedriver() -> (Running, u16) {
    let port = free_port();
    let driver = Running(
        Command::new(chromedriver())
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts"),
    );
    wait_for_port(port, "chromedriver");
    (driver, port)
}

/// A headless Chromium with a profile of its own.
async fn chromium_session(driver_port: u16, profile: &Path) -> Client {
    let mut capabilities = serde_json::Map::new();
    capabilities.insert(
        "goog:chromeOptions".to_owned(),
        serde_json::json!({
            "binary": chromium(),
            "args": [
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--window-size=1400,1600",
                format!("--user-data-dir={}", profile.display()),
            ],
        }),
    );
    ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(capabilities)
        .connect(&format!("http://127.0.0.1:{driver_port}"))
        .await
        .expect("a Chromium session")
}

/// Serves `db` on loopback, starts chromedriver and a headless Chromium with a profile under
/// `dir`, and runs `test` with the browser and the service's address; everything it started
/// is stopped when it returns, however it returns.
fn in_chromium<F, Fut>(dir: &Path, db: &Path, test: F)
where
    F: FnOnce(Client, String) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let (_service, port) = serve(db);
    let (_driver, driver_port) = start_chromedriver();
    let profile = dir.join("chromium-profile");
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let client = chromium_session(driver_port, &profile).await;
        test(client, format!("http://127.0.0.1:{port}")).await;
    });
}

/// Signs in through the form with `secret`, from the page at `path` (which sends a stranger
/// to the sign-in page and back).
async fn sign_in(client: &Client, base: &str, path: &str, secret: &str) {
    client.goto(&format!("{base}{path}")).await.unwrap();
    client
        .find(Locator::Css("#token"))
        .await
        .unwrap()
        .send_keys(secret)
        .await
        .unwrap();
    client
        .find(Locator::Css("form.signin button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_for_page(client, path).await;
}

async fn type_into(client: &Client, css: &str, text: &str) {
    client
        .find(Locator::Css(css))
        .await
        .unwrap_or_else(|err| panic!("no {css}: {err}"))
        .send_keys(text)
        .await
        .unwrap();
}

#[test]
fn an_officer_enters_a_month_s_figure_and_note_in_chromium() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.db");
    assert_success(&run(&["demo", "--keep", db.to_str().unwrap()]));
    let secret = token(
        &db,
        &[
            "--for",
            "kim.officer",
            "--holder",
            "Kim Officer",
            "--as",
            "officer",
            "--directorate",
            "CYPS",
        ],
    );
    in_chromium(dir.path(), &db, |client, base| async move {
        sign_in(&client, &base, "/measures/1.A3", &secret).await;
        type_into(&client, "#entry-period", "Jan-17").await;
        type_into(&client, "#entry-value", "27.5%").await;
        type_into(&client, "#entry-note", "January from Liquid Logic").await;
        keep_screenshot(&client, "09-officer-entry-form.png").await;
        client
            .find(Locator::Css("form.entry button[type=submit]"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        wait_for_page(&client, "/measures/1.A3?entered=").await;
        let notice = text_of(&client, "p.notice.verified").await;
        assert!(notice.contains("Entered"), "{notice}");
        let history = text_of(&client, "table.data").await;
        assert!(
            history.contains("27.5%") && history.contains("January from Liquid Logic"),
            "{history}"
        );
        keep_screenshot(&client, "10-officer-entry-landed.png").await;
        client.close().await.unwrap();
    });
    let entered = run_in(&db, &["history", "-m", "1.A3", "-p", "Jan-17", "--json"]);
    assert_success(&entered);
    let entered = stdout(&entered);
    assert!(
        entered.contains("Kim Officer") && entered.contains("27.5%"),
        "{entered}"
    );
}

#[test]
fn the_performance_team_assesses_a_quarter_with_the_rules_suggestion_in_chromium() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.db");
    assert_success(&run(&["demo", "--keep", db.to_str().unwrap()]));
    let secret = token(
        &db,
        &[
            "--for",
            "simon.dennis",
            "--holder",
            "Simon Dennis",
            "--as",
            "performance",
        ],
    );
    in_chromium(dir.path(), &db, |client, base| async move {
        sign_in(&client, &base, "/measures/1.A3", &secret).await;
        type_into(&client, "#assess-period", "Q4 2016/17").await;
        client
            .find(Locator::XPath("//button[.='Show what the rules suggest']"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        wait_for_page(&client, "/measures/1.A3?assess=").await;
        let suggestion = text_of(&client, "#suggestion").await;
        assert!(
            suggestion.contains("The figure for Q4 Jan - Mar 2017 is not entered"),
            "{suggestion}"
        );
        client
            .find(Locator::Css("#assess-status"))
            .await
            .unwrap()
            .select_by_value("not_yet_available")
            .await
            .unwrap();
        client
            .find(Locator::Css("#assess-direction"))
            .await
            .unwrap()
            .select_by_value("not_applicable")
            .await
            .unwrap();
        keep_screenshot(&client, "11-assess-form.png").await;
        client
            .find(Locator::Css("form.assess button[type=submit]"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        wait_for_page(&client, "/measures/1.A3?entered=").await;
        let notice = text_of(&client, "p.notice.verified").await;
        assert!(notice.contains("Entered"), "{notice}");
        keep_screenshot(&client, "12-assessed.png").await;
        client.close().await.unwrap();
    });
    let assessed = run_in(
        &db,
        &["history", "-m", "1.A3", "-p", "Q4 2016/17", "--json"],
    );
    assert_success(&assessed);
    let assessed = stdout(&assessed);
    assert!(
        assessed.contains("not_yet_available") && assessed.contains("\"what\":\"status\""),
        "{assessed}"
    );
}

#[test]
fn an_auditor_reads_the_scorecard_a_revision_and_a_restated_report_in_chromium() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.db");
    assert_success(&run(&["demo", "--keep", db.to_str().unwrap()]));
    let secret = token(
        &db,
        &[
            "--for",
            "audit",
            "--holder",
            "Internal Audit",
            "--as",
            "auditor",
        ],
    );

    in_chromium(dir.path(), &db, |client, base| async move {
        // Signing in: the scorecard sends a stranger to the sign-in page and back.
        client.goto(&format!("{base}/scorecard")).await.unwrap();
        assert!(path_of(&client)
            .await
            .starts_with("/signin?next=%2Fscorecard"));
        keep_screenshot(&client, "01-sign-in.png").await;
        client
            .find(Locator::Css("#token"))
            .await
            .unwrap()
            .send_keys(&secret)
            .await
            .unwrap();
        client
            .find(Locator::Css("form.signin button[type=submit]"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();

        // The Q3 scorecard: the latest report published, as the log stands.
        wait_for_page(&client, "/scorecard").await;
        let heading = text_of(&client, "h1").await;
        assert!(heading.contains("Q3 Oct - Dec 2016"), "{heading}");
        assert!(text_of(&client, "nav.site")
            .await
            .contains("Internal Audit"));
        let published = text_of(&client, "p.notice").await;
        assert!(published.contains("Cabinet"), "{published}");
        keep_screenshot(&client, "02-scorecard-q3.png").await;

        // A measure from the scorecard: its revision, before → after, with the reason.
        client
            .find(Locator::Css("th.ref a[href^='/measures/1.A3']"))
            .await
            .expect("1.A3 links to its page")
            .click()
            .await
            .unwrap();
        wait_for_page(&client, "/measures/1.A3").await;
        assert!(text_of(&client, "h1").await.contains("1.A3"));
        client
            .find(Locator::Css("svg.trend"))
            .await
            .expect("the chart of values against target");
        let revision = client
            .find(Locator::XPath(
                "//table[contains(@class,'data')]//tr[.//del[.='30.9%'] and .//ins[.='30.6%']]",
            ))
            .await
            .expect("the revision 30.9% → 30.6% in the history")
            .text()
            .await
            .unwrap();
        assert!(revision.contains("Simon Dennis"), "{revision}");
        assert!(
            revision.contains("2015/16 outturn re-run after data validation"),
            "{revision}"
        );
        keep_screenshot(&client, "03-measure-1.A3.png").await;

        // The published Q2 report: hash verified, the restatement of 2.B1 highlighted.
        client.goto(&format!("{base}/reports")).await.unwrap();
        keep_screenshot(&client, "04-reports.png").await;
        client
            .find(Locator::XPath(
                "//th/a[starts-with(., 'Q2 Jul - Sep 2016')]",
            ))
            .await
            .expect("the Q2 publication is listed")
            .click()
            .await
            .unwrap();
        wait_for_page(&client, "/reports/").await;
        let verified = text_of(&client, "p.notice.verified").await;
        assert!(verified.contains("Hash verified"), "{verified}");
        assert!(verified.contains("e18d5744"), "{verified}");
        let restated = client
            .find(Locator::XPath(
                "//table[contains(@class,'side-by-side')]//tr[th/a[.='2.B1']]/td[contains(@class,'restated')]",
            ))
            .await
            .expect("2.B1's restated cell is highlighted")
            .text()
            .await
            .unwrap();
        assert!(
            restated.contains("112") && restated.contains("95"),
            "{restated}"
        );
        let why = text_of(&client, "tr.restated").await;
        keep_screenshot(&client, "05-report-q2-as-published.png").await;
        let restatements = client
            .find(Locator::XPath(
                "//table[.//caption[starts-with(., 'Restated cells')]]",
            ))
            .await
            .unwrap();
        let png = restatements.screenshot().await.unwrap();
        std::fs::write(screenshots().join("06-report-q2-restatements.png"), png).unwrap();
        let all = restatements.text().await.unwrap();
        assert!(all.contains("Sam Newton"), "{all}");
        assert!(!why.is_empty());

        // The as-at picker: the Q2 scorecard as Cabinet saw it in November 2016.
        client
            .goto(&format!(
                "{base}/scorecard?period=Q2+2016%2F17&as_at=2016-11-20"
            ))
            .await
            .unwrap();
        let picked = client
            .find(Locator::Css("input#as_at"))
            .await
            .unwrap()
            .prop("value")
            .await
            .unwrap();
        assert_eq!(picked.as_deref(), Some("2016-11-20"));
        let row = client
            .find(Locator::XPath(
                "//tr[th[contains(@class,'ref')]/a[.='2.B1']]",
            ))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            row.contains("112"),
            "2.B1 read 112 before the revision: {row}"
        );
        keep_screenshot(&client, "07-scorecard-q2-as-at-2016-11-20.png").await;

        // The audit search, narrowed to one measure's revisions, with its CSV export.
        client.goto(&format!("{base}/audit")).await.unwrap();
        client
            .find(Locator::Css("#measure"))
            .await
            .unwrap()
            .send_keys("2.B1")
            .await
            .unwrap();
        client
            .find(Locator::Css("#revisions"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        client
            .find(Locator::Css("form.query button[type=submit]"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        wait_for_page(&client, "/audit?").await;
        let found = text_of(&client, "table.data tbody").await;
        assert!(
            found.contains("Sam Newton") && found.contains("S42"),
            "{found}"
        );
        let export = client
            .find(Locator::Css("a[href^='/audit.csv']"))
            .await
            .unwrap()
            .attr("href")
            .await
            .unwrap()
            .unwrap();
        assert!(
            export.contains("measure=2.B1") && export.contains("revisions=on"),
            "{export}"
        );
        keep_screenshot(&client, "08-audit-search.png").await;

        client.close().await.unwrap();
    });

    // Every page that read the history left a trace of who looked.
    let reads = run_in(&db, &["history", "--what", "read", "--json"]);
    assert_success(&reads);
    let reads = stdout(&reads);
    for page in ["/measures/1.A3", "/reports/", "/audit?"] {
        assert!(
            reads
                .lines()
                .any(|l| l.contains("Internal Audit") && l.contains(page)),
            "no recorded read of {page}:\n{reads}"
        );
    }
}

async fn click(client: &Client, css: &str) {
    client
        .find(Locator::Css(css))
        .await
        .unwrap_or_else(|err| panic!("no {css}: {err}"))
        .click()
        .await
        .unwrap();
}

async fn sign_out(client: &Client) {
    click(client, "nav.site form button").await;
    wait_for_page(client, "/signin").await;
}

/// The close of Q4 in the browser: the performance team uploads a sheet of Q4 figures and
/// applies its preview, an approver signs one off from the queue, and the performance team
/// locks the quarter, reopens it with a reason and publishes it, the published report then
/// offering its PDF.
#[test]
fn a_quarter_is_imported_signed_off_locked_reopened_and_published_in_chromium() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.db");
    assert_success(&run(&["demo", "--keep", db.to_str().unwrap()]));
    let performance = token(
        &db,
        &[
            "--for",
            "simon.dennis",
            "--holder",
            "Simon Dennis",
            "--as",
            "performance",
        ],
    );
    let approver = token(
        &db,
        &[
            "--for",
            "jo.checker",
            "--holder",
            "Jo Checker",
            "--as",
            "approver",
        ],
    );
    let sheet = dir.path().join("q4.csv");
    std::fs::write(
        &sheet,
        "Ref,Q4 2016/17,Data note\n1.A3,26.1%,Q4 from the lead officers' sheet\n",
    )
    .unwrap();
    in_chromium(dir.path(), &db, |client, base| async move {
        sign_in(&client, &base, "/import?period=Q4+2016%2F17", &performance).await;
        let form = path_of(&client).await;
        type_into(&client, "#import-file", sheet.to_str().unwrap()).await;
        click(&client, "#import-preview").await;
        // The preview answers at /import, which the form's own address also begins with.
        wait_for_next_page(&client, "/import", &form).await;
        let counts = text_of(&client, "#import-counts").await;
        assert!(counts.starts_with("2 new, 0 revised"), "{counts}");
        keep_screenshot(&client, "13-import-preview.png").await;
        click(&client, "#import-apply").await;
        wait_for_page(&client, "/import?period=").await;
        let applied = text_of(&client, "#applied").await;
        assert!(
            applied.contains("Imported: 1 commit(s) appended."),
            "{applied}"
        );
        sign_out(&client).await;

        sign_in(&client, &base, "/approvals?period=Q4+2016%2F17", &approver).await;
        keep_screenshot(&client, "14-approvals-queue.png").await;
        client
            .find(Locator::XPath(
                "//tr[td[1]/a[.='1.A3'] and td[2][contains(., 'Q4')]]//button[.='Sign off']",
            ))
            .await
            .expect("1.A3's Q4 value waits for its sign-off")
            .click()
            .await
            .unwrap();
        wait_for_page(&client, "/approvals?period=Q4%202016%2F17&checked=").await;
        let checked = text_of(&client, "p.notice.verified").await;
        assert!(
            checked.contains("Checked: in the log at position"),
            "{checked}"
        );
        sign_out(&client).await;

        sign_in(&client, &base, "/period?period=Q4+2016%2F17", &performance).await;
        click(&client, "#lock").await;
        wait_for_page(&client, "/period?period=Q4%202016%2F17&done=").await;
        let state = text_of(&client, "#lock-state").await;
        assert!(state.starts_with("Locked"), "{state}");
        let locked = path_of(&client).await;
        type_into(&client, "#reopen-reason", "a late correction from the NHS").await;
        click(&client, "#reopen").await;
        wait_for_next_page(&client, "/period?period=Q4%202016%2F17&done=", &locked).await;
        let state = text_of(&client, "#lock-state").await;
        assert!(state.starts_with("Open"), "{state}");
        let sha256 = text_of(&client, "#report-sha256").await;
        type_into(
            &client,
            "#publish-meeting",
            "Cabinet and Commissioners' Decision Making Meeting",
        )
        .await;
        // A date field takes its value as the browser's locale writes dates: set it as ISO.
        client
            .execute(
                "document.querySelector('#publish-on').value = '2017-06-12';",
                vec![],
            )
            .await
            .unwrap();
        keep_screenshot(&client, "15-close-the-period.png").await;
        click(&client, "#publish").await;
        wait_for_page(&client, "/reports/").await;
        let verified = text_of(&client, "p.notice.verified").await;
        assert!(verified.contains(&sha256), "{verified}");
        client
            .find(Locator::XPath("//a[contains(@href, '/pack.pdf')]"))
            .await
            .expect("the published report offers its PDF");
        keep_screenshot(&client, "16-published.png").await;
        client.close().await.unwrap();
    });
    // In the log: the import, the sign-off, the lock and its reopening, the publication.
    let history = run_in(
        &db,
        &[
            "history",
            "-m",
            "1.A3",
            "-p",
            "Q4 2016/17",
            "--what",
            "value,signoff",
            "--json",
        ],
    );
    assert_success(&history);
    let history = stdout(&history);
    assert!(
        history.contains("Simon Dennis") && history.contains("Jo Checker"),
        "{history}"
    );
    let pdf = dir.path().join("q4.pdf");
    let printed = run_in(
        &db,
        &[
            "report",
            "show",
            "Q4 2016/17",
            "--format",
            "pdf",
            "-o",
            pdf.to_str().unwrap(),
        ],
    );
    assert_success(&printed);
    assert!(std::fs::read(pdf).unwrap().starts_with(b"%PDF-"));
}
