import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { defaultDataFiles } from '@tributary/catalogue';
import { CaseError, type EvaluationSet, loadEvaluationSet } from '@tributary/evaluation';
import { UsageError } from '@tributary/terminal';
import { type CommandContext } from '../context';

/**
 * `--eval-set <dir>` (that set), `--no-eval-set` (none), neither (the data directory's eval/cases
 * when it is there). The cases are judged against the data directory's catalogue.jsonl, the one
 * `npm run eval` and `npm run data:load` read.
 */
export async function resolveEvaluationSet(
  ctx: CommandContext,
  option: string | false | undefined,
): Promise<EvaluationSet | undefined> {
  if (option === false) return undefined;
  const dataDir = ctx.config.dataDir;
  const dir = option ?? join(dataDir, 'eval', 'cases');
  if (!existsSync(dir)) {
    if (option === undefined) return undefined;
    throw new UsageError(`--eval-set: no directory ${dir}`);
  }
  try {
    return await loadEvaluationSet({ dir, ...defaultDataFiles(dataDir) });
  } catch (error) {
    if (error instanceof CaseError) throw new UsageError(`--eval-set: ${error.message}`, { cause: error });
    throw error;
  }
}
