"""slime --group-rm with --custom-rm-path trade_r1_reward.slime_rm: one GRPO group handed over as a list.

argv: server URL, JSON list of labels (one sample each, all of one prompt). Prints the rewards as JSON.
"""
import asyncio
import importlib
import json
import sys
from types import SimpleNamespace


class Sample:
    """The fields of slime's Sample that a reward function reads (slime/utils/types.py)."""

    def __init__(self, prompt, response, label):
        self.prompt = prompt
        self.response = response
        self.label = label
        self.reward = None


async def main():
    url, labels = sys.argv[1], json.loads(sys.argv[2])
    args = SimpleNamespace(rm_url=url + "/slime", group_rm=True, custom_rm_path="trade_r1_reward.slime_rm")
    # slime's batched_async_rm: load_function(args.custom_rm_path), then await rm_function(args, samples, **kwargs).
    module_name, attr = args.custom_rm_path.rsplit(".", 1)
    rm_function = getattr(importlib.import_module(module_name), attr)
    samples = [Sample("the prompt", "response %d" % index, label) for index, label in enumerate(labels)]
    return await rm_function(args, samples)


print(json.dumps(asyncio.run(main())))
