#!/usr/bin/env node
// CDK app entry (cdk.json: `npx tsx bin/app.ts`). Config: `-c config=<file>`, default dunning.config.json.
import { App } from 'aws-cdk-lib';
import { InvalidDunningConfig, loadDunningConfig, resolveConfigPath } from '../lib/config';
import { DunningStack } from '../lib/dunning-stack';

const app = new App();
try {
  const config = loadDunningConfig(resolveConfigPath(app.node.tryGetContext('config')));
  new DunningStack(app, 'Dunning', { config });
} catch (error) {
  if (!(error instanceof InvalidDunningConfig)) throw error;
  console.error(error.message);
  process.exit(1);
}
