#!/usr/bin/env node
import { processIo } from './io.js';
import { run } from './program.js';

// `citylink feed | head` closes our stdout early; that is not an error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

process.exitCode = await run(process.argv, processIo);
