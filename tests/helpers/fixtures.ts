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

/** A fixture whose timestamps are moved to `atSeconds` (default: now), e.g. to be inside the 24-hour window. */
export function freshFixtureBytes(name: string, atSeconds = Math.floor(Date.now() / 1000)): Buffer {
  return Buffer.from(fixtureBytes(name).toString('utf8').replace(/"timestamp":"\d+"/g, `"timestamp":"${atSeconds}"`));
}
