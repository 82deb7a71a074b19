import { EslEvent } from 'rxesl';

/** Small events for marble tests: name plus a few headers. */
export function ev(name: string, headers: Record<string, string> = {}): EslEvent {
  return new EslEvent({ 'Event-Name': name, ...headers });
}

export const A = 'aaaaaaaa-0000-4000-8000-000000000001';
export const B = 'bbbbbbbb-0000-4000-8000-000000000002';
