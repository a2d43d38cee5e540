import { join } from 'node:path';
import { Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { loadDunningConfig, PROJECT_ROOT } from '../../lib/config';
import { DunningStack } from '../../lib/dunning-stack';
import { acknowledgements, findingsOf } from './nag-findings';
import { sharedDunningStack, testApp } from './stack-under-test';

const { app, stack } = sharedDunningStack();
const packs = () => [new AwsSolutionsChecks(), new ServerlessChecks()];

describe('cdk-nag finds nothing unacknowledged', () => {
  it('passes the AwsSolutions pack (errors and warnings)', () => {
    expect(findingsOf(new AwsSolutionsChecks(), app).map((f) => f.text)).toEqual([]);
  });

  it('passes the Serverless pack (errors and warnings)', () => {
    expect(findingsOf(new ServerlessChecks(), app).map((f) => f.text)).toEqual([]);
  });

  it('synthesizes the shipped config with both packs registered as validation plugins', () => {
    // Prepare: the shipped config (no operator emails, no configuration set).
    const plain = testApp();
    new DunningStack(plain, 'Dunning', { config: loadDunningConfig(join(PROJECT_ROOT, 'dunning.config.json')) });
    Validations.of(plain).addPlugins(new AwsSolutionsChecks(plain), new ServerlessChecks(plain));

    // Act / Assess: a plugin violation interrupts synthesis with an error.
    expect(() => plain.synth()).not.toThrow();
  });
});

describe('every acknowledgement is narrow and explained', () => {
  const ours = acknowledgements(app).filter((a) => /^(AwsSolutions|Serverless)-/.test(a.id));

  it('carries a reason of at least a sentence', () => {
    expect(ours.length).toBeGreaterThan(0);
    for (const ack of ours) expect(ack.reason.length, `${ack.id} at ${ack.path}`).toBeGreaterThanOrEqual(40);
  });

  it('sits on the construct it is about, never on the whole stack or app', () => {
    const paths = new Set(ours.map((a) => a.path));
    expect(paths).not.toContain(stack.node.path);
    expect(paths).not.toContain(app.node.path);
  });

  it('acknowledges wildcard IAM findings one by one, never the whole IAM5 rule', () => {
    const iam5 = ours.filter((a) => a.id.startsWith('AwsSolutions-IAM5'));
    expect(iam5.length).toBeGreaterThan(0);
    for (const ack of iam5) expect(ack.id, ack.path).toMatch(/^AwsSolutions-IAM5\[Resource::.+\]$/);
  });

  it('silences a finding that really fires (no stale acknowledgements)', () => {
    // Act
    const raw = packs().flatMap((pack) => findingsOf(pack, app, true));

    // Assess
    const stale = ours.filter(
      (ack) => !raw.some((f) => f.id === ack.id && (f.path === ack.path || f.path.startsWith(`${ack.path}/`))),
    );
    expect(stale).toEqual([]);
  });
});
