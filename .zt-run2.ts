import { runCli } from './src/cli/main';
(async () => {
  for (const f of process.argv.slice(2)) {
    let out = '';
    const t0 = Date.now();
    const code = await runCli(['--json', 'validate', f], { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (out += s) }, env: { NO_COLOR: '1' } });
    const raw = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069]/.test(out);
    console.log(`=== ${f} code=${code} ${Date.now() - t0}ms raw=${raw}\n${out.slice(0, 600)}`);
  }
})();
