//! The progress bar of a long pass over the log (backup, restore), on stderr; hidden when the
//! output is JSON for a program.

use indicatif::{ProgressBar, ProgressStyle};

use scoreledger_domain::Position;

/// A bar counting commits up to a head given as it goes, labelled `what` ("backing up").
pub fn commits_bar(hidden: bool, what: &str) -> ProgressBar {
    let bar = if hidden {
        ProgressBar::hidden()
    } else {
        ProgressBar::new(0)
    };
    bar.set_style(
        ProgressStyle::with_template(&format!(
            "{{spinner}} {what} [{{bar:40}}] {{pos}}/{{len}} commits ({{per_sec}}, {{eta}} left)"
        ))
        .expect("progress template")
        .progress_chars("=> "),
    );
    bar
}

/// Tells `bar` the position reached and the head.
pub fn advance(bar: &ProgressBar) -> impl FnMut(Position, Position) + '_ {
    |at, head| {
        bar.set_length(head.0);
        bar.set_position(at.0);
    }
}
