import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { TrailbookError } from '../errors.js';
import { writeOutputFile } from '../files.js';
import { CONFIG_FILE_NAME } from './file.js';
import { DEFAULT_DB, DEFAULT_PORT, ENVIRONMENT } from './settings.js';

/**
 * What `trailbook init` writes: every setting, commented out, with its variable and default, so
 * the file documents itself and changes nothing until a line is uncommented.
 */
export function configTemplate(): string {
  return `# trailbook.yaml: project settings for trailbook (docs/config.md).
# Found like .git: in the working directory or the nearest folder above it.
# For each setting a flag wins, then its TRAILBOOK_* environment variable, then this file,
# then the built-in default. Paths are relative to this file.

# The store (${ENVIRONMENT.db}; default ${DEFAULT_DB}):
# store: ${DEFAULT_DB}

# Threat-intel feeds, FORMAT:PATH allowed (${ENVIRONMENT.intel}, comma-separated):
# intel:
#   - feeds/ipsum.txt

# Trusted networks and scanners (${ENVIRONMENT.trusted}):
# trusted: trusted-networks.yaml

# Default runbook parameters:
# parameters:
#   port: ${DEFAULT_PORT}        # ${ENVIRONMENT.port}
#   protocol: tcp     # ${ENVIRONMENT.protocol}: tcp | udp | any
`;
}

/** Writes the template into `dir`; an existing file is never overwritten. Returns the path. */
export function writeConfigTemplate(dir: string): string {
  const path = join(dir, CONFIG_FILE_NAME);
  if (existsSync(path)) {
    throw new TrailbookError('OUTPUT', `${path} already exists: trailbook init never overwrites it`, { hint: 'edit it, or remove it first' });
  }
  writeOutputFile(path, configTemplate(), CONFIG_FILE_NAME, { exclusive: true });
  return path;
}
