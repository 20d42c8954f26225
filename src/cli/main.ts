// The executable's entry: everything else is in program.ts, so tests can run commands in-process.
import { main } from './program.js';

// The AWS SDK warns on every run under Node 20 that its releases after January 2027 need Node 22.
// That is for whoever upgrades the SDK (package-lock.json pins the version; the project supports Node 20),
// not for a responder reading S3 at 3 a.m. A user who sets the variable keeps their choice.
process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';

process.exitCode = await main(process.argv);
