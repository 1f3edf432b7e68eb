/** `npm run bench` (node dist/bench/main.js [flags]): see bench/README.md. */
import { parseArgs } from './args';
import { runBench, writeResults } from './bench';

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const results = await runBench(args);
  const { json, markdown, text } = writeResults(results, args.out);
  process.stdout.write(`\n${text}\nWrote ${json} and ${markdown}\n`);
  if (Object.keys(results.errors).length > 0) process.exitCode = 1;
}

main().catch((err: Error) => {
  process.stderr.write(`${err.message}\n`);
  process.exit(2);
});
