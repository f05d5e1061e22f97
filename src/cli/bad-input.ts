/** Bad input or usage: the message on stderr, and exit code 2 (nothing has been written). */
export function badInput(message: string): number {
  process.stderr.write(`${message}\n`);
  return 2;
}
