import { type Draft, type Plan } from '@tributary/contracts';
import {
  type CallOptions,
  type DraftInput,
  type LlmPort,
  type PlanInput,
  type ReviewInput,
  type ReviewJudgement,
} from '@tributary/llm';

/**
 * An LLM port that answers from a script, one answer per call in order (the last one repeats),
 * and keeps every input it was given. A call with nothing scripted fails the test.
 */
export class ScriptedLlm implements LlmPort {
  readonly provider = 'scripted';
  readonly inputs = { plan: [] as PlanInput[], draft: [] as DraftInput[], review: [] as ReviewInput[] };

  constructor(
    private readonly script: {
      readonly plan?: readonly Plan[];
      readonly draft?: readonly Draft[];
      readonly review?: readonly ReviewJudgement[];
    },
  ) {}

  plan(input: PlanInput, _opts: CallOptions): Promise<Plan> {
    return answer('plan', this.script.plan, this.inputs.plan, input);
  }

  draft(input: DraftInput, _opts: CallOptions): Promise<Draft> {
    return answer('draft', this.script.draft, this.inputs.draft, input);
  }

  review(input: ReviewInput, _opts: CallOptions): Promise<ReviewJudgement> {
    return answer('review', this.script.review, this.inputs.review, input);
  }
}

function answer<I, T>(method: string, script: readonly T[] | undefined, inputs: I[], input: I): Promise<T> {
  inputs.push(input);
  const reply = script?.[Math.min(inputs.length, script.length) - 1];
  return reply === undefined
    ? Promise.reject(new Error(`ScriptedLlm: no ${method} answer scripted`))
    : Promise.resolve(structuredClone(reply));
}
