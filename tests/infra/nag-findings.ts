import { Validations } from 'aws-cdk-lib';
import type { NagPack } from 'cdk-nag';
import type { IConstruct } from 'constructs';

export interface Finding {
  readonly id: string;
  readonly path: string;
  readonly text: string;
}

/** Findings of a pack over the tree; `ignoringAcknowledgements` shows what the acknowledgements hide. */
export function findingsOf(pack: NagPack, scope: IConstruct, ignoringAcknowledgements = false): Finding[] {
  if (ignoringAcknowledgements) Object.defineProperty(pack, 'isAcknowledged', { value: () => false });
  return pack.validateScope(scope).violations.flatMap((v) =>
    v.violatingResources.map((r) => {
      const path = r.constructPath ?? r.resourceLogicalId ?? '?';
      return { id: v.ruleName, path, text: `${v.ruleName} (${v.severity}) at ${path}: ${v.description}` };
    }),
  );
}

/** Every acknowledgement recorded in the tree: where, which rule, why. */
export function acknowledgements(scope: IConstruct): { path: string; id: string; reason: string }[] {
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
