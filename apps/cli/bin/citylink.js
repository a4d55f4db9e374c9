#!/usr/bin/env node
// The `citylink` command. A committed shim, so that `npm install` links it before
// the first build (npm skips a bin whose file does not exist yet).
import '../dist/bin.js';
