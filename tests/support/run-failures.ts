// What failed in a run, in a few lines: CI shows only the end of the output, and the stack's report printed after a
// failed run (stack-watch.ts) would otherwise push vitest's own summary out of sight. Printed last, after the report.

/** The parts of a vitest task this reads (a file, a suite or a test). */
export type TaskLike = {
  readonly name: string;
  readonly type?: string;
  readonly result?: { readonly state?: string; readonly errors?: readonly { readonly message?: string }[] };
  readonly tasks?: readonly TaskLike[];
};

/** One line per failed test, file or hook: `file > suite > test: first line of the error`. */
export function failureLines(files: readonly TaskLike[], limit = 30): string[] {
  const lines: string[] = [];
  const visit = (task: TaskLike, path: readonly string[]): void => {
    const here = [...path, task.name];
    const children = task.tasks ?? [];
    const failedChild = children.some((c) => c.result?.state === 'fail');
    // A suite or file that failed without a failing child failed in a hook or at collection: it is the line.
    if (task.result?.state === 'fail' && !failedChild) {
      const message = (task.result.errors?.[0]?.message ?? 'failed').split('\n')[0]?.slice(0, 300) ?? 'failed';
      lines.push(`${here.join(' > ')}: ${message}`);
    }
    for (const child of children) visit(child, here);
  };
  for (const file of files) visit(file, []);
  return lines.length > limit ? [...lines.slice(0, limit), `… and ${lines.length - limit} more`] : lines;
}
