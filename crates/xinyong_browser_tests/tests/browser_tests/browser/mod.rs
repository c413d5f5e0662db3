//! The harness: the real server on a real socket, `chromedriver` as a child
//! process, and a WebDriver session in headless Chromium.
//!
//! Nothing here sleeps. The driver announces its port on stdout and is ready
//! when it does; pages are awaited by polling for the element a visitor would
//! look for, with a bound.

use std::future::Future;
use std::io::{BufRead as _, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::json;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use xinyong_test_support::TestApp;

pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
pub const CHROMIUM: &str = "/usr/bin/chromium";

/// `required` makes a missing browser a failure (CI sets it).
pub const REQUIRED_VAR: &str = "XINYONG_BROWSER_TESTS";

/// How long a page may take to show what the story waits for. Generous: CI
/// machines are shared, and a slow pass is better than a flaky one.
pub const PATIENCE: Duration = Duration::from_secs(20);

/// How often a waiting story looks again (fantoccini's default is 250 ms).
const POLL: Duration = Duration::from_millis(50);

/// Whether the browser tests can run here. Without Debian's chromium-driver
/// they are skipped, unless [`REQUIRED_VAR`] says they must run.
pub fn browser_available() -> bool {
    if Path::new(CHROMEDRIVER).exists() {
        return true;
    }
    assert!(
        std::env::var(REQUIRED_VAR).as_deref() != Ok("required"),
        "{REQUIRED_VAR}=required but {CHROMEDRIVER} is missing: apt-get install chromium chromium-driver"
    );
    println!("skipped: chromium/chromedriver not found");
    false
}

// ----- the server ----------------------------------------------------------------

/// The real server (`xinyong_server::serve`) on `127.0.0.1:0`, over a test
/// app's private database; stops when dropped.
pub struct Portal {
    /// `http://127.0.0.1:<port>`
    pub base: String,
    shutdown: Option<oneshot::Sender<()>>,
    /// Owns the private database the server reads.
    _app: TestApp,
}

impl Portal {
    /// Serves `app`'s state (its search index included) on a fresh port.
    pub async fn serve(app: TestApp) -> Portal {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let (tx, rx) = oneshot::channel::<()>();
        let state = app.state.clone();
        tokio::spawn(async move {
            xinyong_server::serve(listener, state, async move {
                let _ = rx.await;
            })
            .await
            .unwrap();
        });
        Portal { base, shutdown: Some(tx), _app: app }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }
}

impl Drop for Portal {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

// ----- the driver ----------------------------------------------------------------

/// A `chromedriver` child process, killed when dropped.
pub struct Chromedriver {
    child: Child,
    /// `http://127.0.0.1:<port>`
    pub url: String,
}

impl Chromedriver {
    /// Starts the driver on a port it picks itself (`--port=0`, so no other
    /// process can take the port between choosing and binding it) and reads
    /// the port from the line it prints once it listens.
    pub fn start() -> Chromedriver {
        // Two drivers starting at the same moment can collide on their IPv6
        // listener, and the loser exits ("bind() failed: Address already in
        // use"); a failed start is simply tried again.
        let mut last = String::new();
        for _ in 0..5 {
            match Chromedriver::try_start() {
                Ok(driver) => return driver,
                Err(e) => last = e,
            }
        }
        panic!("chromedriver did not start: {last}");
    }

    fn try_start() -> Result<Chromedriver, String> {
        let mut child = Command::new(CHROMEDRIVER)
            .arg("--port=0")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {CHROMEDRIVER}: {e}"));
        let stdout = child.stdout.take().unwrap();
        let mut driver = Chromedriver { child, url: String::new() };
        let (tx, rx) = mpsc::channel();
        // Keep reading after the announcement so the driver never blocks on
        // a full pipe.
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(port) = announced_port(&line) {
                    let _ = tx.send(port);
                }
            }
        });
        // On failure `driver` is dropped here, which kills the child.
        let port = rx.recv_timeout(PATIENCE).map_err(|e| format!("it did not announce its port: {e}"))?;
        driver.url = format!("http://127.0.0.1:{port}");
        Ok(driver)
    }
}

/// `ChromeDriver was started successfully on port 41465.` → 41465
fn announced_port(line: &str) -> Option<u16> {
    line.split_once("started successfully on port ")?.1.trim_end_matches('.').trim().parse().ok()
}

impl Drop for Chromedriver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

// ----- the browser ---------------------------------------------------------------

/// A headless Chromium session with its own empty profile directory.
pub struct Browser {
    pub client: Client,
    _profile: tempfile::TempDir,
    _driver: Chromedriver,
}

impl Browser {
    /// Chromium as root on a closed network (see the machine notes): no
    /// sandbox, no GPU, and none of the background traffic that would be
    /// refused at every start.
    pub async fn open(width: u32, height: u32) -> Browser {
        Browser::launch(width, height, None).await
    }

    /// A viewport narrower than a desktop window can be: headless Chromium
    /// keeps windows at least 500 px wide, so the width is set by device
    /// emulation (desktop-style, not a touch phone: the same layout rules a
    /// narrow desktop window gets).
    pub async fn open_narrow(width: u32, height: u32) -> Browser {
        let metrics = json!({ "deviceMetrics": { "width": width, "height": height, "pixelRatio": 1.0, "mobile": false, "touch": false } });
        Browser::launch(width.max(500), height, Some(metrics)).await
    }

    async fn launch(width: u32, height: u32, emulation: Option<serde_json::Value>) -> Browser {
        let driver = Chromedriver::start();
        let profile = tempfile::tempdir().unwrap();
        let args = [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
            "--hide-scrollbars",
            "--lang=zh-CN",
            &format!("--window-size={width},{height}"),
            &format!("--user-data-dir={}", profile.path().display()),
        ];
        let mut caps = serde_json::Map::new();
        caps.insert("browserName".to_owned(), json!("chrome"));
        let mut options = json!({ "binary": CHROMIUM, "args": args });
        if let Some(emulation) = emulation {
            options["mobileEmulation"] = emulation;
        }
        caps.insert("goog:chromeOptions".to_owned(), options);
        // Plain HTTP to a driver on localhost: no TLS connector needed.
        let client = ClientBuilder::new(HttpConnector::new())
            .capabilities(caps)
            .connect(&driver.url)
            .await
            .unwrap_or_else(|e| panic!("no WebDriver session from {}: {e}", driver.url));
        Browser { client, _profile: profile, _driver: driver }
    }

    /// Runs `story`, then ends the session (which ends Chromium) whether the
    /// story passed or panicked, and only then lets a failure through.
    pub async fn run<F, Fut>(self, story: F)
    where
        F: FnOnce(Client) -> Fut,
        Fut: Future<Output = ()> + Send + 'static,
    {
        let outcome = tokio::spawn(story(self.client.clone())).await;
        let _ = self.client.clone().close().await;
        if let Err(e) = outcome {
            match e.try_into_panic() {
                Ok(panic) => std::panic::resume_unwind(panic),
                Err(e) => panic!("story did not finish: {e}"),
            }
        }
    }
}

// ----- in the page ---------------------------------------------------------------

/// Waits (bounded) for the element `css` matches.
pub async fn wait_for_css(client: &Client, css: &str) -> fantoccini::elements::Element {
    match wait_for(client, Locator::Css(css)).await {
        Ok(element) => element,
        Err(e) => panic!("no {css} on {}: {e}", here(client).await),
    }
}

/// Waits (bounded) for the element `xpath` matches.
pub async fn wait_for_xpath(client: &Client, xpath: &str) -> fantoccini::elements::Element {
    match wait_for(client, Locator::XPath(xpath)).await {
        Ok(element) => element,
        Err(e) => panic!("nothing matches {xpath} on {}: {e}", here(client).await),
    }
}

/// Waits at most [`PATIENCE`] for `locator`. A look that meets the page
/// being replaced is answered "aborted by navigation" instead of "no such
/// element" (chromedriver), which ended the wait in one CI run; the next page
/// is on its way, so that is looked again too.
async fn wait_for(client: &Client, locator: Locator<'_>) -> Result<fantoccini::elements::Element, String> {
    let deadline = std::time::Instant::now() + PATIENCE;
    loop {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        match client.wait().at_most(left).every(POLL).for_element(locator).await {
            Ok(element) => return Ok(element),
            Err(e) if e.to_string().contains("aborted by navigation") && !left.is_zero() => {
                tokio::time::sleep(POLL).await;
            }
            Err(e) => return Err(e.to_string()),
        }
    }
}

/// The page's path, for failure messages.
pub async fn here(client: &Client) -> String {
    client.current_url().await.map(|u| u.path().to_owned()).unwrap_or_else(|e| format!("<unknown page: {e}>"))
}

/// The visible text of the whole page.
pub async fn page_text(client: &Client) -> String {
    client.find(Locator::Css("body")).await.unwrap().text().await.unwrap()
}

/// Scrolls `element` to the top of the viewport, for a screenshot that shows it.
pub async fn scroll_to(client: &Client, element: &fantoccini::elements::Element) {
    client
        .execute("arguments[0].scrollIntoView({block: 'start'});", vec![serde_json::to_value(element).unwrap()])
        .await
        .unwrap();
}

/// Where the screenshots go: `target/screenshots/browser/` of the workspace.
pub fn screenshot_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/screenshots/browser")
}

/// Saves what the browser shows as `NN-name.png`.
pub async fn screenshot(client: &Client, name: &str) {
    let dir = screenshot_dir();
    std::fs::create_dir_all(&dir).unwrap();
    let dir = dir.canonicalize().unwrap();
    let png = client.screenshot().await.unwrap();
    let path = dir.join(format!("{name}.png"));
    std::fs::write(&path, png).unwrap();
    println!("screenshot: {}", path.display());
}

/// Elements sticking out past the right edge of the viewport, as
/// `tag.class` names with their right edge: what to fix when a narrow
/// layout overflows.
pub const OVERFLOW_JS: &str = r#"
const width = window.innerWidth;
const wide = [];
for (const el of document.querySelectorAll('body *')) {
  const r = el.getBoundingClientRect();
  if (r.right > width + 0.5 && r.width > 0) {
    wide.push(el.tagName.toLowerCase() + (el.className ? '.' + String(el.className).split(' ').join('.') : '') + ' right=' + Math.round(r.right));
  }
}
// Cells laid out as "label: value" on a phone (`td[data-label]`, the label
// drawn by `::before`) whose label runs into the value: a label that does
// not wrap and is wider than its column, or a value that starts left of the
// label column's end (their rectangles intersect).
const canvas = document.createElement('canvas').getContext('2d');
const overlapping = [];
for (const td of document.querySelectorAll('td[data-label]')) {
  const cell = td.getBoundingClientRect();
  if (cell.width === 0) continue;
  const label = getComputedStyle(td, '::before');
  if (label.content === 'none' || getComputedStyle(td).display !== 'grid') continue;
  const column = parseFloat(label.width);
  canvas.font = label.font;
  const text = td.getAttribute('data-label');
  const nowrap = label.whiteSpace === 'nowrap' || label.whiteSpace === 'pre';
  const range = document.createRange();
  range.selectNodeContents(td);
  const value = range.getBoundingClientRect();
  const labelEnd = cell.left + column;
  if ((nowrap && canvas.measureText(text).width > column + 0.5) || (value.width > 0 && value.left < labelEnd - 0.5)) {
    overlapping.push(text + ' / ' + td.textContent.trim().slice(0, 30));
  }
}
return {
  scroll_width: document.documentElement.scrollWidth,
  inner_width: width,
  wide: wide.slice(0, 10),
  overlapping: overlapping.slice(0, 10),
};
"#;

#[cfg(test)]
mod tests {
    use super::announced_port;

    #[test]
    fn the_driver_port_is_read_from_its_announcement() {
        assert_eq!(announced_port("ChromeDriver was started successfully on port 41465."), Some(41465));
        assert_eq!(announced_port("Only local connections are allowed."), None);
    }
}
