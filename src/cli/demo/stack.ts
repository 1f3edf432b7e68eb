/**
 * Things the demo starts, stopped in reverse order exactly once: on success, on error and on Ctrl-C.
 * Nothing the demo starts outlives it.
 */
export class ResourceStack {
  private readonly closers: Array<{ name: string; close: () => Promise<void> }> = [];

  push(name: string, close: () => Promise<void>): void {
    this.closers.push({ name, close });
  }

  async closeAll(log: (line: string) => void): Promise<void> {
    while (this.closers.length > 0) {
      const { name, close } = this.closers.pop()!;
      try {
        await close();
        log(`  stopped ${name}`);
      } catch (err) {
        log(`  could not stop ${name} cleanly: ${(err as Error).message}`);
      }
    }
  }
}
