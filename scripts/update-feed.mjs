// Where the packaged app looks for updates: `SWITCHBOARD_UPDATE_URL` at `npm run dist` time, an
// https folder serving electron-builder's `latest*.yml` and installers (electron-updater's "generic"
// provider). Without it the installers carry no feed, and the app never checks (main/app/updates.ts).

/** The electron-builder `publish` entry for the feed, or null without one; throws a one-line reason for a bad URL. */
export function updateFeed(env) {
  const url = env.SWITCHBOARD_UPDATE_URL?.trim();
  if (!url) return null;
  let parsed;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`SWITCHBOARD_UPDATE_URL is not a URL: ${url}`);
  }
  if (parsed.protocol !== 'https:') throw new Error(`SWITCHBOARD_UPDATE_URL must be https (updates are code the app will run): ${url}`);
  return { provider: 'generic', url: parsed.href };
}

/** electron-builder command-line overrides that set the feed (none without one). */
export function updateFeedArgs(env) {
  const feed = updateFeed(env);
  return feed ? [`-c.publish.provider=${feed.provider}`, `-c.publish.url=${feed.url}`] : [];
}
