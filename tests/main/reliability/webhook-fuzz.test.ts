import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture } from '../../helpers/fixtures';
import { MAX_WEBHOOK_BYTES } from '../../../main/gateway/webhook-route';
import { postSignedWebhook, startTestGateway } from '../../helpers/test-gateway';
import { inboundText } from '../../helpers/webhook-bodies';

let gateway: Awaited<ReturnType<typeof startTestGateway>>;
beforeAll(async () => {
  gateway = await startTestGateway();
});
afterAll(() => gateway.stop());

const SEEDS = ['all-inbound-types', 'batch-two-entries', 'echo-text', 'edit-text', 'reaction-add', 'revoke', 'status-failed', 'bsuid-only-text', 'unsupported-message'];

type Path = (string | number)[];

// Every place in a JSON value, the root excluded: each is a candidate for a poisoned value.
function pathsOf(value: unknown, prefix: Path = []): Path[] {
  if (typeof value !== 'object' || value === null) return [];
  const entries: [string | number, unknown][] = Array.isArray(value) ? value.map((item, index) => [index, item]) : Object.entries(value);
  return entries.flatMap(([key, child]) => [[...prefix, key], ...pathsOf(child, [...prefix, key])]);
}

function replaceAt(value: unknown, path: Path, replacement: unknown): unknown {
  const [head, ...rest] = path;
  if (head === undefined) return replacement;
  const copy = (Array.isArray(value) ? [...value] : { ...(value as Record<string, unknown>) }) as Record<string | number, unknown>;
  copy[head] = replaceAt(copy[head], rest, replacement);
  return copy;
}

function nested(depth: number): unknown {
  let value: unknown = 'bottom';
  for (let level = 0; level < depth; level += 1) value = level % 2 === 0 ? [value] : { deeper: value };
  return value;
}

// What a hostile or broken sender puts where a field should be.
const poison = fc.oneof(
  fc.constant(null),
  fc.constantFrom(0, -1, -0, 1e308, -1e308, Number.MAX_SAFE_INTEGER, 2 ** 64, 1e-300, 0.5, 253_402_300_800),
  fc.constantFrom('', ' ', '99999999999999999', '-1', 'NaN', '1e308', '\u0000', '💥'.repeat(1000), 'x'.repeat(200_000)),
  fc.constantFrom(true, false, [], {}, [null], { id: null }),
  // Built when used (see `mutate`): fast-check could not print a 2,000-deep counterexample.
  fc.constantFrom({ nestedDepth: 50 }, { nestedDepth: 2_000 }),
  fc.jsonValue({ maxDepth: 3 }),
);

// Fields the gateway reads: a targeted mutation hits one of these rather than any place at all.
const READ_FIELDS = new Set(['timestamp', 'id', 'from', 'to', 'type', 'status', 'wa_id', 'user_id', 'message_id', 'original_message_id', 'phone_number_id', 'body', 'caption', 'emoji', 'latitude', 'longitude', 'errors', 'code', 'context', 'profile', 'name', 'messages', 'statuses', 'message_echoes', 'contacts', 'changes', 'entry', 'value', 'metadata', 'field', 'object']);

const mutation = fc.record({ seed: fc.constantFrom(...SEEDS), at: fc.nat(), replacement: poison, times: fc.integer({ min: 1, max: 3 }), targeted: fc.boolean() });

function mutate({ seed, at, replacement: poisoned, times, targeted }: { seed: string; at: number; replacement: unknown; times: number; targeted: boolean }): unknown {
  const depth = (poisoned as { nestedDepth?: unknown } | null)?.nestedDepth;
  const replacement = typeof depth === 'number' ? nested(depth) : poisoned;
  let body = fixture(seed);
  // Paths of the unpoisoned fixture: a later mutation may land inside an earlier one's value.
  const all = pathsOf(body);
  const paths = targeted ? all.filter((path) => READ_FIELDS.has(String(path.at(-1)))) : all;
  for (let n = 0; n < times; n += 1) {
    const path = paths[(at + n * 7) % paths.length];
    if (path) body = replaceAt(body, path, replacement);
  }
  return body;
}

let run = 0;
let posted = 0;
let oversized = 0;

describe('signed, mutated payloads through the real HTTP path', () => {
  it('never answers 5xx, and always stores the valid deliveries sent in the same group', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(mutation, { minLength: 1, maxLength: 8 }), async (mutations) => {
        run += 1;
        const valid = Array.from({ length: 4 }, (_, n) => inboundText({ wamid: `wamid.FUZZ_OK_${run}_${n}`, from: `3462${run}${n}` }));
        const bodies = [...mutations.map(mutate), ...valid];
        // All at once, so they share group commits with the valid ones.
        const statuses = await Promise.all(bodies.map(async (body) => (await postSignedWebhook(gateway.url, body)).status));
        posted += bodies.length;
        expect(statuses.filter((status) => status >= 500)).toEqual([]);
        // Every delivery is accepted, but one that a mutation made larger than Meta's limit: 413.
        const expected = bodies.map((body) => (Buffer.byteLength(JSON.stringify(body)) > MAX_WEBHOOK_BYTES ? 413 : 200));
        expect(statuses).toEqual(expected);
        oversized += expected.filter((status) => status === 413).length;
        await gateway.processed();
        for (const body of valid) {
          const wamid = ((body.entry as { changes: { value: { messages: { id: string }[] } }[] }[])[0]?.changes[0]?.value.messages[0]?.id) ?? '';
          expect(gateway.store.messages.findByWamid(wamid)).toBeDefined();
        }
      }),
      { numRuns: 150 },
    );
    const outcomes = gateway.store.db.prepare('SELECT outcome, count(*) AS n FROM webhook_log GROUP BY outcome ORDER BY outcome').all();
    console.info(`webhook fuzz: ${posted} signed deliveries in ${run} concurrent groups (${oversized} over 3 MB, refused 413); outcomes ${JSON.stringify(outcomes)}`);
    expect(posted).toBeGreaterThan(600);
  }, 120_000);

  it('stores every message whatever its timestamp holds: any number, any string, or none', async () => {
    const anyTimestamp = fc.oneof(
      fc.double(),
      fc.integer(),
      fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }).map(String),
      fc.double().map(String),
      fc.string(),
      fc.constantFrom(undefined, null, true, [], {}),
    );
    let group = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(anyTimestamp, { minLength: 1, maxLength: 10 }), async (timestamps) => {
        group += 1;
        const bodies = timestamps.map((timestamp, n) => inboundText({ wamid: `wamid.TS_${group}_${n}`, timestamp, from: `3463${group}${n}` }));
        const statuses = await Promise.all(bodies.map(async (body) => (await postSignedWebhook(gateway.url, body)).status));
        expect(statuses.filter((status) => status !== 200)).toEqual([]);
        await gateway.processed();
        for (let n = 0; n < timestamps.length; n += 1) {
          const message = gateway.store.messages.findByWamid(`wamid.TS_${group}_${n}`);
          expect(message).toBeDefined();
          expect(Number.isNaN(Date.parse(message?.timestamp ?? ''))).toBe(false);
        }
      }),
      { numRuns: 100 },
    );
  }, 120_000);
});
