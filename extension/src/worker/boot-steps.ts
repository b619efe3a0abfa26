/**
 * How far the kernel's boot has got, told to the page (kernel.ts), which marks each step on
 * its performance timeline (`performance.getEntriesByType('mark')`, the browser's developer
 * tools): a Python that never becomes ready then shows where it stopped. In a worker booted
 * ahead the first steps come before any kernel listens: each message carries them all.
 */

/** The key of the worker's message with the boot's steps so far. */
export const BOOT_STEPS_MESSAGE = '_tourBootSteps';

/** A step's name and when it was reached, in ms since the worker started. */
export type BootStep = [string, number];

const steps: BootStep[] = [];

export function bootStep(name: string): void {
  steps.push([name, Math.round(performance.now())]);
  postMessage({ [BOOT_STEPS_MESSAGE]: steps });
}
