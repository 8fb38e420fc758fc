"""Wiring one reward server into each trainer (imported and called by the reward package's tests).

Start the server first (``trade-r1-reward-server --reward ./my-reward.mjs --port 8000``), set
``TRADE_R1_REWARD_URL`` (and ``TRADE_R1_REWARD_TOKEN`` if it has a token), and point the trainer at
the hook below. ``trade_r1_reward.py`` must be importable (next to this file or on ``PYTHONPATH``).
"""
import os

import trade_r1_reward as shim

URL = os.environ.get("TRADE_R1_REWARD_URL", "http://127.0.0.1:8000")
TOKEN = os.environ.get("TRADE_R1_REWARD_TOKEN")

# TRL: GRPOTrainer(model=..., reward_funcs=[trl_reward], ...). A sample without a reward comes back
# as None, which TRL leaves out of the group statistics when no other reward function scores it.
trl_reward = shim.make_trl_reward_func(URL, token=TOKEN, label_key="label", on_error="none")

# veRL, one call per sample (naive reward manager):
#   custom_reward_function.path=trainer_hooks.py custom_reward_function.name=compute_score
compute_score = shim.make_verl_compute_score(URL, token=TOKEN)

# veRL, one call per batch: reward_model.reward_manager=batch custom_reward_function.name=compute_score_batch
compute_score_batch = shim.make_verl_batch_compute_score(URL, token=TOKEN)

# slime: --custom-rm-path trainer_hooks.slime_rm --rm-url $TRADE_R1_REWARD_URL, plus --group-rm to
# hand the reward whole GRPO groups (scored through /group).
slime_rm = shim.slime_rm
