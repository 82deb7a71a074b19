/**
 * vitest globalSetup of the `nats` project: makes sure nats-server is there (installing it as
 * root with apt-get) before any NATS test starts, once per run, and hands its path to the
 * tests (`inject('natsServer')`).
 */
import type { TestProject } from 'vitest/node';
import { ensureNatsServer } from './helpers/install';

declare module 'vitest' {
  export interface ProvidedContext {
    natsServer: string;
  }
}

export default function setup(project: TestProject): void {
  project.provide('natsServer', ensureNatsServer());
}
