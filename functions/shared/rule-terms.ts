import { parseRuleTermsBook, type RuleTermsBook } from '../domain/rule-terms';
import { ENV, requireEnv } from './environment';

/** The terms of each billing rule (`RULE_TERMS`), read once at module load by the handlers that need them. */
export const ruleTermsFromEnv = (): RuleTermsBook => parseRuleTermsBook(requireEnv(ENV.RULE_TERMS), ENV.RULE_TERMS);
