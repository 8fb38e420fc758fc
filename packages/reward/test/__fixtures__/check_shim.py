"""Drive trade_r1_reward.py against a live server; print one JSON object of observations."""
import asyncio
import json
import os
import sys
from types import SimpleNamespace

import trade_r1_reward as shim

url = sys.argv[1]
token = sys.argv[2]
out = {}

if len(sys.argv) > 3 and sys.argv[3] == "retry":
    # The server is saturated (503 + Retry-After) until the test releases it; the client must retry through it.
    retrying = shim.RewardClient(url, token=token, timeout=10, retries=5, backoff=0.05)
    print(json.dumps({"score": retrying.score("p", "r", {"r": 0.1, "s": 0.5})}))
    sys.exit(0)

client = shim.RewardClient(url, token=token, timeout=10, retries=2, backoff=0.01)
out["health"] = client.health()
out["get_reward"] = client.get_reward(
    queries=["P1 [[BUY]] up", "P2 down"],
    prompts=["P1 ", "P2 "],
    labels=[{"r": 0.1, "s": 0.5}, {"r": -0.1, "s": 0.2}],
)
out["score"] = client.score("p", "resp", {"r": 0.2, "s": 1.0})
out["group"] = client.group("p", ["a", "b", "c", "d"], {"r": 0.1, "s": 0.5})

reward_fn = shim.make_trl_reward_func(url, token=token, label_key="label", batch_size=2, max_workers=2)
out["trl_name"] = reward_fn.__name__
extras = {}
metrics = {}
out["trl"] = reward_fn(
    prompts=[[{"role": "user", "content": "q1"}], "q2", "q3"],
    completions=[[{"role": "assistant", "content": "[[BUY]]"}], "plain", "skip"],
    label=[{"r": 0.1, "s": 1.0}, {"r": -0.2, "s": 0.0}, None],
    log_extra=lambda column, values: extras.__setitem__(column, values),
    log_metric=lambda metric, value: metrics.__setitem__(metric, value),
)
out["trl_extras"] = extras
out["trl_metrics"] = metrics

os.environ["TRADE_R1_REWARD_URL"] = url
os.environ["TRADE_R1_REWARD_TOKEN"] = token
out["verl"] = shim.compute_score("trade", "[[SELL]]", {"r": -0.1, "s": 0.5}, extra_info={"prompt": "p", "index": 3})


def verl_collate(infos):
    """veRL's reward loop: keys of the first sample, then [info[key] for info in infos] (KeyError if one lacks it)."""
    keys = list(infos[0].keys())
    return {key: [info[key] for info in infos] for key in keys}


# veRL per-sample path over a scored and a skipped (null-reward) sample: same keys, so collation works.
per_sample = [
    shim.compute_score("trade", "[[BUY]]", None, extra_info={"prompt": "p"}),
    shim.compute_score("trade", "[[BUY]]", {"r": 0.3, "s": 0.5}, extra_info={"prompt": "p"}),
]
out["verl_collated"] = verl_collate(per_sample)
# veRL batch manager: compute_score(data_sources, solution_strs, ground_truths, extra_infos) -> list of dicts.
batch = shim.compute_score_batch(
    ["trade", "trade", "trade"],
    ["[[BUY]]", "x", "[[SELL]]"],
    [None, {"r": 0.1, "s": 1.0}, {"r": -0.1, "s": 0.0}],
    [{"prompt": "p"}, {"prompt": "q"}, {}],
)
out["verl_batch"] = verl_collate(batch)


class Sample:
    """The fields of slime's Sample that a reward function reads (slime/utils/types.py)."""

    def __init__(self, prompt, response, label):
        self.prompt = prompt
        self.response = response
        self.label = label
        self.reward = None


async def slime_calls():
    args = SimpleNamespace(rm_url=url + "/slime", group_rm=True, custom_rm_path="trade_r1_reward.slime_rm")
    # slime's load_function("module.attr") then async_rm(args, sample) / batched_async_rm(args, samples, **kwargs).
    module_name, attr = args.custom_rm_path.rsplit(".", 1)
    rm_function = getattr(__import__(module_name), attr)
    single = await rm_function(args, Sample("p", "r", {"r": 0.2, "s": 1.0}))
    group = [Sample("p1", "a", {"r": 0.1, "s": 0.5}), Sample("p2", "b", {"r": -0.1, "s": 0.5}),
             Sample("p1", "c", None), Sample("p1", "d", {"r": 0.1, "s": 1.0})]
    rewards = await rm_function(args, group, inplace_set_reward_field=True)
    return {"single": single, "group": rewards, "inplace": [sample.reward for sample in group]}


os.environ["TRADE_R1_REWARD_MISSING_VALUE"] = "-0.5"
out["slime"] = asyncio.run(slime_calls())

# The hooks file docs/rewards.md quotes, called once each as the trainers would.
import trainer_hooks  # noqa: E402  (reads TRADE_R1_REWARD_URL / TRADE_R1_REWARD_TOKEN set above)

hooks_args = SimpleNamespace(rm_url=None)
out["hooks"] = {
    "trl": trainer_hooks.trl_reward(prompts=["p"], completions=["[[BUY]]"], label=[{"r": 0.1, "s": 1.0}]),
    "verl": trainer_hooks.compute_score("trade", "x", {"r": 0.1, "s": 1.0}, extra_info={"prompt": "p"})["score"],
    "verl_batch": [row["score"] for row in trainer_hooks.compute_score_batch(["t"], ["x"], [{"r": 0.1, "s": 1.0}], [{}])],
    "slime": asyncio.run(trainer_hooks.slime_rm(hooks_args, [Sample("p", "x", {"r": 0.1, "s": 1.0})])),
}

try:
    client.score("p", "r", {"r": 5, "s": 3})
    out["bad_input"] = "no error"
except shim.RewardServerError as error:
    out["bad_input"] = {"status": error.status, "code": error.code}

try:
    shim.RewardClient(url, token="wrong", retries=3, backoff=0.01).health()
    shim.RewardClient(url, token="wrong", retries=3, backoff=0.01).score("p", "r", {"r": 0, "s": 0})
    out["auth"] = "no error"
except shim.RewardServerError as error:
    out["auth"] = {"status": error.status, "code": error.code}

try:
    shim.RewardClient("http://127.0.0.1:9", retries=1, backoff=0.01, timeout=2).health()
    out["unreachable"] = "no error"
except shim.RewardServerError as error:
    out["unreachable"] = str(error)[:40]

failing = shim.make_trl_reward_func("http://127.0.0.1:9", retries=0, timeout=2)
out["trl_unreachable"] = failing(prompts=["a"], completions=["b"], label=[None])

print(json.dumps(out))
