#!/usr/bin/env node
import { runNodeFromEnv } from '@citylink/node';

await runNodeFromEnv('hub');
