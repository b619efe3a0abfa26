/**
 * Phones and tablets: the document gets the width. JupyterLab 4.6's lab app has no layout rule
 * for a narrow window (only CSS below 760 px: prompts above cells), and its layout restorer
 * reopens the left sidebar the site's workspace names (250 px: on a 420 px phone the notebook
 * was a column of a few characters). No setting or workspace depends on the width, hence this.
 *
 * In a window narrower than NARROW_MAX_PX, once the layout is restored, whenever the window
 * becomes that narrow, and after JupyterLite has shown a document opened by a link
 * (`?path=...`) in the file browser (its router runs `docmanager:show-in-file-browser` once,
 * which opens the left sidebar): both sidebars are collapsed and the right activity bar (property
 * inspector, debugger: nothing a learner needs here) is hidden. The left one stays, so the file
 * browser is one tap away. A window made wider shows the bar it hid again; sidebars stay as the
 * learner left them.
 */
import type { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { ILabShell } from '@jupyterlab/application';

/** A sidebar (250 px) and both activity bars (33 px each) would leave the document less than
 * about 600 px, a line of about 80 characters of text. */
export const NARROW_MAX_PX = 920;
const SHOW_IN_FILE_BROWSER = 'docmanager:show-in-file-browser';

/** The document gets the width: sidebars collapsed, the right activity bar hidden. Returns
 * whether it hid that bar. */
function giveDocumentTheWidth(shell: ILabShell): boolean {
  shell.collapseLeft();
  shell.collapseRight();
  const shown = shell.isSideTabBarVisible('right');
  if (shown) {
    shell.toggleSideTabBarVisibility('right');
  }
  return shown;
}

/** Once JupyterLite's router has shown the document of a `?path=` link in the file browser, run
 * `then` (a learner's own "Show in File Browser" later is left alone). */
function afterLinkShownInFileBrowser(app: JupyterFrontEnd, then: () => void): void {
  const shown = (_: unknown, executed: { id: string; result: Promise<unknown> }): void => {
    if (executed.id === SHOW_IN_FILE_BROWSER) {
      app.commands.commandExecuted.disconnect(shown);
      void executed.result.then(then, then);
    }
  };
  app.commands.commandExecuted.connect(shown);
}

export const narrowScreenPlugin: JupyterFrontEndPlugin<void> = {
  id: '@python-in-the-browser/tour-kernel:narrow-screen',
  description: 'On a phone or tablet, collapses the sidebars so the document uses the width',
  autoStart: true,
  optional: [ILabShell],
  activate: (app: JupyterFrontEnd, shell: ILabShell | null) => {
    if (!shell) {
      return;
    }
    const narrow = window.matchMedia(`(max-width: ${NARROW_MAX_PX}px)`);
    let hidBar = false;
    const fit = (): void => {
      if (narrow.matches) {
        hidBar = giveDocumentTheWidth(shell) || hidBar;
      }
    };
    if (new URLSearchParams(window.location.search).has('path')) {
      afterLinkShownInFileBrowser(app, fit);
    }
    void app.restored.then(() => {
      fit();
      narrow.addEventListener('change', () => {
        if (narrow.matches) {
          fit();
        } else if (hidBar) {
          shell.toggleSideTabBarVisibility('right');
          hidBar = false;
        }
      });
    });
  },
};
