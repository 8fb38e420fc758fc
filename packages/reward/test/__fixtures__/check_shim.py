"""Drive trade_r1_reward.py against a live server; print one JSON object of observations."""
import json
import os
import sys

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
