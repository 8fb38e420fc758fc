#!/usr/bin/env node
// Fetch onnxruntime-node's CUDA execution provider (libonnxruntime_providers_cuda.so and _shared.so, CUDA 12 +
// cuDNN 9, from NuGet) into every onnxruntime-node copy @trade-r1/policy uses: the one transformers.js loads (text
// policy) and its own (action policy). It runs onnxruntime-node's own install script with
// ONNXRUNTIME_NODE_INSTALL=cuda12, so it works whatever the package manager did with dependency build scripts
// (pnpm 10 runs none unless approved; this repository lists onnxruntime-node under ignoredBuiltDependencies).
//
//   npx trade-r1-install-cuda            # or: pnpm exec trade-r1-install-cuda
//   npx trade-r1-install-cuda --flavour=cuda12
//
// Proxies: onnxruntime-node's script honours GLOBAL_AGENT_HTTPS_PROXY / GLOBAL_AGENT_HTTP_PROXY.
//
// onnxruntime-node 1.30's flag parser drops the value `cuda12` (its switch has no return for it), so the script
// believes no flag was given; run from npm or npx (which set npm_config_local_prefix and npm_package_json) it then
// takes the "local install" shortcut and exits 0 having installed nothing. This command therefore runs the script
// without those two variables and checks afterwards that the provider libraries are there.
import { spawnSync } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: { flavour: { type: 'string', default: 'cuda12' }, help: { type: 'boolean' } },
});
if (values.help) {
  process.stdout.write('Usage: trade-r1-install-cuda [--flavour=cuda12]\n');
  process.exit(0);
}
if (process.platform !== 'linux' || process.arch !== 'x64') {
  console.error(`onnxruntime-node ships no CUDA provider download for ${process.platform}/${process.arch}`);
  process.exit(1);
}

const require = createRequire(import.meta.url);
const roots = new Set();
const addRoot = (fromRequire) => {
  try {
    roots.add(realpathSync(dirname(dirname(fromRequire.resolve('onnxruntime-node')))));
  } catch {
    // not installed beside this resolver
  }
};
addRoot(require);
try {
  addRoot(createRequire(require.resolve('@huggingface/transformers')));
} catch {
  // transformers.js not resolvable: only the direct copy
}
if (roots.size === 0) {
  console.error('onnxruntime-node could not be resolved from @trade-r1/policy');
  process.exit(1);
}

const PROVIDER_FILES = ['libonnxruntime_providers_cuda.so', 'libonnxruntime_providers_shared.so'];
let status = 0;
for (const root of roots) {
  const script = join(root, 'script', 'install.js');
  if (!existsSync(script)) {
    console.error(`${root} has no script/install.js`);
    status = 1;
    continue;
  }
  process.stdout.write(`Installing the ${values.flavour} execution provider into ${root}\n`);
  const env = { ...process.env, ONNXRUNTIME_NODE_INSTALL: values.flavour };
  delete env.npm_config_local_prefix;
  delete env.npm_package_json;
  const result = spawnSync(process.execPath, [script], { cwd: root, stdio: 'inherit', env });
  if (result.status !== 0) {
    status = result.status ?? 1;
    continue;
  }
  const bin = join(root, 'bin', 'napi-v6', process.platform, process.arch);
  const missing = PROVIDER_FILES.filter((file) => !existsSync(join(bin, file)));
  if (missing.length > 0) {
    console.error(`onnxruntime-node's install script exited without installing ${missing.join(', ')} into ${bin}`);
    status = 1;
  }
}
process.exit(status);
