import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runImportBench } from './importBench';
import { describeMachine } from './machine';
import { runStoreBench } from './store.bench';
import { runProxyBench } from './proxyBench';
import { runExportBench } from './exportBench';
import { runPlayerBench } from './playerBench';
import { runEditDurabilityBench } from './editDurabilityBench';
import { runOverlayBench } from './overlayBench';
import { runTimelineBench } from './timelineBench';
import { runAgreementBench } from './agreementBench';
import { runSyncBench } from './syncBench';
import { runStripBench } from './stripBench';
import { runPreannotationBench } from './preannotationBench';
import { runWithdrawalBench } from './withdrawalBench';
import { runAuditBench } from './auditBench';
import { runDoublePullBench } from './doublePullBench';
import { runPreannotationWebglBench } from './preannotationWebglBench';
import { runCliStartBench } from './cliStartBench';
import { runTeamPullBench } from './teamPullBench';
import { runActionCountBench } from './actionCountBench';
import { runDeliveryBench } from './deliveryBench';
import { runBlurBench } from './blurBench';

const root = import.meta.dirname;
const workDir = join(root, 'work');
const resultsDir = join(root, 'results');

type Bench = { name: string; run: () => Promise<Record<string, number>> };

const benches: Bench[] = [
  { name: 'import', run: () => runImportBench(workDir) },
  { name: 'store', run: runStoreBench },
  { name: 'proxy', run: () => runProxyBench(workDir) },
  { name: 'export', run: runExportBench },
  { name: 'player', run: () => runPlayerBench(workDir) },
  { name: 'edit-durability', run: () => runEditDurabilityBench(workDir) },
  { name: 'overlay', run: () => runOverlayBench(workDir) },
  { name: 'timeline', run: () => runTimelineBench(workDir) },
  { name: 'agreement', run: runAgreementBench },
  { name: 'sync', run: () => runSyncBench(workDir) },
  { name: 'strip', run: () => runStripBench(workDir) },
  { name: 'preannotation', run: () => runPreannotationBench(workDir) },
  { name: 'withdrawal', run: () => runWithdrawalBench(workDir) },
  { name: 'audit', run: () => runAuditBench(workDir) },
  { name: 'double-pull', run: runDoublePullBench },
  { name: 'preannotation-webgl', run: runPreannotationWebglBench },
  { name: 'cli-start', run: () => runCliStartBench() },
  { name: 'team-pull', run: runTeamPullBench },
  { name: 'action-count', run: runActionCountBench },
  { name: 'delivery', run: () => runDeliveryBench(workDir) },
  { name: 'blur', run: () => runBlurBench(workDir) },
];

const only = process.argv.slice(2);
mkdirSync(workDir, { recursive: true });
mkdirSync(resultsDir, { recursive: true });
const machine = describeMachine();
for (const bench of benches) {
  if (only.length > 0 && !only.includes(bench.name)) continue;
  const figures = await bench.run();
  const result = { bench: bench.name, at: new Date().toISOString(), machine, figures };
  writeFileSync(join(resultsDir, `${bench.name}.json`), JSON.stringify(result, null, 2) + '\n');
  console.log(`${bench.name}:`);
  for (const [key, value] of Object.entries(figures)) console.log(`  ${key.padEnd(28)} ${value}`);
}
