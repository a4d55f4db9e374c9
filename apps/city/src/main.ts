#!/usr/bin/env node
import { setFlagsFromString } from 'node:v8';

// Start-up (loading the modules, running the migrations) allocates in one burst and
// V8 answers by growing the young generation to its maximum (2 × 16 MB), which an
// idle city then keeps: about a quarter of its memory (docs/benchmarks.md, issue 17).
// The young generation stays at its initial size while the city starts, and may
// grow again as usual once it serves.
setFlagsFromString('--semi-space-growth-factor=1');
const { runNodeFromEnv } = await import('@citylink/node');
await runNodeFromEnv('city');
setFlagsFromString('--semi-space-growth-factor=2');
