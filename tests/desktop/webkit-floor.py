#!/usr/bin/python3
"""What WebKitGTK itself costs: a blank page in a minimal GTK window, measured like the app.

`make bench-desktop` prints this next to the app's memory after opening 50 jobs, so the app's own
share can be told from the web engine's: PSS (shared pages counted once) of this process and
WebKit's processes, minus what Python with GTK held before the web view existed. Renderer as the
app chooses it (src-tauri/src/renderer.rs): no compositing when there is no GPU render node.
Needs python3-gi and gir1.2-webkit2-4.1 (Debian); run under a display (xvfb-run).
"""
import os
import re

if not any(n.startswith("renderD") for n in (os.listdir("/dev/dri") if os.path.isdir("/dev/dri") else [])):
    if not any(v in os.environ for v in ("WEBKIT_DISABLE_COMPOSITING_MODE", "WEBKIT_DISABLE_DMABUF_RENDERER")):
        os.environ["WEBKIT_DISABLE_COMPOSITING_MODE"] = "1"

import gi  # noqa: E402

gi.require_version("Gtk", "3.0")
gi.require_version("WebKit2", "4.1")
from gi.repository import GLib, Gtk  # noqa: E402


def pss_mb(pid):
    with open(f"/proc/{pid}/smaps_rollup") as f:
        return int(re.search(r"^Pss:\s+(\d+)", f.read(), re.M).group(1)) / 1024


def children(pid):
    out = []
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open(f"/proc/{d}/stat") as f:
                    stat = f.read()
                if int(stat[stat.rindex(")") + 2 :].split()[1]) == pid:
                    out.append(int(d))
            except OSError:
                pass
    return out


def comm(pid):
    with open(f"/proc/{pid}/comm") as f:
        return f.read().strip()


window = Gtk.Window()
window.set_default_size(1366, 768)
# Python and GTK with a window, before WebKit's library is loaded.
baseline = pss_mb(os.getpid())
from gi.repository import WebKit2  # noqa: E402

view = WebKit2.WebView()
window.add(view)
window.show_all()


def measure():
    own = pss_mb(os.getpid())
    procs = [(comm(p), pss_mb(p)) for p in children(os.getpid())]
    total = own + sum(v for _, v in procs)
    parts = ", ".join(f"{n} {v:.0f} MB" for n, v in [("window process", own)] + procs)
    print(f"blank WebKitGTK page: {total:.0f} MB PSS ({parts}); less Python and GTK's "
          f"{baseline:.0f} MB: {total - baseline:.0f} MB; renderer: "
          f"{'no compositing' if os.environ.get('WEBKIT_DISABLE_COMPOSITING_MODE') == '1' else 'default'}")
    Gtk.main_quit()
    return False


def loaded(_view, event):
    if event == WebKit2.LoadEvent.FINISHED:
        GLib.timeout_add_seconds(3, measure)


view.connect("load-changed", loaded)
view.load_html("<!doctype html><p>blank</p>", "about:blank")
Gtk.main()
