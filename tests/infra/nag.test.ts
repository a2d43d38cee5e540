import { join } from 'node:path';
import { Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, type NagPack, ServerlessChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { describe, expect, it } from 'vitest';
import { loadDunningConfig, PROJECT_ROOT } from '../../lib/config';
import { DunningStack } from '../../lib/dunning-stack';
import { sharedDunningStack, testApp } from './stack-under-test';

interface Finding {
  readonly id: string;
  readonly path: string;
  readonly text: string;
}

/** Findings of a pack over the tree; `ignoringAcknowledgements` shows what the acknowledgements hide. */
function findingsOf(pack: NagPack, scope: IConstruct, ignoringAcknowledgements = false): Finding[] {
  if (ignoringAcknowledgements) Object.defineProperty(pack, 'isAcknowledged', { value: () => false });
  return pack.validateScope(scope).violations.flatMap((v) =>
    v.violatingResources.map((r) => {
      const path = r.constructPath ?? r.resourceLogicalId ?? '?';
      return { id: v.ruleName, path, text: `${v.ruleName} (${v.severity}) at ${path}: ${v.description}` };
    }),
  );
}

/** Every acknowledgement recorded in the tree: where, which rule, why. */
function acknowledgements(scope: IConstruct): { path: string; id: string; reason: string }[] {
  return scope.node.findAll().flatMap((c) =>
    c.node.metadata
      .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((m) =>
        Object.entries(m.data as Record<string, string>).map(([id, reason]) => ({
          path: c.node.path,
          id: id.replace(/^annotation::/i, ''),
          reason,
        })),
      ),
  );
}

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
