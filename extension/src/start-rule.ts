/**
 * Kernels of hidden notebooks wait. A returning learner's layout reopens every notebook left
 * open, and JupyterLab starts a kernel for each: six Pyodides booting at once made the one in
 * front wait 24 s. Here a kernel boots when a notebook (or console) showing it is visible;
 * JupyterLab shows its status as "Unknown" until then. A kernel that no document shows after
 * UNKNOWN_SESSION_MS (one started by code) boots anyway.
 */
import type { JupyterFrontEnd } from '@jupyterlab/application';
import type { ISignal } from '@lumino/signaling';

/** A document in the main area: the kernel its session has (if any yet), and whether the
 * learner sees it. */
export interface IShownDocument {
  kernelId: string | undefined;
  isVisible: boolean;
}

/** Start now, keep waiting, or no document shows the kernel (yet). */
export type StartDecision = 'start' | 'wait' | 'unknown';

/** Whether the kernel `kernelId` starts, given the documents of the main area. */
export function startDecision(kernelId: string, documents: IShownDocument[]): StartDecision {
  const showing = documents.filter((document) => document.kernelId === kernelId);
  if (showing.length === 0) {
    return 'unknown';
  }
  return showing.some((document) => document.isVisible) ? 'start' : 'wait';
}

/** A kernel that no document shows after this long (one started by code) starts anyway. */
export const UNKNOWN_SESSION_MS = 5000;

type AnySignal = ISignal<unknown, unknown>;
interface ISessionOwner {
  sessionContext?: {
    session?: { kernel?: { id: string } | null } | null;
    kernelChanged?: AnySignal;
  };
}

export class KernelStartRule {
  constructor(app: JupyterFrontEnd) {
    this._app = app;
  }

  /**
   * Resolves when the kernel `kernelId` should boot; decided once JupyterLab has restored its
   * layout (while it restores, each reopened tab is in front for a moment), then again on every
   * change of the layout and whenever a document's session gets its kernel.
   */
  async whenWanted(kernelId: string): Promise<void> {
    await this._app.restored;
    const shell = this._app.shell as unknown as Record<string, AnySignal | undefined>;
    const signals = new Set(
      [shell.layoutModified, shell.currentChanged].filter((s): s is AnySignal => !!s),
    );
    const since = Date.now();
    return new Promise((resolve) => {
      const check = (): void => {
        const owners = [...this._app.shell.widgets('main')] as unknown as ISessionOwner[];
        for (const owner of owners) {
          const kernelChanged = owner.sessionContext?.kernelChanged;
          if (kernelChanged && !signals.has(kernelChanged)) {
            signals.add(kernelChanged);
            kernelChanged.connect(check);
          }
        }
        const decision = startDecision(kernelId, this.documents());
        if (
          decision === 'start' ||
          (decision === 'unknown' && Date.now() - since >= UNKNOWN_SESSION_MS)
        ) {
          signals.forEach((signal) => signal.disconnect(check));
          clearTimeout(timer);
          resolve();
        }
      };
      signals.forEach((signal) => signal.connect(check));
      const timer = setTimeout(check, UNKNOWN_SESSION_MS);
      check();
    });
  }

  private documents(): IShownDocument[] {
    return [...this._app.shell.widgets('main')].map((widget) => ({
      kernelId: (widget as unknown as ISessionOwner).sessionContext?.session?.kernel?.id,
      isVisible: widget.isVisible,
    }));
  }

  private _app: JupyterFrontEnd;
}
