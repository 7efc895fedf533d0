import { fail, ok, type Result, type SearchHit, type SearchPage, type ValidOperationRequest } from '../../shared/contract';
import type { Store } from '../store';
import { searchKeyBase } from '../store/migrations';
import { decodeCursor, encodeCursor, type MessageCursor } from '../store/message-repo';
import type { KeyRange, SearchRow, TailRow } from '../store/search-repo';
import { containsAll, snippetOf } from './search-text';

/** Index rows per round trip, and at most per call: a call never holds the thread long. */
const BATCH = 200;
const INDEX_BUDGET = 20_000;
/** Messages read and checked directly per round trip, and at most per call (about 10 ms). */
const SCAN_BATCH = 500;
const SCAN_BUDGET = 5_000;

/** Rows read at a time once some of the page is filled (filters may drop some). */
const MIN_ROWS_READ = 20;

/** The trigram index cannot look up anything shorter than three characters. */
const MIN_INDEXED_LENGTH = 3;

const MEDIA_TYPES: Record<string, readonly string[]> = {
  photo: ['image', 'sticker'],
  video: ['video'],
  audio: ['audio'],
  document: ['document'],
};
const LINK = /\bhttps?:\/\/\S/i;

type Filters = ValidOperationRequest<'searchMessages'>;

/** A batch of candidates, newest first: keys whose text matched, and whether nothing older is left. */
type Batch = { keys: number[]; lookedAt: number; exhausted: boolean };

/** Where candidates come from, and how a page says where to continue. */
type Source = {
  next(): Batch;
  /** The cursor that continues right after `row`. */
  after(row: SearchRow): string;
  /** The cursor that continues after everything looked at so far. */
  position(): string;
};

function passes(row: SearchRow, filters: Filters): boolean {
  const { message } = row;
  if (filters.direction && message.direction !== filters.direction) return false;
  if (filters.phone_number_id && row.phoneNumberId !== filters.phone_number_id) return false;
  if (filters.unread !== undefined && filters.unread !== (row.conversationUnread > 0 && message.direction === 'in')) return false;
  if (filters.media === 'link') return LINK.test(message.text);
  if (filters.media) return (MEDIA_TYPES[filters.media] ?? []).includes(message.type);
  return true;
}

// The index's phrase syntax: each term a quoted string (a quote doubled), all of them required.
function ftsQuery(terms: readonly string[]): string {
  return terms.map((term) => `"${term.replaceAll('"', '""')}"`).join(' ');
}

function matchingKeys(rows: readonly TailRow[], terms: readonly string[]): number[] {
  return rows.filter((row) => containsAll(row.text, terms)).map((row) => row.search_key);
}

/**
 * Message search over the whole history, offline, newest first by Meta's time, `limit` at a
 * time with no cap (`next_before` continues).
 * - Globally, terms of three characters or more go through the FTS5 trigram index (mid-word, CJK
 *   without spaces, order ids and phone fragments, accents and case folded); messages stored but
 *   not indexed yet (the indexer works in batches) are checked directly and merged in, so a message
 *   is found the moment it is stored. Shorter terms are checked on the candidates.
 * - Inside one conversation, and for queries made only of short terms, messages are read newest
 *   first and checked directly: cheaper than probing the index once per message of a long thread.
 * One call looks at no more than 20,000 index entries or 5,000 messages, so a rare match behind a
 * selective filter returns a short page with a cursor rather than hold the event loop.
 */
export class Search {
  constructor(private readonly store: Store) {}

  searchMessages(request: Filters): Result<SearchPage> {
    const terms = [...new Set(request.q.split(/\s+/).filter(Boolean))];
    const indexed = terms.filter((term) => [...term].length >= MIN_INDEXED_LENGTH);
    const limit = request.limit ?? 20;
    const source = request.conversation_id !== undefined ? this.threadSource(request, terms) : this.globalSource(request, terms, indexed);
    if (!source.ok) return source;
    const budget = request.conversation_id !== undefined || indexed.length === 0 ? SCAN_BUDGET : INDEX_BUDGET;
    const hits: SearchHit[] = [];
    let lookedAt = 0;
    for (;;) {
      const batch = source.value.next();
      lookedAt += batch.lookedAt;
      // Messages are read only as far as the page needs them: a common word's batch of 200 keys
      // fills a page of 20 with its first 20 rows when no filter drops any.
      for (let start = 0; start < batch.keys.length; ) {
        const slice = batch.keys.slice(start, start + Math.max(limit - hits.length, MIN_ROWS_READ));
        start += slice.length;
        for (const row of this.store.search.rows(slice)) {
          if (!passes(row, request)) continue;
          hits.push({
            message: row.message,
            conversation: { id: row.message.conversation_id, name: row.conversationName, phone_number_id: row.phoneNumberId },
            snippet: snippetOf(row.message.text, terms),
          });
          if (hits.length === limit) return ok({ hits, next_before: source.value.after(row) });
        }
      }
      if (batch.exhausted) return ok({ hits, next_before: null });
      if (lookedAt >= budget) return ok({ hits, next_before: source.value.position() });
    }
  }

  // Across all conversations: by search key (Meta's second, then arrival), through the index when
  // a term is long enough for it.
  private globalSource(request: Filters, terms: readonly string[], indexed: readonly string[]): Result<Source> {
    if (request.before !== undefined && !/^\d+$/.test(request.before)) return fail('bad_request', 'before: not a cursor of a search across conversations');
    const range: KeyRange = {
      before: Math.min(request.before !== undefined ? Number(request.before) : Number.MAX_SAFE_INTEGER, request.to ? searchKeyBase(Date.parse(request.to)) : Number.MAX_SAFE_INTEGER),
      from: request.from ? searchKeyBase(Date.parse(request.from)) : 0,
    };
    const next = indexed.length > 0 ? this.indexBatches(terms, indexed, range) : this.keyScanBatches(terms, range);
    return ok({ next, after: (row) => String(row.key), position: () => String(range.before) });
  }

  // The index, merged with the messages it does not hold yet (checked directly, read once).
  private indexBatches(terms: readonly string[], indexed: readonly string[], range: KeyRange): () => Batch {
    const query = ftsQuery(indexed);
    const short = terms.filter((term) => !indexed.includes(term));
    let tail = matchingKeys(this.store.search.tail(range), terms);
    return () => {
      const found = this.store.search.matching(query, range, BATCH);
      const exhausted = found.length < BATCH;
      // Tail keys down to where this batch of the index reached (all that remain once it is done).
      const floor = exhausted ? -1 : (found.at(-1) ?? -1);
      const merged = [...found, ...tail.filter((key) => key < range.before && key > floor)].sort((a, b) => b - a);
      tail = tail.filter((key) => key <= floor);
      if (!exhausted) range.before = floor;
      return { keys: short.length === 0 ? merged : this.containingAll(merged, short), lookedAt: found.length, exhausted };
    };
  }

  // Every message newest first, its text checked (queries of terms too short for the index).
  private keyScanBatches(terms: readonly string[], range: KeyRange): () => Batch {
    return () => {
      const rows = this.store.search.texts(range, SCAN_BATCH);
      const last = rows.at(-1);
      if (last) range.before = last.search_key;
      return { keys: matchingKeys(rows, terms), lookedAt: rows.length, exhausted: rows.length < SCAN_BATCH };
    };
  }

  // One conversation, in the thread's own order, its messages' text checked directly: cheaper than
  // probing the index once per message of a long thread. Its cursor is a thread cursor.
  private threadSource(request: Filters, terms: readonly string[]): Result<Source> {
    const conversationId = request.conversation_id ?? 0;
    let cursor: MessageCursor = { timestampMs: Number.MAX_SAFE_INTEGER, id: Number.MAX_SAFE_INTEGER };
    if (request.before !== undefined) {
      const decoded = decodeCursor(request.before);
      if (!decoded) return fail('bad_request', 'before: not a cursor of a search inside a conversation');
      cursor = decoded;
    }
    if (request.to && Date.parse(request.to) <= cursor.timestampMs) cursor = { timestampMs: Date.parse(request.to), id: 0 };
    const fromMs = request.from ? Date.parse(request.from) : 0;
    const next = (): Batch => {
      const rows = this.store.search.threadTexts(conversationId, cursor, fromMs, SCAN_BATCH);
      const last = rows.at(-1);
      if (last) cursor = { timestampMs: last.timestamp, id: last.id };
      return { keys: matchingKeys(rows, terms), lookedAt: rows.length, exhausted: rows.length < SCAN_BATCH };
    };
    return ok({ next, after: (row) => encodeCursor(row.message), position: () => `${cursor.timestampMs}_${cursor.id}` });
  }

  // Short terms the index cannot look up, checked on the candidates' text (not whole messages).
  private containingAll(keys: readonly number[], short: readonly string[]): number[] {
    const matching = new Set(matchingKeys(this.store.search.textsOf(keys), short));
    return keys.filter((key) => matching.has(key));
  }
}
