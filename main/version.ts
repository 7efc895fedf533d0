declare const __SWITCHBOARD_VERSION__: string | undefined;

/** The app version, injected from package.json at build time (and by the test config). */
export const APP_VERSION: string = typeof __SWITCHBOARD_VERSION__ === 'string' ? __SWITCHBOARD_VERSION__ : '0.0.0-dev';
