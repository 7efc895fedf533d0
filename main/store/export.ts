import { constants, copyFileSync, createWriteStream, existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import BetterSqlite3, { type Database } from 'better-sqlite3';
import type { Conversation, Message } from '../../shared/contract';
import { ConversationRepo } from './conversation-repo';
import { assertDatabaseReadable } from './database';
import { mediaFilePath } from './media-files';
import { MediaRepo } from './media-repo';
import { MessageRepo } from './message-repo';
import { LATEST_SCHEMA_VERSION } from './migrations';

/** An export that cannot be written where it was asked to, told in one line. */
export class ExportRefusedError extends Error {}

/** What an export wrote. */
export type ExportSummary = { path: string; conversations: number; messages: number; mediaFiles: number; bytes: number; seconds: number };

// Extensions people's file managers open the exported files with.
const EXTENSIONS: Record<string, string> = {
  'image/jpeg': '.jpg',
  'image/png': '.png',
  'image/webp': '.webp',
  'audio/ogg': '.ogg',
  'audio/mpeg': '.mp3',
  'audio/mp4': '.m4a',
  'audio/aac': '.aac',
  'audio/amr': '.amr',
  'video/mp4': '.mp4',
  'video/3gpp': '.3gp',
  'application/pdf': '.pdf',
};

/** The name a stored file gets in an export: its sha256 and an extension from its type or file name. */
export function exportedMediaName(message: Message): string | null {
  const file = message.media_file;
  if (file?.state !== 'stored' || !file.sha256) return null;
  const fromType = EXTENSIONS[(file.mime_type ?? '').split(';')[0]?.trim().toLowerCase() ?? ''];
  const fromName = /\.[A-Za-z0-9]{1,8}$/.exec(message.content.media?.filename ?? '')?.[0]?.toLowerCase();
  return `${file.sha256}${fromType ?? fromName ?? ''}`;
}

const PAGE = 1_000;

/** A read-only view of a data dir's database for exporting, on one snapshot (writers go on meanwhile). */
export class HistoryReader {
  private readonly db: Database;
  private readonly conversations: ConversationRepo;
  private readonly messages: MessageRepo;

  constructor(databaseFile: string) {
    if (!existsSync(databaseFile)) throw new ExportRefusedError(`there is no database at ${databaseFile} to export`);
    assertDatabaseReadable(databaseFile);
    this.db = new BetterSqlite3(databaseFile, { readonly: true, fileMustExist: true });
    this.conversations = new ConversationRepo(this.db);
    this.messages = new MessageRepo(this.db, new MediaRepo(this.db));
    // One read transaction: the whole export sees one moment of history.
    this.db.exec('BEGIN');
  }

  conversation(id: number): Conversation | undefined {
    return this.conversations.get(id);
  }

  allConversations(): Conversation[] {
    return this.conversations.list();
  }

  /** A conversation's messages, oldest first, a page at a time. */
  *messagesOf(conversationId: number): Generator<Message> {
    let cursor = { timestampMs: -1, id: -1 };
    for (;;) {
      const page = this.messages.pageAfter(conversationId, cursor, PAGE);
      yield* page;
      const last = page.at(-1);
      if (!last || page.length < PAGE) return;
      cursor = { timestampMs: Date.parse(last.timestamp), id: last.id };
    }
  }

  close(): void {
    this.db.exec('COMMIT');
    this.db.close();
  }
}

function writeLines(file: string, lines: Iterable<string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const out = createWriteStream(file);
    out.on('error', reject);
    let bytes = 0;
    const iterator = lines[Symbol.iterator]();
    // Honours back-pressure: a million messages are never held in memory at once.
    const pump = (): void => {
      for (let next = iterator.next(); !next.done; next = iterator.next()) {
        const line = `${next.value}\n`;
        bytes += Buffer.byteLength(line);
        if (!out.write(line)) {
          out.once('drain', pump);
          return;
        }
      }
      out.end(() => resolve(bytes));
    };
    pump();
  });
}

/**
 * Everything, as a folder a program can read back: `conversations.jsonl` and `messages.jsonl` (one
 * JSON object a line, the API's shapes; statuses, reactions and edits included), `media/` (every
 * archived file, once, named by its sha256 with an extension; a message line names its file in
 * `media_path`), and `metadata.json` (app and schema version, counts, when).
 */
export async function exportEverything(reader: HistoryReader, folder: string, meta: { appVersion: string; nowMs: number; mediaDir: string }): Promise<ExportSummary> {
  const started = performance.now();
  if (existsSync(folder) && (!statSync(folder).isDirectory() || readdirSync(folder).length > 0)) {
    throw new ExportRefusedError(`${folder} exists and is not an empty folder: choose a new one`);
  }
  mkdirSync(folder, { recursive: true });
  const conversations = reader.allConversations();
  let messages = 0;
  let mediaFiles = 0;
  let mediaBytes = 0;
  const exportedMedia = path.join(folder, 'media');
  mkdirSync(exportedMedia);
  // Copied as its first message is written; each file is looked at once (a set of names, not a
  // list of messages: a file sent a thousand times costs one entry).
  const copied = new Map<string, boolean>();
  const withFile = (message: Message): string => {
    const name = exportedMediaName(message);
    if (!name || !message.media_file?.sha256) return JSON.stringify(message);
    let present = copied.get(name);
    if (present === undefined) {
      const source = mediaFilePath(meta.mediaDir, message.media_file.sha256);
      present = existsSync(source);
      if (present) {
        const target = path.join(exportedMedia, name);
        copyFileSync(source, target, constants.COPYFILE_FICLONE);
        mediaFiles += 1;
        mediaBytes += statSync(target).size;
      }
      copied.set(name, present);
    }
    return present ? JSON.stringify({ ...message, media_path: `media/${name}` }) : JSON.stringify(message);
  };
  const conversationBytes = await writeLines(path.join(folder, 'conversations.jsonl'), conversations.map((c) => JSON.stringify(c)));
  const messageBytes = await writeLines(
    path.join(folder, 'messages.jsonl'),
    (function* () {
      for (const conversation of conversations) {
        for (const message of reader.messagesOf(conversation.id)) {
          messages += 1;
          yield withFile(message);
        }
      }
    })(),
  );
  const metadata = {
    format: 'switchboard-export',
    version: 1,
    app_version: meta.appVersion,
    schema_version: LATEST_SCHEMA_VERSION,
    exported_at: new Date(meta.nowMs).toISOString(),
    conversations: conversations.length,
    messages,
    media_files: mediaFiles,
    media: 'media/<sha256>.<ext>: each archived file once; a message line names its file in media_path (absent while a file was not downloaded, or failed: see media_file)',
  };
  const metadataText = `${JSON.stringify(metadata, null, 2)}\n`;
  writeFileSync(path.join(folder, 'metadata.json'), metadataText);
  const bytes = conversationBytes + messageBytes + mediaBytes + Buffer.byteLength(metadataText);
  return { path: folder, conversations: conversations.length, messages, mediaFiles, bytes, seconds: (performance.now() - started) / 1000 };
}
