/**
 * A learner's saved copy never hides a newer lesson silently (issue 23).
 *
 * JupyterLite keeps a learner's saved notebooks in the browser (IndexedDB), and a saved copy
 * hides the site's file of the same name. The build stamps each shipped notebook with its content
 * version (versions.ts); a saved copy keeps the stamp it started from. When a notebook opens whose
 * stamp differs from the one the site serves now (read from `files/<path>`, under the page's base
 * URL, which JupyterLite's drive also reads), a notice in the notebook offers the site's new
 * version (the learner's copy is kept under a new name) or keeping the copy. The command "Revert
 * to the Site's Version" does the same for any shipped notebook. Nothing here deletes a cell: the
 * learner's copy is renamed (JupyterLite's drive moves the stored file), never removed.
 */
import type { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { Dialog, Notification, showDialog, showErrorMessage } from '@jupyterlab/apputils';
import { PageConfig, PathExt, URLExt } from '@jupyterlab/coreutils';
import { IDocumentManager } from '@jupyterlab/docmanager';
import { IFileBrowserFactory } from '@jupyterlab/filebrowser';
import { IMainMenu } from '@jupyterlab/mainmenu';
import { INotebookTracker, type NotebookPanel } from '@jupyterlab/notebook';
import type { Contents } from '@jupyterlab/services';
import { Widget } from '@lumino/widgets';

import {
  type ILessonVersion,
  VERSION_KEY,
  copyName,
  keptKey,
  noticeFor,
  noticeText,
  sameCells,
  versionOf,
} from './versions';

const PLUGIN_ID = '@python-in-the-browser/tour-kernel:lesson-versions';
const REVERT_COMMAND = 'tour-lessons:revert-to-site';
const NOTEBOOK_IN_BROWSER = '.jp-DirListing-item[data-file-type="notebook"]';

/** The notebook the site ships at `path`, as served now; null when the site has no such file. */
async function fetchShipped(
  path: string,
): Promise<{ notebook: any; version: ILessonVersion | null } | null> {
  const segments = path.split('/').map(encodeURIComponent);
  const url = URLExt.join(PageConfig.getBaseUrl(), 'files', ...segments);
  const response = await fetch(url, { cache: 'no-cache' }); // revalidated: a rebuild shows at once
  if (!response.ok || !path.endsWith('.ipynb')) {
    return null;
  }
  const notebook = await response.json();
  return { notebook, version: versionOf(notebook?.metadata) };
}

/** A free name for the learner's copy, next to the notebook (the drive lists saved and site files). */
async function freeCopyName(contents: Contents.IManager, path: string): Promise<string> {
  const folder = await contents.get(PathExt.dirname(path), { content: true });
  const taken = new Set((folder.content as Contents.IModel[]).map((item) => item.path));
  return copyName(path, (candidate) => taken.has(candidate));
}

/** Save the learner's unsaved edits of an open notebook, so they are part of what is kept. */
async function saveIfOpen(docManager: IDocumentManager, path: string): Promise<void> {
  const widget = docManager.findWidget(path);
  const context = widget ? docManager.contextForWidget(widget) : undefined;
  if (context?.model.dirty) {
    await context.save();
  }
}

/**
 * Keep the learner's copy under a new name and open the site's version at `path`. Unsaved edits
 * of an open copy are saved first, so they travel with it; its tab follows the file to the new
 * name (JupyterLab's document context follows a rename) and is then closed: the copy stays in the
 * file browser, the site's version is in front. Returns the copy's path.
 */
async function keepCopyAndShowSite(docManager: IDocumentManager, path: string): Promise<string> {
  const contents = docManager.services.contents;
  await saveIfOpen(docManager, path);
  const openTab = docManager.findWidget(path);
  const before = await contents.get(path, { content: true });
  const copy = await freeCopyName(contents, path);
  await contents.rename(path, copy);
  const kept = await contents.get(copy, { content: true });
  if (!sameCells(kept.content, before.content)) {
    throw new Error(`${copy} does not hold the cells of ${path}; nothing was removed from it`);
  }
  docManager.openOrReveal(path);
  if (openTab && !docManager.contextForWidget(openTab)?.model.dirty) {
    openTab.close();
  }
  return copy;
}

/** A button of the notice. */
function button(label: string, className: string, onClick: () => void): HTMLButtonElement {
  const node = document.createElement('button');
  node.className = `jp-Button jp-mod-styled ${className}`;
  node.textContent = label;
  node.addEventListener('click', onClick);
  return node;
}

/**
 * The notebook's content header lays its widgets out by their CSS minimum height, which text
 * that wraps does not have: follow the body's height (it changes with the tab's width).
 */
function fitToContent(widget: Widget, body: HTMLElement, header: Widget): void {
  const observer = new ResizeObserver(() => {
    widget.node.style.minHeight = `${body.offsetHeight}px`;
    header.fit();
  });
  observer.observe(body);
  widget.disposed.connect(() => observer.disconnect());
}

/** The notice's words and its two buttons (their actions are the caller's). */
function noticeBody(shipped: ILessonVersion, onOpen: () => void, onKeep: () => void) {
  const text = document.createElement('p');
  text.textContent = noticeText(shipped);
  const help = document.createElement('p');
  help.className = 'tour-LessonNotice-help';
  help.textContent =
    "Opening the site's version keeps your copy, renamed with “(my copy)”, in the file browser.";
  const buttons = [
    button("Open the site's new version", 'jp-mod-accept tour-LessonNotice-open', onOpen),
    button('Keep my copy', 'jp-mod-reject tour-LessonNotice-keep', onKeep),
  ];
  const actions = document.createElement('div');
  actions.className = 'tour-LessonNotice-actions';
  actions.append(...buttons);
  const body = document.createElement('div');
  body.className = 'tour-LessonNotice-body';
  body.append(text, actions, help);
  return { body, buttons };
}

/** The notice at the top of a notebook whose saved copy started from an older lesson. */
function showNotice(
  panel: NotebookPanel,
  shipped: ILessonVersion,
  docManager: IDocumentManager,
): void {
  const path = panel.context.path;
  const notice = new Widget();
  notice.addClass('tour-LessonNotice');
  notice.node.setAttribute('role', 'status');
  const openNew = () => {
    buttons.forEach((b) => (b.disabled = true));
    keepCopyAndShowSite(docManager, path)
      .then((copy) => {
        panel.node.dataset.lessonVersion = 'copy-kept';
        notice.dispose();
        Notification.success(`Your copy is kept as ${copy}.`, { autoClose: 8000 });
      })
      .catch((error) => {
        buttons.forEach((b) => (b.disabled = false));
        void showErrorMessage(
          "Could not open the site's version",
          `${error}. Your copy is unchanged.`,
        );
      });
  };
  const keep = () => {
    localStorage.setItem(keptKey(path), shipped.sha256);
    panel.node.dataset.lessonVersion = 'kept';
    notice.dispose();
  };
  const { body, buttons } = noticeBody(shipped, openNew, keep);
  notice.node.append(body);
  panel.contentHeader.addWidget(notice);
  fitToContent(notice, body, panel.contentHeader);
}

/**
 * When a notebook opens: does it hide a newer lesson? The answer is left on the panel's node
 * (`data-lesson-version`: "newer", "none" or "not-shipped"), where tests and styles can read it.
 */
async function checkOpened(panel: NotebookPanel, docManager: IDocumentManager): Promise<void> {
  await panel.context.ready;
  const path = panel.context.path;
  const shipped = await fetchShipped(path);
  if (panel.isDisposed) {
    return;
  }
  const opened = versionOf({ [VERSION_KEY]: panel.context.model.getMetadata(VERSION_KEY) });
  const notice = noticeFor(opened, shipped?.version ?? null, localStorage.getItem(keptKey(path)));
  panel.node.dataset.lessonVersion = shipped?.version ? notice : 'not-shipped';
  if (notice === 'newer' && shipped?.version) {
    showNotice(panel, shipped.version, docManager);
  }
}

/** Revert to the Site's Version: ask, keep the learner's copy, open the site's. */
async function revertToSite(docManager: IDocumentManager, path: string): Promise<void> {
  const name = PathExt.basename(path);
  const shipped = await fetchShipped(path);
  if (!shipped) {
    await showErrorMessage(
      'No site version',
      `${name} is not one of the site's notebooks, so there is no site version to go back to.`,
    );
    return;
  }
  await saveIfOpen(docManager, path);
  const current = await docManager.services.contents.get(path, { content: true });
  const currentVersion = versionOf((current.content as any)?.metadata);
  if (
    sameCells(current.content, shipped.notebook) &&
    currentVersion?.sha256 === shipped.version?.sha256
  ) {
    Notification.info(`${name} is already the site's version: nothing to change.`, {
      autoClose: 5000,
    });
    return;
  }
  const answer = await showDialog({
    title: "Revert to the site's version?",
    body: `${name} will show the site's version. Your copy is kept, renamed with “(my copy)”, with every cell.`,
    buttons: [Dialog.cancelButton(), Dialog.okButton({ label: 'Revert' })],
  });
  if (answer.button.accept) {
    const copy = await keepCopyAndShowSite(docManager, path);
    Notification.success(`Your copy is kept as ${copy}.`, { autoClose: 8000 });
  }
}

/** The notebook a command is about: the file browser's selection when its context menu was used. */
function targetPath(
  app: JupyterFrontEnd,
  args: { path?: unknown },
  tracker: INotebookTracker,
  browsers: IFileBrowserFactory | null,
): string | undefined {
  if (typeof args.path === 'string') {
    return args.path;
  }
  if (app.contextMenuHitTest((node) => node.matches(NOTEBOOK_IN_BROWSER)) && browsers) {
    const selected = browsers.tracker.currentWidget?.selectedItems().next();
    if (selected && !selected.done) {
      return selected.value.path;
    }
  }
  return tracker.currentWidget?.context.path;
}

const lessonVersionsPlugin: JupyterFrontEndPlugin<void> = {
  id: PLUGIN_ID,
  description: "A learner's saved copy never hides a newer lesson silently",
  autoStart: true,
  requires: [INotebookTracker, IDocumentManager],
  optional: [IMainMenu, IFileBrowserFactory],
  activate: (
    app: JupyterFrontEnd,
    tracker: INotebookTracker,
    docManager: IDocumentManager,
    mainMenu: IMainMenu | null,
    browsers: IFileBrowserFactory | null,
  ) => {
    tracker.widgetAdded.connect((_, panel) => {
      checkOpened(panel, docManager).catch((error) =>
        console.warn(`Could not compare ${panel.context.path} with the site's version:`, error),
      );
    });
    app.commands.addCommand(REVERT_COMMAND, {
      label: "Revert to the Site's Version…",
      caption: "Show the site's version of this notebook; your copy is kept, renamed",
      execute: async (args) => {
        const path = targetPath(app, args, tracker, browsers);
        if (path) {
          await revertToSite(docManager, path);
        }
      },
    });
    mainMenu?.fileMenu.addGroup([{ command: REVERT_COMMAND }], 40);
    app.contextMenu.addItem({ command: REVERT_COMMAND, selector: NOTEBOOK_IN_BROWSER, rank: 11 });
  },
};

export default lessonVersionsPlugin;
