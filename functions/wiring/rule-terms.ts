import { ENV, requireEnv } from '../platform/environment';
import { parseRuleTermsBook, type RuleTermsBook } from '../rules/rule-terms';

/** The terms of each billing rule (`RULE_TERMS`), read once at module load by the handlers that need them. */
export const ruleTermsFromEnv = (): RuleTermsBook => parseRuleTermsBook(requireEnv(ENV.RULE_TERMS), ENV.RULE_TERMS);
