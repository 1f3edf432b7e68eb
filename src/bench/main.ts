/** `npm run bench` (node dist/bench/main.js [flags]): see bench/README.md. */
import { parseArgs } from './args';
import { runBench, writeResults } from './bench';
import { stopAllStacks } from './stack';

async function main(): Promise<void> {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => void stopAllStacks().finally(() => process.exit(130)));
  }
  const args = parseArgs(process.argv.slice(2));
  const results = await runBench(args, { onProgress: (partial) => writeResults(partial, args.out) });
  const { json, markdown, text } = writeResults(results, args.out);
  process.stdout.write(`\n${text}\nWrote ${json} and ${markdown}\n`);
  if (Object.keys(results.errors).length > 0) process.exitCode = 1;
}

main().catch((err: Error) => {
  process.stderr.write(`${err.message}\n`);
  process.exit(2);
});
