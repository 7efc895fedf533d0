/** The oldest Node.js the CLI runs on. */
export declare const MINIMUM_NODE: number[];
/** One line saying what to do when `version` is older than MINIMUM_NODE, or null when it will do. */
export declare function unsupportedNodeMessage(version: string): string | null;
