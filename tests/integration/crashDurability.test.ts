import { randomUUID } from 'node:crypto';
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallName, CallOutput, Envelope } from '../../src/shared/api/contract';
import { openStore } from '../../src/main/services/store/openStore';
import {
  applyCommand,
  editContextFor,
  EMPTY_LABELS,
  type Command,
  type EditContext,
  type LabelsDocument,
} from '../../src/shared/domain/labels';
import { fixtureBatch, repoRoot, requireFixtures, tempDir } from './fixturePaths';
import { canonicalJson, editScript, seededRandom, type EditScript } from './labelEditScript';

/*
 * kill -9 the server at random moments while three editors (one per clip) save edits over real
 * HTTP, restart it on the same database, and check after every restart that each acknowledged
 * edit is there, that at most the one unacknowledged edit in flight per set was also committed,
 * and (at the end) that SQLite's integrity check passes.
 *
 * Every life is the real `framewise serve` (bin/framewise.mjs, the bundle built at install),
 * which starts in a few hundred ms, so the kills cost mostly restarts. The suite's 50 kills keep
 * `npm test` short; `npm run soak` runs the product's 200 (FRAMEWISE_CRASH_KILLS sets any count).
 */
const KILLS = killCount(process.env.FRAMEWISE_CRASH_KILLS, 50);
const SEED = 20261124;
const MAX_LIFE_MS = 120;
const CLIPS = ['cfr30.mp4', 'cfr60.mp4', 'ntsc2997.mp4'];

const bin = join(repoRoot, 'bin', 'framewise.mjs');

let dir: { path: string; remove: () => void };

beforeAll(() => {
  requireFixtures();
  dir = tempDir('crash');
});
afterAll(() => dir.remove());

type Server = { process: ChildProcess; url: string; token: string; exited: Promise<void> };

async function startServer(db: string): Promise<Server> {
  const child = spawn(process.execPath, [bin, 'serve', '--db', db], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const lines = createInterface({ input: child.stdout });
  const url = await new Promise<string>((resolveUrl, reject) => {
    lines.once('line', resolveUrl);
    child.once('exit', (code) =>
      reject(new Error(`server exited (${code}) before ready: ${stderr}`)),
    );
  });
  lines.close();
  const parsed = new URL(url);
  return {
    process: child,
    url: parsed.origin,
    token: parsed.searchParams.get('token') ?? '',
    exited,
  };
}

async function call<K extends CallName>(
  server: Server,
  name: K,
  input: unknown,
): Promise<Envelope<CallOutput<K>>> {
  const response = await fetch(`${server.url}/api/${name}`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${server.token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(input),
  });
  return (await response.json()) as Envelope<CallOutput<K>>;
}

async function value<K extends CallName>(
  server: Server,
  name: K,
  input: unknown,
): Promise<CallOutput<K>> {
  const envelope = await call(server, name, input);
  if (!envelope.ok) throw new Error(`${name}: ${envelope.error.code}: ${envelope.error.message}`);
  return envelope.value;
}

/** What the test knows about one set: the document after every acknowledged edit. */
type Editor = {
  setId: string;
  context: EditContext;
  script: EditScript;
  doc: LabelsDocument;
  seq: number;
  lastInverse: Command | null;
  /** Sent, not acknowledged: it may or may not have been committed before the kill. */
  inFlight: { command: Command; editId: string } | null;
  acked: number;
  committedUnacked: number;
};

/** Sends edits one after another until the server dies under it. */
async function edit(server: Server, editor: Editor, alive: () => boolean): Promise<void> {
  while (alive()) {
    const command = editor.script.next(editor.doc, editor.lastInverse);
    const editId = randomUUID();
    editor.inFlight = { command, editId };
    let envelope: Envelope<CallOutput<'applyLabelEdit'>>;
    try {
      envelope = await call(server, 'applyLabelEdit', {
        setId: editor.setId,
        command,
        expectedSeq: editor.seq,
        editId,
      });
    } catch {
      return; // The kill: the connection dropped with this edit unacknowledged.
    }
    if (!envelope.ok)
      throw new Error(`edit refused: ${envelope.error.code}: ${envelope.error.message}`);
    const applied = applyCommand(editor.doc, command, editor.context);
    if (!applied.ok)
      throw new Error(`the server saved an edit the model refuses: ${applied.error.message}`);
    expect(envelope.value.seq).toBe(editor.seq + 1);
    editor.doc = applied.doc;
    editor.seq = envelope.value.seq;
    editor.lastInverse = applied.inverse;
    editor.inFlight = null;
    editor.acked++;
  }
}

/**
 * After a restart: the server has every acknowledged edit, plus at most the one in flight. The
 * client then resends the one in flight with its edit id, as the app's save queue does: it is
 * saved exactly once whether or not the kill came after its commit.
 */
async function verify(server: Server, editor: Editor): Promise<void> {
  const saved = await value(server, 'loadLabels', { setId: editor.setId });
  const inFlight = editor.inFlight;
  expect([editor.seq, editor.seq + 1]).toContain(saved.seq);
  if (saved.seq === editor.seq + 1) editor.committedUnacked++;
  else expect(canonicalJson(saved.doc)).toBe(canonicalJson(editor.doc));
  if (inFlight) {
    const resent = await value(server, 'applyLabelEdit', {
      setId: editor.setId,
      command: inFlight.command,
      expectedSeq: editor.seq,
      editId: inFlight.editId,
    });
    expect(resent.seq).toBe(editor.seq + 1);
    const applied = applyCommand(editor.doc, inFlight.command, editor.context);
    if (!applied.ok) throw new Error('a refused edit was committed');
    editor.doc = applied.doc;
    editor.seq = resent.seq;
    editor.lastInverse = applied.inverse;
    editor.inFlight = null;
    editor.acked++;
  }
  const after = await value(server, 'loadLabels', { setId: editor.setId });
  expect(after.seq).toBe(editor.seq);
  expect(canonicalJson(after.doc)).toBe(canonicalJson(editor.doc));
}

describe('crash durability', () => {
  it(`keeps every acknowledged edit through ${KILLS} kill -9s of the server mid-session`, async () => {
    const started = performance.now();
    const db = join(dir.path, 'framewise.sqlite');
    const random = seededRandom(SEED);

    const clips = join(dir.path, 'clips');
    mkdirSync(clips);
    for (const name of CLIPS) copyFileSync(join(fixtureBatch, name), join(clips, name));

    let server = await startServer(db);
    const report = await value(server, 'importBatch', { folder: clips });
    const project = await value(server, 'getProject', {});
    const editors: Editor[] = [];
    for (const [index, name] of CLIPS.entries()) {
      const clipId = report.files.find((f) => f.relativePath === name && f.status === 'ok');
      if (!clipId || clipId.status !== 'ok') throw new Error(`${name} did not import`);
      const clip = await value(server, 'getClip', { clipId: clipId.clipId });
      const set = await value(server, 'openAnnotationSet', { clipId: clip.id });
      expect(set).toMatchObject({ seq: 0, status: 'in_progress' });
      editors.push({
        setId: set.id,
        context: editContextFor(project.schema, clip.frameCount),
        script: editScript(SEED + index, clip.frameCount),
        doc: EMPTY_LABELS,
        seq: 0,
        lastInverse: null,
        inFlight: null,
        acked: 0,
        committedUnacked: 0,
      });
    }

    let kills = 0;
    let startupMs = 0;
    let verifications = 0;
    let verifyMs = 0;
    while (kills < KILLS) {
      let alive = true;
      const sessions = editors.map((editor) => edit(server, editor, () => alive));
      await new Promise((wake) => setTimeout(wake, random() * MAX_LIFE_MS));
      alive = false;
      server.process.kill('SIGKILL');
      kills++;
      await server.exited;
      await Promise.all(sessions);

      const restartAt = performance.now();
      server = await startServer(db);
      startupMs += performance.now() - restartAt;
      const verifyAt = performance.now();
      await Promise.all(editors.map((editor) => verify(server, editor)));
      verifyMs += performance.now() - verifyAt;
      verifications += editors.length;
    }

    // A stale edit is refused, not applied over newer labels.
    const editor = editors[0];
    if (!editor) throw new Error('no editor');
    const stale = await call(server, 'applyLabelEdit', {
      setId: editor.setId,
      command: editor.script.next(editor.doc, null),
      expectedSeq: editor.seq - 1,
    });
    expect(stale).toMatchObject({ ok: false, error: { code: 'STALE_EDIT' } });

    server.process.kill('SIGKILL');
    await server.exited;

    const raw = new Database(db, { readonly: true });
    try {
      expect(raw.pragma('integrity_check', { simple: true })).toBe('ok');
      for (const e of editors) {
        const logged = raw
          .prepare('SELECT count(*) FROM label_commands WHERE set_id = ?')
          .pluck()
          .get(e.setId);
        expect(logged).toBe(e.seq);
      }
    } finally {
      raw.close();
    }
    const store = openStore(db, { readonly: true });
    try {
      for (const e of editors) {
        expect(canonicalJson(store.labels.loadLabels(e.setId).doc)).toBe(canonicalJson(e.doc));
      }
    } finally {
      store.close();
    }

    const acked = editors.reduce((sum, e) => sum + e.acked, 0);
    const committedUnacked = editors.reduce((sum, e) => sum + e.committedUnacked, 0);
    const seconds = (performance.now() - started) / 1000;
    console.log(
      `crash durability: ${kills} kill -9s, ${acked} acknowledged edits all verified ` +
        `(${verifications} set checks), ${committedUnacked} in-flight edits found committed ` +
        `and recognised by edit id on resend, ` +
        `final seqs ${editors.map((e) => e.seq).join('/')}, mean restart ` +
        `${(startupMs / kills).toFixed(0)} ms, mean check ${(verifyMs / kills).toFixed(0)} ms, ${seconds.toFixed(1)} s in all`,
    );
    expect(acked).toBeGreaterThan(KILLS);
  }, 1_200_000);
});

function killCount(text: string | undefined, fallback: number): number {
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) {
    throw new Error(
      `FRAMEWISE_CRASH_KILLS must be a positive integer, not ${JSON.stringify(text)}`,
    );
  }
  return value;
}
