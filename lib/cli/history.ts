/**
 * The prompt's history on disk, like fs_cli's ~/.fs_cli_history: one command a line, oldest
 * first. readline keeps it newest first.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

export const HISTORY_SIZE = 1000;

/** The history file: the option (or RXESL_HISTORY) if given, '' meaning none; else ~/.rxesl_history. */
export function historyPath(option: string | undefined): string | undefined {
  if (option !== undefined) return option === '' ? undefined : option;
  return join(homedir(), '.rxesl_history');
}

/** The saved history, newest first (readline's order); empty when there is none. */
export function loadHistory(path: string | undefined): string[] {
  if (!path) return [];
  try {
    return readFileSync(path, 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== '')
      .slice(-HISTORY_SIZE)
      .reverse();
  } catch {
    return [];
  }
}

/** Writes the history (newest first, as readline has it). A history that cannot be written is not worth an error. */
export function saveHistory(path: string | undefined, history: readonly string[]): void {
  if (!path) return;
  try {
    mkdirSync(dirname(path), { recursive: true });
    const lines = history.slice(0, HISTORY_SIZE).reverse();
    writeFileSync(path, lines.length > 0 ? `${lines.join('\n')}\n` : '', { mode: 0o600 });
  } catch {
    // A read-only home, a full disk: the console still works.
  }
}
