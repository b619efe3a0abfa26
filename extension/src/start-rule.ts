/**
 * Kernels of hidden notebooks wait. A returning learner's layout reopens every notebook left
 * open, and JupyterLab starts a kernel for each: six Pyodides booting at once made the one in
 * front wait 24 s. Here a kernel boots when a notebook (or console) showing it is visible;
 * JupyterLab shows its status as "Unknown" until then. A kernel that no document has shown after
 * UNKNOWN_SESSION_MS (one started by code) boots anyway; one whose documents were all closed
 * before it was seen does not.
 */
import type { JupyterFrontEnd } from '@jupyterlab/application';
import { type IMessageHandler, type Message, MessageLoop } from '@lumino/messaging';
import type { ISignal } from '@lumino/signaling';
import type { Widget } from '@lumino/widgets';

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

/** The messages a widget receives when it becomes visible (Lumino). */
const SHOWN_MESSAGES = new Set(['after-show', 'after-attach']);

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
   * layout (while it restores, each reopened tab is in front for a moment), then again whenever
   * a document of the main area is shown (Lumino's messages to it, which the shell's signals do
   * not all follow), the layout changes, or a document's session gets its kernel.
   * A "start" is confirmed a moment later (the next task): a tab that is in front only while
   * the tabs before it close, as in Close All or at the end of a test, does not boot a Python
   * that would be shut down while it mounts /drive.
   */
  async whenWanted(kernelId: string): Promise<void> {
    await this._app.restored;
    const shell = this._app.shell as unknown as Record<string, AnySignal | undefined>;
    const signals = new Set(
      [shell.layoutModified, shell.currentChanged].filter((s): s is AnySignal => !!s),
    );
    const hooked = new Set<Widget>();
    const since = Date.now();
    return new Promise((resolve) => {
      let confirming: ReturnType<typeof setTimeout> | undefined;
      // Whether a document has shown this kernel: if all of them close, it is not one started
      // by code, and it never boots (it would only be shut down, mid-boot, a moment later).
      let shown = false;
      const hook = (_: IMessageHandler, message: Message): boolean => {
        if (SHOWN_MESSAGES.has(message.type)) {
          check();
        }
        return true;
      };
      const done = (): void => {
        signals.forEach((signal) => signal.disconnect(check));
        hooked.forEach((widget) => MessageLoop.removeMessageHook(widget, hook));
        clearTimeout(timer);
        clearTimeout(confirming);
        resolve();
      };
      const decision = (): StartDecision => startDecision(kernelId, this.documents());
      const check = (): void => {
        for (const widget of this._app.shell.widgets('main')) {
          if (!hooked.has(widget)) {
            hooked.add(widget);
            MessageLoop.installMessageHook(widget, hook);
          }
          const kernelChanged = (widget as unknown as ISessionOwner).sessionContext?.kernelChanged;
          if (kernelChanged && !signals.has(kernelChanged)) {
            signals.add(kernelChanged);
            kernelChanged.connect(check);
          }
        }
        const now = decision();
        shown ||= now !== 'unknown';
        if (now === 'start') {
          confirming ??= setTimeout(() => {
            confirming = undefined;
            if (decision() === 'start') {
              done();
            }
          }, 0);
        } else if (now === 'unknown' && !shown && Date.now() - since >= UNKNOWN_SESSION_MS) {
          done();
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
