import { readFileSync } from 'node:fs';
import path from 'node:path';

const FIXTURES = path.join(import.meta.dirname, '..', 'fixtures', 'whatsapp');

/** The exact bytes of a stored webhook fixture (as Meta would send them). */
export function fixtureBytes(name: string): Buffer {
  return readFileSync(path.join(FIXTURES, `${name}.json`));
}

/** A webhook fixture, parsed. */
export function fixture(name: string): unknown {
  return JSON.parse(fixtureBytes(name).toString('utf8'));
}
