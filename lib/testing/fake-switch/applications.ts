/**
 * The application table (switch_loadable_module's application interfaces): the channel's
 * session thread looks names up here, case-insensitively. The built-in applications
 * (apps-control.ts) and the users' (`fake.app(name, handler)`) are registered in it.
 */
import type { AppEntry, AppHandler } from './channel.js';

/** How an application is registered. */
export interface AppOptions {
  /** Needs media: an inbound channel that is neither answered nor early is pre-answered first (FreeSWITCH does this). */
  media?: boolean;
}

export class AppRegistry {
  #apps = new Map<string, AppEntry>();

  register(name: string, run: AppHandler, options: AppOptions = {}): void {
    this.#apps.set(name.toLowerCase(), { run, media: options.media ?? false });
  }

  get(name: string): AppEntry | undefined {
    return this.#apps.get(name.toLowerCase());
  }

  names(): string[] {
    return [...this.#apps.keys()].sort();
  }
}
