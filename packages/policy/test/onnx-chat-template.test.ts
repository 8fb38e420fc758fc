import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeLlamaTestModel } from '../src/testing/llama.ts';
import { createOnnxPolicy } from '../src/text/onnx-policy.ts';
import { temporaryDirectory } from './helpers.ts';

// The enable_thinking switch of Qwen3's chat template (its generation-prompt part), on a ChatML test tokenizer.
const QWEN3_STYLE =
  "{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>\\n' }}{% endfor %}" +
  "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% if enable_thinking is defined and enable_thinking is false %}{{ '<think>\\n\\n</think>\\n\\n' }}{% endif %}{% endif %}";

let workspace: { dir: string; cleanup: () => Promise<void> };
let modelDir: string;

beforeAll(async () => {
  workspace = await temporaryDirectory();
  const model = await writeLlamaTestModel({ dir: join(workspace.dir, 'qwen3-style'), seed: 4 });
  modelDir = model.dir;
  const configPath = join(modelDir, 'tokenizer_config.json');
  const config = JSON.parse(await readFile(configPath, 'utf8')) as Record<string, unknown>;
  await writeFile(configPath, JSON.stringify({ ...config, chat_template: QWEN3_STYLE }));
});

afterAll(async () => {
  await workspace?.cleanup();
});

describe('chat-template options', () => {
  const messages = [{ role: 'user' as const, content: 'Buy or sell?' }];

  it('passes chatTemplateKwargs to the template (Qwen3 enable_thinking)', async () => {
    const thinking = await createOnnxPolicy({ model: modelDir, device: 'cpu' });
    const direct = await createOnnxPolicy({
      model: modelDir,
      device: 'cpu',
      chatTemplateKwargs: { enable_thinking: false },
    });
    const decode = (ids: number[]) => thinking.tokenizerInstance.decode(ids);
    expect(decode(thinking.encodePrompt(messages))).toBe(
      '<|im_start|>user\nBuy or sell?<|im_end|>\n<|im_start|>assistant\n',
    );
    expect(decode(direct.encodePrompt(messages))).toBe(
      '<|im_start|>user\nBuy or sell?<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\n',
    );
    // Generation renders prompts the same way.
    const result = await direct.generate({ prompts: [messages], maxNewTokens: 2, seed: 1 });
    expect(result.completions[0]?.[0]?.promptTokenCount).toBe(direct.encodePrompt(messages).length);
    await thinking.close();
    await direct.close();
  });

  it('renders with a chatTemplate given instead of the tokenizer’s, and rejects misspelled options', async () => {
    const custom = await createOnnxPolicy({
      model: modelDir,
      device: 'cpu',
      chatTemplate:
        "{% for message in messages %}{{ message['role'] + ': ' + message['content'] + '\\n' }}{% endfor %}A:",
    });
    expect(custom.tokenizerInstance.decode(custom.encodePrompt(messages))).toBe('user: Buy or sell?\nA:');
    await custom.close();
    await expect(
      createOnnxPolicy({ model: modelDir, device: 'cpu', chatTemplateKwarg: {} } as never),
    ).rejects.toMatchObject({
      code: 'INVALID_INPUT',
    });
  });
});
