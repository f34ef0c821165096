// The real head office for the console's end-to-end test: the `fieldwork-headoffice` binary on a
// free loopback port, in a temporary data folder seeded with `seed --demo`, serving the built
// console from ui/dist-dispatch. Also a technician's device speaking the sync API over HTTP,
// standing in for the desktop app's sync engine.
import { spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '..', '..');

/** The binary `make e2e-dispatch` builds (honours CARGO_TARGET_DIR like cargo does). */
export function headOfficeBinary() {
  const target = process.env.CARGO_TARGET_DIR || join(ROOT, 'target');
  const bin = process.env.FIELDWORK_HEADOFFICE_BIN || join(target, 'debug', 'fieldwork-headoffice');
  if (!existsSync(bin)) throw new Error(`${bin} is missing: run make e2e-dispatch`);
  return bin;
}

async function freePort() {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.once('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
  });
}

/**
 * Starts a seeded head office (`jobs` demo jobs; `prepare(bin, dataDir)` runs before it serves);
 * `stop()` ends it and removes its folder.
 */
export async function startHeadOffice({ jobs = 24, prepare = null } = {}) {
  const bin = headOfficeBinary();
  const uiDir = join(ROOT, 'ui', 'dist-dispatch');
  if (!existsSync(join(uiDir, 'index.html'))) throw new Error(`${uiDir} is not built: run make ui-build`);
  const dataDir = mkdtempSync(join(tmpdir(), 'fieldwork-dispatch-e2e-'));
  const seeded = spawnSync(bin, ['--data-dir', dataDir, 'seed', '--demo', '--jobs', String(jobs)], {
    encoding: 'utf8',
  });
  if (seeded.status !== 0) throw new Error(`seed failed: ${seeded.stderr}`);
  if (prepare) await prepare(bin, dataDir);
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  let log = '';
  let child = null;
  const serve = async () => {
    child = spawn(
      bin,
      ['--data-dir', dataDir, 'serve', '--listen', `127.0.0.1:${port}`, '--ui-dir', uiDir],
      { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, RUST_LOG: 'warn' } },
    );
    child.stderr.on('data', (d) => (log += d));
    const deadline = Date.now() + 20_000;
    for (;;) {
      try {
        const r = await fetch(`${base}/healthz`);
        if (r.ok) break;
      } catch {
        // not listening yet
      }
      if (child.exitCode !== null) throw new Error(`head office exited: ${log}`);
      if (Date.now() > deadline) throw new Error(`head office did not start: ${log}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  const halt = async () => {
    if (child === null) return;
    const c = child;
    child = null;
    c.kill('SIGTERM');
    await new Promise((r) => (c.exitCode !== null ? r() : c.once('exit', r)));
  };
  await serve();
  return {
    base,
    log: () => log,
    /** Stops serving but keeps the data: `start()` serves it again on the same port. */
    pause: halt,
    start: serve,
    async stop() {
      await halt();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

const sha256 = async (bytes) =>
  Buffer.from(await crypto.subtle.digest('SHA-256', bytes)).toString('hex');

/** A technician's laptop: signs in, numbers its changes and pushes them like the sync engine. */
export class Device {
  static async signIn(base, user, password) {
    const r = await fetch(`${base}/api/v1/auth/device`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ user, password, device_name: `${user}'s laptop` }),
    });
    if (!r.ok) throw new Error(`device sign-in: ${r.status} ${await r.text()}`);
    const d = await r.json();
    return new Device(base, d, user);
  }

  constructor(base, signedIn, user) {
    this.base = base;
    this.user = user;
    this.token = signedIn.token;
    this.deviceId = signedIn.device_id;
    this.technicianId = signedIn.technician_id;
    this.name = signedIn.technician_name;
    this.seq = 0;
    this.logical = 0;
  }

  hlc() {
    this.logical += 1;
    return `${String(Date.now()).padStart(18, '0')}-${String(this.logical).padStart(5, '0')}-${this.deviceId}`;
  }

  /** Pushes `mutations` in order; every one must be applied. */
  async push(mutations) {
    const entries = mutations.map((mutation) => ({
      seq: ++this.seq,
      mutation_id: randomUUID(),
      device_id: this.deviceId,
      hlc: this.hlc(),
      mutation,
      created_at: new Date().toISOString(),
    }));
    const r = await fetch(`${this.base}/api/v1/sync/push`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${this.token}` },
      body: JSON.stringify({ device_id: this.deviceId, entries }),
    });
    const body = await r.json();
    if (!r.ok) throw new Error(`push: ${r.status} ${JSON.stringify(body)}`);
    const refused = body.results.filter((x) => x.outcome !== 'applied');
    if (refused.length > 0) throw new Error(`push not applied: ${JSON.stringify(refused)}`);
    return body;
  }

  /** Uploads a blob in one chunk; returns its SHA-256. */
  async upload(bytes) {
    const sha = await sha256(bytes);
    const r = await fetch(`${this.base}/api/v1/blobs/${sha}`, {
      method: 'PATCH',
      headers: {
        authorization: `Bearer ${this.token}`,
        'upload-offset': '0',
        'upload-length': String(bytes.length),
        'content-type': 'application/offset+octet-stream',
      },
      body: bytes,
    });
    if (!r.ok) throw new Error(`upload: ${r.status} ${await r.text()}`);
    return sha;
  }

  status(jobId, from, to, reason = null) {
    return {
      type: 'status_changed',
      job_id: jobId,
      change_id: randomUUID(),
      from,
      to,
      reason,
      at: new Date().toISOString(),
    };
  }

  note(jobId, body) {
    return {
      type: 'note_added',
      note: { id: randomUUID(), job_id: jobId, author: this.name, body, created_at: new Date().toISOString() },
    };
  }

  field(jobId, field, value) {
    return { type: 'field_set', job_id: jobId, field, value };
  }

  answer(jobId, item) {
    const value =
      item.kind === 'checkbox'
        ? { kind: 'checkbox', value: true }
        : item.kind === 'number'
          ? { kind: 'number', value: 230 }
          : item.kind === 'choice'
            ? { kind: 'choice', value: item.options[0] }
            : { kind: 'text', value: 'checked' };
    return {
      type: 'checklist_answered',
      job_id: jobId,
      item_key: item.key,
      value,
      at: new Date().toISOString(),
    };
  }

  part(jobId, partNo, description, quantity, unitPriceCents, chargeable) {
    return {
      type: 'part_added',
      part: {
        id: randomUUID(),
        job_id: jobId,
        part_no: partNo,
        description,
        quantity,
        unit_price_cents: unitPriceCents,
        chargeable,
        from_catalogue: false,
        line_total_cents: Math.round(quantity * unitPriceCents),
        created_at: new Date().toISOString(),
      },
    };
  }

  /** A time entry `minutes` long that ended `endedAgo` minutes ago. */
  time(jobId, kind, minutes, endedAgo, supersedes = null) {
    const end = new Date(Date.now() - endedAgo * 60_000);
    return {
      type: 'time_entry_added',
      entry: {
        id: randomUUID(),
        job_id: jobId,
        kind,
        started_at: new Date(end.getTime() - minutes * 60_000).toISOString(),
        ended_at: end.toISOString(),
        minutes,
        source: supersedes ? 'manual' : 'derived',
        supersedes,
        created_at: new Date().toISOString(),
      },
    };
  }

  feedback(jobId, rating, comment) {
    return {
      type: 'feedback_given',
      feedback: { id: randomUUID(), job_id: jobId, rating, comment, created_at: new Date().toISOString() },
    };
  }

  async photo(jobId, kind, jpeg, thumb, caption) {
    const m = {
      type: 'photo_added',
      photo: {
        id: randomUUID(),
        job_id: jobId,
        kind,
        caption,
        sha256: await sha256(jpeg),
        thumb_sha256: await sha256(thumb),
        width: 640,
        height: 480,
        bytes: jpeg.length,
        taken_at: null,
        created_at: new Date().toISOString(),
      },
    };
    return m;
  }

  async signature(jobId, signer, png) {
    return {
      type: 'signature_added',
      job_id: jobId,
      signature_id: randomUUID(),
      signer_name: signer,
      statement: 'The work described was carried out and explained to me.',
      signed_at: new Date().toISOString(),
      // Not the hash of the job's facts: head office shows it as "changed after signing".
      summary_sha256: await sha256(Buffer.from('facts at another time')),
      png_sha256: await sha256(png),
      strokes: null,
    };
  }
}
