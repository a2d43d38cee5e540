import { describe, expect, it } from 'vitest';
import { intersectHours } from '../../../functions/calendar/business-hours';
import { contactHours, messageChannelsOf, parseBillingRule } from '../../../functions/rules/billing-rule';
import defaultRuleJson from '../../../rules/default.json';
import { designExample, issuesOf, weekdayHours } from '../../support/billing-rules';

describe('per-channel hours replace businessHours for their channel', () => {
  it('accepts channelHours for sms and email and keeps them as written', () => {
    // Prepare
    const rule = {
      ...designExample,
      channelHours: { sms: weekdayHours(['09:00', '18:00']), email: weekdayHours(['07:00', '22:00']) },
    };

    // Act
    const parsed = parseBillingRule(rule);

    // Assess
    expect(parsed.channelHours?.sms?.mon).toEqual([['09:00', '18:00']]);
    expect(parsed.channelHours?.email?.fri).toEqual([['07:00', '22:00']]);
  });

  it('opens a stage only when every message channel is open: the intersection of their hours', () => {
    // Prepare
    const rule = parseBillingRule({
      ...designExample,
      channelHours: {
        sms: {
          mon: [
            ['09:00', '12:00'],
            ['13:00', '21:00'],
          ],
          sat: [['10:00', '11:00']],
        },
      },
    });

    // Act
    const both = contactHours(rule, ['email', 'sms']);
    const emailOnly = contactHours(rule, ['email']);
    const none = contactHours(rule);

    // Assess: email uses businessHours (Mon 08–20, Sat 08–14), sms its own hours
    expect(both.mon).toEqual([
      ['09:00', '12:00'],
      ['13:00', '20:00'],
    ]);
    expect(both.sat).toEqual([['10:00', '11:00']]);
    expect(both.tue).toEqual([]);
    expect(emailOnly).toBe(rule.businessHours);
    expect(none).toBe(rule.businessHours);
  });

  it('intersects windows that touch as closed, and lists the message channels of a stage without escalate', () => {
    expect(intersectHours({ mon: [['08:00', '12:00']] }, { mon: [['12:00', '13:00']] }).mon).toEqual([]);
    expect(intersectHours({ sun: [['00:00', '24:00']] }, { sun: [['23:00', '24:00']] }).sun).toEqual([
      ['23:00', '24:00'],
    ]);
    const rule = parseBillingRule(defaultRuleJson);
    expect(rule.stages.map(messageChannelsOf)).toEqual([
      ['email'],
      ['email', 'sms'],
      ['sms'],
      ['email', 'sms'],
      ['email'],
      [],
    ]);
  });

  it('rejects an unknown channel, empty channel hours and a stage whose channels are never open together', () => {
    expect(issuesOf({ ...designExample, channelHours: { fax: weekdayHours(['09:00', '18:00']) } })).toEqual([
      'channelHours: unknown key "fax"; allowed: email, sms',
    ]);
    expect(issuesOf({ ...designExample, channelHours: { sms: { sun: [] } } })).toEqual([
      'channelHours.sms: channelHours.sms has no open hours: no message could ever be sent',
    ]);
    expect(issuesOf({ ...designExample, channelHours: { sms: { sun: [['10:00', '12:00']] } } })).toEqual([
      'stages.1.actions: email and sms are never open at the same time (businessHours (email) vs channelHours.sms): all actions of a stage go out together, so this stage could never be sent',
    ]);
  });
});
