// A small W3C WebDriver client over fetch: just what the desktop e2e test needs.
// No dependencies; talks to tauri-driver (which forwards to WebKitWebDriver on Linux).

import { FBDIR, captureScreen } from './xscreen.mjs';

const ELEMENT = 'element-6066-11e4-a52e-4f735466cecf';

export class WebDriverError extends Error {
  constructor(method, path, status, value) {
    super(`${method} ${path} -> HTTP ${status}: ${value?.error ?? ''} ${value?.message ?? JSON.stringify(value)}`);
    this.status = status;
    this.error = value?.error;
  }
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function request(base, method, path, body) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json; charset=utf-8' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let json;
  try {
    json = text === '' ? {} : JSON.parse(text);
  } catch {
    throw new WebDriverError(method, path, res.status, { message: text.slice(0, 500) });
  }
  if (!res.ok || (json.value && typeof json.value === 'object' && json.value.error)) {
    throw new WebDriverError(method, path, res.status, json.value);
  }
  return json.value;
}

/** Wait until the driver answers /status (it takes a moment to start). */
export async function waitForDriver(base, timeout = 20_000) {
  const end = Date.now() + timeout;
  let last;
  while (Date.now() < end) {
    try {
      await request(base, 'GET', '/status');
      return;
    } catch (e) {
      last = e;
      await sleep(200);
    }
  }
  throw new Error(`WebDriver at ${base} did not come up in ${timeout} ms: ${last?.message}`);
}

export class Session {
  constructor(base, id) {
    this.base = base;
    this.id = id;
  }

  static async create(base, capabilities) {
    const value = await request(base, 'POST', '/session', { capabilities });
    return new Session(base, value.sessionId);
  }

  cmd(method, path, body) {
    return request(this.base, method, `/session/${this.id}${path}`, body);
  }

  async delete() {
    await this.cmd('DELETE', '');
  }

  url() {
    return this.cmd('GET', '/url');
  }

  navigate(url) {
    return this.cmd('POST', '/url', { url });
  }

  /** Go to a hash route inside the app, e.g. '#/today' (no page reload). */
  async hash(route) {
    await this.execute('window.location.hash = arguments[0];', [route]);
  }

  execute(script, args = []) {
    return this.cmd('POST', '/execute/sync', { script, args });
  }

  /** Runs an async script: its last argument is the callback that returns the result. */
  executeAsync(script, args = []) {
    return this.cmd('POST', '/execute/async', { script, args });
  }

  /** W3C actions (pointer, key, wheel), then releases everything pressed. */
  async actions(actions) {
    await this.cmd('POST', '/actions', { actions });
    await this.cmd('DELETE', '/actions');
  }

  async setTimeouts(timeouts) {
    return this.cmd('POST', '/timeouts', timeouts);
  }

  async find(css) {
    const v = await this.cmd('POST', '/element', { using: 'css selector', value: css });
    return new Element(this, v[ELEMENT]);
  }

  async findAll(css) {
    const vs = await this.cmd('POST', '/elements', { using: 'css selector', value: css });
    return vs.map((v) => new Element(this, v[ELEMENT]));
  }

  /** Poll until `css` matches a (by default displayed) element; returns it. */
  async waitFor(css, { timeout = 10_000, visible = true } = {}) {
    const end = Date.now() + timeout;
    let last = 'no match';
    for (;;) {
      try {
        const els = await this.findAll(css);
        for (const el of els) {
          if (!visible || (await el.displayed())) return el;
        }
        last = els.length ? `${els.length} match(es), none displayed` : 'no match';
      } catch (e) {
        last = e.message; // stale elements while the UI re-renders
      }
      if (Date.now() > end) throw new Error(`waitFor(${css}) timed out after ${timeout} ms: ${last}`);
      await sleep(100);
    }
  }

  /** Poll until `fn` returns a truthy value; returns it. */
  async until(what, fn, timeout = 10_000) {
    const end = Date.now() + timeout;
    let last;
    for (;;) {
      try {
        const v = await fn();
        if (v) return v;
        last = v;
      } catch (e) {
        last = e.message;
      }
      if (Date.now() > end) throw new Error(`until(${what}) timed out after ${timeout} ms (last: ${JSON.stringify(last)})`);
      await sleep(100);
    }
  }

  /**
   * The window as a PNG (Buffer). Under tests/desktop/run.sh it is cut from the X server's
   * screen (see xscreen.mjs) after the window had a moment to show its last frame; otherwise it
   * is WebDriver's screenshot of the page.
   */
  async screenshot() {
    if (FBDIR) {
      await sleep(150);
      return captureScreen(await this.cmd('GET', '/window/rect'));
    }
    return Buffer.from(await this.cmd('GET', '/screenshot'), 'base64');
  }

  async setWindowRect(rect) {
    return this.cmd('POST', '/window/rect', rect);
  }
}

export class Element {
  constructor(session, id) {
    this.s = session;
    this.id = id;
  }

  cmd(method, path, body) {
    return this.s.cmd(method, `/element/${this.id}${path}`, body);
  }

  /** Scrolls the element to the middle of the window, then clicks it. WebKitWebDriver does not
   * always scroll an element below the fold into view before deciding it is not interactable. */
  async click() {
    await this.scrollIntoView();
    return this.cmd('POST', '/click', {});
  }

  scrollIntoView() {
    return this.s.execute('arguments[0].scrollIntoView({ block: "center", inline: "nearest" });', [this.ref()]);
  }

  clear() {
    return this.cmd('POST', '/clear', {});
  }

  sendKeys(text) {
    return this.cmd('POST', '/value', { text });
  }

  text() {
    return this.cmd('GET', '/text');
  }

  attribute(name) {
    return this.cmd('GET', `/attribute/${encodeURIComponent(name)}`);
  }

  property(name) {
    return this.cmd('GET', `/property/${encodeURIComponent(name)}`);
  }

  displayed() {
    return this.cmd('GET', '/displayed');
  }

  enabled() {
    return this.cmd('GET', '/enabled');
  }

  selected() {
    return this.cmd('GET', '/selected');
  }

  /** A descendant by CSS, or by XPath with find('xpath', expr). */
  async find(cssOrUsing, xpath) {
    const [using, value] = xpath === undefined ? ['css selector', cssOrUsing] : [cssOrUsing, xpath];
    const v = await this.cmd('POST', '/element', { using, value });
    return new Element(this.s, v[ELEMENT]);
  }

  async findAll(css) {
    const vs = await this.cmd('POST', '/elements', { using: 'css selector', value: css });
    return vs.map((v) => new Element(this.s, v[ELEMENT]));
  }

  /** The element as a WebDriver script argument. */
  ref() {
    return { [ELEMENT]: this.id };
  }
}
