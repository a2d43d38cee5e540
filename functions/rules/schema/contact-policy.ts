import * as z from 'zod';
import { wholeNumber } from './fields';
import { strictObject } from './strict-object';

/** How often a debtor may be contacted: at most `maxContacts` in `windowDays`, at least `minHoursBetween` apart. */
export const ContactPolicySchema = strictObject({
  maxContacts: wholeNumber('contacts', 1, 1000),
  windowDays: wholeNumber('days', 1, 365),
  minHoursBetween: z
    .number({ error: 'must be a number of hours from 0 to 8760' })
    .min(0, { error: 'must be a number of hours from 0 to 8760' })
    .max(24 * 365, { error: 'must be a number of hours from 0 to 8760' }),
});
