//! How WebKitGTK draws the window on a machine without a GPU.
//!
//! WebKitGTK composites pages with OpenGL. Without a GPU render node (no `/dev/dri/renderD*`: a
//! virtual display, a remote session, a laptop without graphics drivers) that OpenGL is Mesa's
//! software rasteriser, and every frame is drawn twice in software and copied between
//! processes. Measured under Xvfb with 100,000 jobs (`make bench-desktop`): opening a job took
//! 66 ms median (p95 169 ms) and the app with its WebKit processes held 450 MB (PSS); without
//! compositing, 16 ms (p95 28 ms) and 315 MB. So there compositing is turned off
//! (`WEBKIT_DISABLE_COMPOSITING_MODE=1`); machines with a GPU keep WebKit's default.
//!
//! In that mode WebKitGTK never answers a WebDriver screenshot, so the end-to-end tests take
//! their screenshots from the X server instead (`tests/desktop/xscreen.mjs`).
//!
//! A value the user set for this or for WebKit's other renderer switches always wins.

/// The variable that turns WebKit's accelerated compositing off.
pub const NO_COMPOSITING: &str = "WEBKIT_DISABLE_COMPOSITING_MODE";

/// WebKit's renderer switches: if the user set any of them, the choice is theirs.
const USER_CHOICES: [&str; 3] =
    [NO_COMPOSITING, "WEBKIT_DISABLE_DMABUF_RENDERER", "WEBKIT_SKIA_ENABLE_CPU_RENDERING"];

/// Whether to turn compositing off: only when nobody chose already and there is no GPU.
pub fn wants_no_compositing(user_chose: bool, has_render_node: bool) -> bool {
    !user_chose && !has_render_node
}

#[cfg(target_os = "linux")]
fn has_render_node() -> bool {
    std::fs::read_dir("/dev/dri").is_ok_and(|entries| {
        entries.flatten().any(|e| e.file_name().to_string_lossy().starts_with("renderD"))
    })
}

/// Sets the environment for WebKit; call first thing in `main`.
#[cfg(target_os = "linux")]
// Setting an environment variable is unsound only while other threads read the environment;
// `main` calls this before any thread exists.
#[allow(unsafe_code)]
pub fn choose() {
    let user_chose = USER_CHOICES.iter().any(|v| std::env::var_os(v).is_some());
    if wants_no_compositing(user_chose, has_render_node()) {
        // SAFETY: single-threaded at this point (see above).
        unsafe { std::env::set_var(NO_COMPOSITING, "1") };
    }
}

#[cfg(not(target_os = "linux"))]
pub fn choose() {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compositing_goes_only_without_a_gpu_and_never_over_the_users_choice() {
        assert!(wants_no_compositing(false, false));
        assert!(!wants_no_compositing(false, true));
        assert!(!wants_no_compositing(true, false));
        assert!(!wants_no_compositing(true, true));
    }
}
