/** trailbook's version, as `--version`, evidence manifests and the workspace say it. */
export const TRAILBOOK_VERSION = '0.1.0';
