import { join } from 'node:path';
import { AssetHashType, DockerImage, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Architecture, Code, LayerVersion, Runtime } from 'aws-cdk-lib/aws-lambda';
import type { Construct } from 'constructs';
import { PROJECT_ROOT } from '../config';
import { SDK_LAYER_PACKAGES, writeSdkLayer } from '../lambda/sdk-layer-content';

const LAYER_ID = 'AwsSdkLayer';

/**
 * The AWS SDK for JavaScript v3 as one Lambda layer shared by every function of the stack: the packages the
 * handlers import (`SDK_LAYER_PACKAGES`) and all they depend on, copied from this project's `node_modules` — the
 * versions package-lock.json pins and the tests ran — in CommonJS form (`nodejs/node_modules`, which Lambda puts on
 * `NODE_PATH` ahead of the runtime's own SDK). The handler bundles leave the SDK out, so each stays small.
 *
 * Built locally when the stack synthesizes (no Docker); the asset hash is the content's, so a new SDK version makes a
 * new layer version.
 */
export class AwsSdkLayer extends LayerVersion {
  /** The stack's one SDK layer, created on first use. */
  static of(scope: Construct): AwsSdkLayer {
    const stack = Stack.of(scope);
    const existing = stack.node.tryFindChild(LAYER_ID);
    return existing instanceof AwsSdkLayer ? existing : new AwsSdkLayer(stack, LAYER_ID);
  }

  private constructor(scope: Construct, id: string) {
    super(scope, id, {
      description: `AWS SDK for JavaScript v3 at the tested versions (${SDK_LAYER_PACKAGES.join(', ')} and their dependencies)`,
      compatibleRuntimes: [Runtime.NODEJS_22_X],
      compatibleArchitectures: [Architecture.ARM_64],
      removalPolicy: RemovalPolicy.DESTROY,
      code: Code.fromAsset(join(PROJECT_ROOT, 'lib', 'lambda'), {
        assetHashType: AssetHashType.OUTPUT,
        bundling: {
          // Required by the API; never pulled: local bundling always succeeds (a copy of installed packages).
          image: DockerImage.fromRegistry('public.ecr.aws/sam/build-nodejs22.x'),
          local: {
            tryBundle(outputDir: string): boolean {
              const packages = writeSdkLayer(PROJECT_ROOT, outputDir);
              process.stderr.write(`AWS SDK layer: ${packages.length} packages copied from node_modules\n`);
              return true;
            },
          },
        },
      }),
    });
  }
}
