import { runCli } from './src/cli/main';
(async () => {
  for (const f of process.argv.slice(2)) {
    let out = '';
    const t0 = Date.now();
    const code = await runCli(['validate', f], { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (out += s) }, env: { NO_COLOR: '1' } });
    console.log(`=== ${f} code=${code} ${Date.now() - t0}ms\n${JSON.stringify(out).length > 3000 ? out.slice(0, 3000) : out}`);
  }
})();
