import type { CompanyIdentity } from '../messages';
import { ENV, optionalEnv, requireEnv } from '../platform/environment';

export const companyIdentity = (): CompanyIdentity => {
  const supportContact = optionalEnv(ENV.COMPANY_SUPPORT_CONTACT);
  return {
    legalName: requireEnv(ENV.COMPANY_LEGAL_NAME),
    taxId: requireEnv(ENV.COMPANY_TAX_ID),
    ...(supportContact ? { supportContact } : {}),
  };
};
export const ruleId = () => requireEnv(ENV.RULE_ID);
