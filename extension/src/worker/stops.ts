/**
 * What the learner reads when the Python runtime stops for good.
 *
 * An exception ends a cell; these end Python itself: a fatal error of Pyodide (a WebAssembly
 * trap, a JavaScript stack overflow inside C code) or an exit of the process (`os._exit()`,
 * `os.abort()`, a signal). Pure functions: unit-tested without a browser (test/stops.test.mjs).
 */

/** An error output, as a Jupyter `error` message carries it. */
export interface IStopError {
  ename: string;
  evalue: string;
  traceback: string[];
}

/** Why Python stopped, in a learner's words, from the error Pyodide reported. */
export function stopCause(error: unknown): string {
  const {
    name = 'Error',
    message,
    status,
  } = (error ?? {}) as {
    name?: string;
    message?: unknown;
    status?: number;
  };
  if (name === 'Exit') {
    const exitStatus = status === undefined ? '' : ` with status ${status}`;
    return (
      `the Python process exited${exitStatus}. os._exit() and signals such as SIGTERM end ` +
      'the whole process, not only the cell.'
    );
  }
  const firstLine = String(message ?? error).split('\n')[0];
  let why = `the Pyodide runtime suffered a fatal error (${name}: ${firstLine}).`;
  if (/call stack size|too much recursion/i.test(firstLine)) {
    // Chromium and WebKit say "call stack size", Firefox "too much recursion".
    why += ' The WebAssembly stack ran out: recursion went too deep inside C code.';
  } else if (name === 'RuntimeError') {
    why += ' This is a WebAssembly trap: C code crashed or called abort().';
  }
  return why;
}

/** The error output of the cell during which Python stopped. */
export function stoppedCellError(cause: string): IStopError {
  const first = `Python has stopped: ${cause}`;
  return {
    ename: 'PythonStopped',
    evalue: first,
    traceback: [
      `\x1b[0;31m${first}\x1b[0m`,
      'Everything the kernel held is lost: variables, imports, files written under /tmp.',
      'The kernel restarts by itself and is ready in a few seconds: run the cells you need ' +
        'again (your notebook and the files in /drive are kept).',
    ],
  };
}

/**
 * The answers a request gets once Python has stopped, none of which touches Python: an empty
 * completion, no inspection, and so on. `execute` is answered by the kernel with the cell error.
 */
export const STOPPED_ANSWERS = {
  complete: (content: { cursor_pos: number }) => ({
    status: 'ok',
    matches: [],
    cursor_start: content.cursor_pos,
    cursor_end: content.cursor_pos,
    metadata: {},
  }),
  inspect: () => ({ status: 'ok', found: false, data: {}, metadata: {} }),
  isComplete: () => ({ status: 'unknown' }),
  commInfo: () => ({ status: 'ok' as const, comms: {} }),
};

/** A notification's text when Python stopped outside any cell (short: notifications cut long
 * text), e.g. "Python has stopped: the Python process exited with status 1. The kernel …". */
export function stoppedNotice(cause: string): string {
  const end = cause.indexOf('. ');
  return `Python has stopped: ${end < 0 ? cause : cause.slice(0, end + 1)} The kernel restarts by itself.`;
}
