#!/usr/bin/env node
// Launcher for the `bps` bin: runs the TypeScript CLI through tsx (no build step).
import { register } from 'tsx/esm/api';

register();
await import('./main.ts');
