/**
 * Preloaded into a process the generation benchmark times (`node --import`): on exit, writes
 * the process's peak resident memory in bytes to the file named by SLOKIT_BENCH_RSS_FILE.
 */
import { writeFileSync } from 'node:fs';

const target = process.env.SLOKIT_BENCH_RSS_FILE;
if (target) process.on('exit', () => writeFileSync(target, String(process.resourceUsage().maxRSS * 1024)));
