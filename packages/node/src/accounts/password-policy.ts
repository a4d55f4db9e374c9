import type { ZxcvbnFactory } from '@zxcvbn-ts/core';

/** zxcvbn's scale is 0–4; 3 is "safely unguessable: moderate protection from offline slow-hash scenario". */
export const MIN_PASSWORD_SCORE = 3;

let estimator: Promise<ZxcvbnFactory> | undefined;

/**
 * The dictionaries take a few MiB, so they are loaded on the first account created,
 * not when a node starts: an idle node does not pay for them.
 */
function loadEstimator(): Promise<ZxcvbnFactory> {
  estimator ??= (async () => {
    const [{ ZxcvbnFactory }, common, en] = await Promise.all([
      import('@zxcvbn-ts/core'),
      import('@zxcvbn-ts/language-common'),
      import('@zxcvbn-ts/language-en'),
    ]);
    return new ZxcvbnFactory({
      dictionary: { ...common.dictionary, ...en.dictionary },
      graphs: common.adjacencyGraphs,
      translations: en.translations,
    });
  })();
  estimator.catch(() => {
    estimator = undefined;
  });
  return estimator;
}

/** Whether the estimator's dictionaries have been loaded in this process. */
export const passwordEstimatorLoaded = (): boolean => estimator !== undefined;

/**
 * Why `password` is too weak for an account (too guessable for zxcvbn, counting the
 * user name and the node's name and id as words an attacker would try first), or
 * undefined if it is strong enough.
 */
export async function passwordWeakness(password: string, userInputs: string[]): Promise<string | undefined> {
  if (password.length < 12) return 'passwords must be at least 12 characters';
  const result = (await loadEstimator()).check(password, userInputs.filter(Boolean));
  if (result.score >= MIN_PASSWORD_SCORE) return undefined;
  const advice = [result.feedback.warning, ...result.feedback.suggestions].filter(Boolean).join(' ');
  return `password too easy to guess (strength ${result.score} of 4, at least ${MIN_PASSWORD_SCORE} needed)${advice ? `: ${advice}` : ''}`;
}
