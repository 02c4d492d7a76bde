// A revision cycle's field evaluation may cite implementation evaluations of the standardisation programme (effect
// evaluations, public satisfaction surveys, equalisation indicator sets; issue #18) as its evidence. Pure rules:
// the cited ids as given (at most 50, each once, each an identifier), then each id against what the approvals
// service knows of bps.programme.v1 (known, and about the field being evaluated).
import { maxCitedEvaluations, type CycleCitedEvaluation } from '../../../workflows/contracts';
import type { FieldViolation } from '../../shared/errors/errors';

export const CITED_IDS_FIELD = 'cited_evaluation_ids';

/** The ids as sent, trimmed; blank lines of a form are the caller's to drop, not ours: a blank id is refused. */
export function citedIdsViolations(ids: readonly string[]): FieldViolation[] {
  const violations: FieldViolation[] = [];
  if (ids.length > maxCitedEvaluations)
    violations.push({
      field: CITED_IDS_FIELD,
      description: `at most ${maxCitedEvaluations} evaluations may be cited (got ${ids.length})`,
      reason: 'TOO_MANY_CITATIONS',
    });
  const seen = new Set<string>();
  ids.forEach((raw, i) => {
    const id = raw.trim();
    if (id === '') violations.push({ field: `${CITED_IDS_FIELD}[${i}]`, description: 'an evaluation id is required', reason: 'EVALUATION_ID_REQUIRED' });
    else if (seen.has(id))
      violations.push({ field: `${CITED_IDS_FIELD}[${i}]`, description: `evaluation ${id} is cited more than once`, reason: 'DUPLICATE_CITATION' });
    seen.add(id);
  });
  return violations;
}

export type CitationRefusal = {
  readonly reason: 'EVALUATION_NOT_FOUND' | 'EVALUATION_OF_ANOTHER_FIELD';
  /** The evaluation id the refusal is about. */
  readonly subject: string;
  readonly message: string;
};

export type CitationResult =
  { readonly ok: true; readonly citations: readonly CycleCitedEvaluation[] } | { readonly ok: false; readonly refusals: readonly CitationRefusal[] };

/**
 * Each cited id resolved to what the approvals service recorded of it (`known`: id → evaluation), in the order
 * cited. Every id that cannot be cited is named: unknown ones first (the likelier mistake), then those of another field.
 */
export function resolveCitations(fieldCode: string, ids: readonly string[], known: ReadonlyMap<string, CycleCitedEvaluation>): CitationResult {
  const unknown: CitationRefusal[] = [];
  const foreign: CitationRefusal[] = [];
  const citations: CycleCitedEvaluation[] = [];
  for (const id of ids) {
    const evaluation = known.get(id);
    if (!evaluation) {
      unknown.push({
        reason: 'EVALUATION_NOT_FOUND',
        subject: id,
        message: `evaluation ${id} is not known to the approvals service: it was not recorded, or its bps.programme.evaluation.recorded event has not reached the approvals service yet (try again shortly)`,
      });
    } else if (evaluation.fieldCode !== fieldCode) {
      foreign.push({
        reason: 'EVALUATION_OF_ANOTHER_FIELD',
        subject: id,
        message: `evaluation ${id} (${evaluation.itemCode}) is of field ${evaluation.fieldCode || '(none)'}, not of ${fieldCode}`,
      });
    } else {
      citations.push(evaluation);
    }
  }
  const refusals = [...unknown, ...foreign];
  return refusals.length > 0 ? { ok: false, refusals } : { ok: true, citations };
}
