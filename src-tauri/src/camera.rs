//! The laptop camera for photos. The window's page asks for it with `getUserMedia`; on Linux
//! the WebKitGTK web view answers such a request only if the app handles WebKit's
//! `permission-request` signal (unhandled, WebKit denies it), so this module turns media
//! streams on and answers: the camera alone (video, no microphone, no screen) for the app's own
//! page; everything else WebKit asks about (location, notifications, microphone, screen,
//! device labels, …) is denied.
//!
//! `FIELDWORK_MOCK_CAMERA=1` swaps the real devices for WebKit's mock capture devices (a
//! synthetic picture), so the end-to-end test takes a real photo on a machine without a camera.
//! Windows and macOS web views ask the person themselves; nothing to do there.

/// The environment variable that turns on WebKit's synthetic camera (tests only).
pub const MOCK_CAMERA_ENV: &str = "FIELDWORK_MOCK_CAMERA";

/// The app's own page, the only one that may use the camera (the window loads no other).
const APP_ORIGINS: [&str; 2] = ["tauri://localhost", "http://tauri.localhost"];

/// What a permission request asks for, as far as the policy cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Ask {
    /// `getUserMedia`: which devices. (A screen capture, `getDisplayMedia`, asks for neither:
    /// WebKit reports it as a display request, which is not a video device request.)
    Media { video: bool, audio: bool },
    /// Anything else: geolocation, notifications, device labels, clipboard, …
    Other,
}

/// Whether a request is granted: a camera-only media request from the app's own page.
pub(crate) fn allows(ask: Ask, page_uri: Option<&str>) -> bool {
    let own_page = page_uri.is_some_and(|uri| {
        APP_ORIGINS.iter().any(|origin| {
            uri.strip_prefix(origin).is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
        })
    });
    own_page && ask == Ask::Media { video: true, audio: false }
}

/// Whether the mock camera was asked for: the variable set to `1`.
pub(crate) fn mock_requested(value: Option<&std::ffi::OsStr>) -> bool {
    value.is_some_and(|v| v == "1")
}

/// Turns on media streams in the window's web view, the mock camera if asked for, and the
/// permission policy above. Call once, when the window exists.
#[cfg(target_os = "linux")]
pub fn enable<R: tauri::Runtime>(window: &tauri::WebviewWindow<R>) -> tauri::Result<()> {
    use webkit2gtk::glib::Cast;
    use webkit2gtk::{
        PermissionRequestExt, SettingsExt, UserMediaPermissionRequest,
        UserMediaPermissionRequestExt, WebViewExt,
    };

    let mock = mock_requested(std::env::var_os(MOCK_CAMERA_ENV).as_deref());
    window.with_webview(move |platform| {
        let view = platform.inner();
        if let Some(settings) = WebViewExt::settings(&view) {
            settings.set_enable_media_stream(true);
            settings.set_enable_mock_capture_devices(mock);
        }
        view.connect_permission_request(|view, request| {
            let ask = match request.downcast_ref::<UserMediaPermissionRequest>() {
                Some(media) => Ask::Media {
                    video: media.is_for_video_device(),
                    audio: media.is_for_audio_device(),
                },
                None => Ask::Other,
            };
            if allows(ask, view.uri().as_deref()) {
                request.allow();
            } else {
                request.deny();
            }
            // Handled: WebKit must not fall back to its own default.
            true
        });
    })
}

/// Other platforms' web views ask the person for the camera themselves.
#[cfg(not(target_os = "linux"))]
pub fn enable<R: tauri::Runtime>(_window: &tauri::WebviewWindow<R>) -> tauri::Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: Option<&str> = Some("tauri://localhost/index.html#/job/1");
    const CAMERA: Ask = Ask::Media { video: true, audio: false };

    #[test]
    fn the_app_page_may_use_the_camera() {
        assert!(allows(CAMERA, PAGE));
        assert!(allows(CAMERA, Some("tauri://localhost")));
        assert!(allows(CAMERA, Some("http://tauri.localhost/")));
    }

    #[test]
    fn microphone_screen_and_other_permissions_are_denied() {
        for ask in [
            Ask::Media { video: true, audio: true },
            Ask::Media { video: false, audio: true },
            Ask::Media { video: false, audio: false },
            Ask::Other,
        ] {
            assert!(!allows(ask, PAGE), "{ask:?}");
        }
    }

    #[test]
    fn no_other_page_may_use_the_camera() {
        for uri in [
            None,
            Some(""),
            Some("https://example.com/"),
            Some("tauri://localhost.example.com/"),
            Some("http://tauri.localhost.evil/"),
            Some("about:blank"),
        ] {
            assert!(!allows(CAMERA, uri), "{uri:?}");
        }
    }

    #[test]
    fn the_mock_camera_is_on_only_when_the_variable_is_1() {
        use std::ffi::OsStr;
        assert!(mock_requested(Some(OsStr::new("1"))));
        for off in [None, Some(OsStr::new("")), Some(OsStr::new("0")), Some(OsStr::new("yes"))] {
            assert!(!mock_requested(off), "{off:?}");
        }
    }
}
