/** The electron-builder `publish` entry for the update feed, or null without one; throws a one-line reason for a bad URL. */
export function updateFeed(env: Record<string, string | undefined>): { provider: 'generic'; url: string } | null;
/** electron-builder command-line overrides that set the feed (none without one). */
export function updateFeedArgs(env: Record<string, string | undefined>): string[];
