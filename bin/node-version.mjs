// Which Node.js the CLI runs on. better-sqlite3 13 ships prebuilt binaries for Node >= 22 only: on
// an older Node it loads, then crashes the process (a segmentation fault, exit 139) with no word of
// why. So the version is checked before anything native is loaded.

/** The oldest Node.js the CLI runs on (package.json `engines`). */
export const MINIMUM_NODE = [22, 14, 0];

/**
 * One line saying what to do when `version` (like `20.20.2`) is older than MINIMUM_NODE, or null
 * when it will do.
 * @param {string} version
 * @returns {string | null}
 */
export function unsupportedNodeMessage(version) {
  const parts = version.replace(/^v/, '').split('.').map((part) => Number.parseInt(part, 10) || 0);
  for (let i = 0; i < MINIMUM_NODE.length; i += 1) {
    const have = parts[i] ?? 0;
    const need = MINIMUM_NODE[i] ?? 0;
    if (have > need) return null;
    if (have < need) {
      return `switchboard: needs Node.js ${MINIMUM_NODE.join('.')} or newer, this is ${version.replace(/^v/, '')}: run it with npx switchboard inside the project (its node devDependency brings Node 24), or install Node.js 24 LTS`;
    }
  }
  return null;
}
