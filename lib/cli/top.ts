/**
 * The live view on a terminal: a connection of its own subscribed to every event (so the
 * prompt's subscriptions are left as they were), `show channels as json` at start and every
 * few seconds, and the screen redrawn each second. On a terminal it takes the alternate
 * screen, as top does; elsewhere it prints one frame after another.
 */
import readline from 'node:readline';
import { firstValueFrom } from 'rxjs';
import type { EslConnection } from '../connection/esl-connection.js';
import { clockTime } from './format.js';
import type { Palette } from './palette.js';
import { TopModel, parseShowChannels, renderTop } from './top-model.js';

/** Where the view is drawn. */
export interface TopScreen {
  write(text: string): void;
  /** A terminal: full-screen redraws. Otherwise frames are printed one after another. */
  readonly tty: boolean;
  size(): { columns: number; rows: number };
}

export interface TopRunOptions {
  /** A connection for the view alone; it is subscribed to ALL. */
  conn: EslConnection;
  screen: TopScreen;
  palette: Palette;
  /** Start of the title line. */
  title: string;
  /** Resolves when the user quits (q, Ctrl-C). */
  quit: Promise<unknown>;
  /** Redraw period, ms. Default 1000. */
  intervalMs?: number;
  /** Ask `show channels` again every this many redraws. Default 5. */
  resyncEvery?: number;
}

/** A terminal's input, read key by key while the view runs. */
export interface QuitKeysInput extends NodeJS.ReadableStream {
  setRawMode?(mode: boolean): unknown;
}

/**
 * Raw mode on a terminal's input, and `onQuit` on q, Esc or Ctrl-C (in raw mode Ctrl-C is a
 * key, not a SIGINT). Returns what stops listening and leaves raw mode.
 */
export function onQuitKeys(input: QuitKeysInput, onQuit: () => void): () => void {
  readline.emitKeypressEvents(input);
  input.setRawMode?.(true);
  input.resume();
  const onKey = (_s: string | undefined, key: { name?: string; ctrl?: boolean } | undefined): void => {
    if (key?.name === 'q' || key?.name === 'escape' || (key?.ctrl === true && key.name === 'c')) onQuit();
  };
  input.on('keypress', onKey);
  return () => {
    input.off('keypress', onKey);
    input.setRawMode?.(false);
  };
}

// The alternate screen (xterm's 1049), the cursor hidden, home, clear to end of line/screen.
const ENTER = '\x1b[?1049h\x1b[?25l';
const LEAVE = '\x1b[?25h\x1b[?1049l';
const HOME = '\x1b[H';
const EOL = '\x1b[K';
const EOS = '\x1b[J';

/**
 * Runs the view until `quit` resolves or the connection closes. Rejects only when the view
 * cannot start (FreeSWITCH refuses `event plain ALL`).
 */
export async function runTop(o: TopRunOptions): Promise<void> {
  const { conn, screen } = o;
  const model = new TopModel(Date.now());
  const sub = conn.events$.subscribe((e) => model.onEvent(e, Date.now()));
  try {
    await firstValueFrom(conn.events('plain', 'ALL'));
  } catch (err) {
    sub.unsubscribe();
    throw err;
  }
  const resync = async (): Promise<void> => {
    const askedAt = Date.now();
    try {
      const res = await firstValueFrom(conn.api('show', 'channels as json', { failOnError: false, timeout: 5000 }));
      const rows = parseShowChannels(res.body);
      if (rows) model.reconcile(rows, askedAt);
    } catch {
      // The view goes on from events alone; a closed connection ends it below.
    }
  };
  await resync();

  const draw = (): void => {
    const now = Date.now();
    model.sample(now);
    const { columns, rows } = screen.size();
    const lines = renderTop(model.view(now), {
      width: columns,
      height: screen.tty ? rows : Infinity,
      palette: o.palette,
      title: o.title,
      clock: clockTime(new Date(now)).slice(0, 8),
    });
    screen.write(screen.tty ? `${HOME}${lines.map((l) => `${l}${EOL}`).join('\n')}${EOS}` : `${lines.join('\n')}\n\n`);
  };

  if (screen.tty) screen.write(ENTER);
  let ticks = 0;
  const every = o.resyncEvery ?? 5;
  const timer = setInterval(() => {
    ticks++;
    draw();
    if (ticks % every === 0) void resync();
  }, o.intervalMs ?? 1000);
  try {
    draw();
    await Promise.race([o.quit, conn.closed]);
  } finally {
    clearInterval(timer);
    sub.unsubscribe();
    if (screen.tty) screen.write(LEAVE);
  }
}
