export { CaseError, type EvalCase, judgementOf, loadCases, requestOf } from './cases';
export {
  CaseIndex,
  coverageOf,
  type EvaluationSet,
  loadEvaluationSet,
  type RequestKey,
} from './evaluation-set';
export {
  constraintViolations,
  dcg,
  type Exclusions,
  grade,
  type Grade,
  type HardConstraints,
  type Intent,
  intentGrade,
  intentsCovered,
  intraListDiversity,
  isExcluded,
  type JudgedItem,
  type Judgement,
  mean,
  ndcgAtK,
  percentile,
  type ReviewedRound,
  reviseOutcomes,
} from './metrics';
