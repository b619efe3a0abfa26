/**
 * Which version of a lesson the learner sees: the pure rules behind lesson-versions.ts (no
 * JupyterLab here, so Node's tests run them: test/versions.test.mjs).
 *
 * The build stamps every shipped notebook's metadata with `lesson_version` (sitetools/site.py:
 * the sha256 of its cells as built, and the day of the build). JupyterLab saves a notebook's
 * metadata with the learner's copy, so a saved copy remembers the version it started from.
 */

/** The metadata key the build writes (sitetools/site.py, LESSON_VERSION). */
export const VERSION_KEY = 'lesson_version';

/** A notebook's content version. */
export interface ILessonVersion {
  sha256: string;
  date: string;
}

/** What to show when a notebook opens. */
export type Notice = 'none' | 'newer';

/** The version stamped in a notebook's metadata; null when it has none or it is malformed. */
export function versionOf(metadata: unknown): ILessonVersion | null {
  const stamp = (metadata as Record<string, unknown> | null)?.[VERSION_KEY] as
    Record<string, unknown> | undefined;
  if (!stamp || typeof stamp.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(stamp.sha256)) {
    return null;
  }
  return { sha256: stamp.sha256, date: typeof stamp.date === 'string' ? stamp.date : '' };
}

/**
 * Whether the notebook the learner opened hides a newer lesson. `opened` is the version in the
 * opened notebook (the learner's saved copy, or the site's own file when there is no copy);
 * `shipped` the version the site serves now; `keptFor` the shipped version for which the
 * learner chose "Keep my copy". A copy saved before versions existed (no stamp) may hide a
 * newer lesson too: it gets the notice.
 */
export function noticeFor(
  opened: ILessonVersion | null,
  shipped: ILessonVersion | null,
  keptFor: string | null,
): Notice {
  if (!shipped || opened?.sha256 === shipped.sha256 || keptFor === shipped.sha256) {
    return 'none';
  }
  return 'newer';
}

/**
 * The name the learner's copy is kept under: `dir/03-x.ipynb` becomes `dir/03-x (my copy).ipynb`,
 * or `(my copy 2)`, `(my copy 3)`... when that name is taken.
 */
export function copyName(path: string, taken: (candidate: string) => boolean): string {
  const slash = path.lastIndexOf('/') + 1;
  const dot = path.lastIndexOf('.');
  const cut = dot > slash ? dot : path.length;
  const [stem, ext] = [path.slice(0, cut), path.slice(cut)];
  for (let n = 1; ; n++) {
    const candidate = `${stem} (my copy${n === 1 ? '' : ` ${n}`})${ext}`;
    if (!taken(candidate)) {
      return candidate;
    }
  }
}

/** A cell's text as a string (nbformat allows a list of lines). */
function sourceText(source: unknown): string {
  return Array.isArray(source) ? source.join('') : String(source ?? '');
}

/** Whether two notebooks have the same cells, kind and text (outputs and ids aside). */
export function sameCells(a: unknown, b: unknown): boolean {
  const cellsOf = (nb: unknown) =>
    (
      ((nb as { cells?: unknown[] })?.cells ?? []) as { cell_type?: string; source?: unknown }[]
    ).map((cell) => [cell.cell_type, sourceText(cell.source)]);
  return JSON.stringify(cellsOf(a)) === JSON.stringify(cellsOf(b));
}

/** The notice's words, in plain language. */
export function noticeText(shipped: ILessonVersion): string {
  const when = shipped.date ? ` (from ${shipped.date})` : '';
  return (
    `The site has a newer version of this lesson${when}. ` +
    'You are looking at your own saved copy, which started from an older one.'
  );
}

/** Where "Keep my copy" is remembered (localStorage), per notebook. */
export function keptKey(path: string): string {
  return `tour-lesson-versions:kept:${path}`;
}
