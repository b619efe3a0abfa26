/**
 * The interrupt byte as Pyodide reads it.
 *
 * CPython's check for signals (Python/emscripten_signal.c, in pyodide.asm.mjs) reads the byte,
 * then writes 0: an Interrupt the page writes between the two is lost, and the cell runs on. A
 * busy loop checks millions of times a second, so this happened to about 1 Interrupt in 25
 * (measured: Interrupt pressed at set moments after a `while True: pass` began). Pyodide reads
 * the object handed to `setInterruptBuffer` as `buffer[0]`: this one takes the byte and clears it
 * in one atomic step, and the 0 written after is already there.
 */
export function takenAtomically(byte: Uint8Array): Uint8Array {
  const taken = {
    get 0(): number {
      return Atomics.exchange(byte, 0, 0);
    },
    set 0(value: number) {
      if (value !== 0) {
        Atomics.store(byte, 0, value);
      }
    },
  };
  return taken as unknown as Uint8Array;
}
