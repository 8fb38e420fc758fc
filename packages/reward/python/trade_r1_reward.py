"""Python client for the @trade-r1/reward HTTP server (standard library only).

Copy this file next to your training script (it ships in the npm package under
``python/trade_r1_reward.py``) and call the TypeScript reward server from any Python
RL trainer:

TRL (GRPOTrainer)::

    from trade_r1_reward import make_trl_reward_func
    reward_fn = make_trl_reward_func("http://127.0.0.1:8000", label_key="label")
    trainer = GRPOTrainer(model=..., reward_funcs=[reward_fn], ...)

veRL (custom_reward_function.path=trade_r1_reward.py)::

    export TRADE_R1_REWARD_URL=http://127.0.0.1:8000
    # per sample (naive/prime managers): custom_reward_function.name=compute_score
    #   compute_score(data_source, solution_str, ground_truth, extra_info=None) -> {"score": ..., ...}
    # whole batch (reward_model.reward_manager=batch): custom_reward_function.name=compute_score_batch
    #   compute_score_batch(data_sources, solution_strs, ground_truths, extra_infos) -> [{"score": ..., ...}]

OpenRLHF needs no client: it speaks the server's protocol natively::

    --reward.remote_url http://host:8000/get_reward           # older releases: --remote_rm_url

    (A comma-separated list of URLs splits each call's samples over them; it adds no capacity,
    since OpenRLHF sends one sample per call. To scale out, put several server processes behind
    one address: ``trade-r1-reward-server --processes N``.)

slime: ``--rm-type remote_rm --rm-url http://host:8000/slime --reward-key score``, or with
``--custom-rm-path trade_r1_reward.slime_rm`` (add ``--group-rm`` to score whole groups via ``/group``).
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable, Dict, List, Optional, Sequence

__all__ = [
    "RewardClient",
    "RewardServerError",
    "make_trl_reward_func",
    "make_verl_compute_score",
    "make_verl_batch_compute_score",
    "compute_score",
    "compute_score_batch",
    "slime_rm",
]

# Statuses worth retrying: overloaded (503), rate limited (429), gateway/timeouts (502, 504) and 500s.
_RETRY_STATUSES = {429, 500, 502, 503, 504}


class RewardServerError(RuntimeError):
    """The server answered with an error status (or could not be reached after every retry)."""

    def __init__(self, message: str, status: Optional[int] = None, code: Optional[str] = None, body: Any = None):
        super().__init__(message)
        self.status = status
        self.code = code
        self.body = body


class RewardClient:
    """Client for the reward server with per-call timeouts and retries with exponential backoff.

    Args:
        url: Base URL (``http://host:port``); a full ``.../get_reward`` URL is accepted too.
        token: Bearer token if the server was started with ``token``.
        timeout: Seconds per HTTP attempt.
        retries: Extra attempts after the first on connection errors and retryable statuses
            (429, 5xx). 4xx errors are never retried.
        backoff: Base delay in seconds; attempt ``k`` waits ``backoff * 2**k`` (capped at 30 s)
            plus up to 10% jitter, or the server's ``Retry-After``.
    """

    def __init__(
        self,
        url: str,
        token: Optional[str] = None,
        timeout: float = 60.0,
        retries: int = 3,
        backoff: float = 0.5,
    ) -> None:
        base = url.rstrip("/")
        for suffix in ("/get_reward", "/slime", "/group"):
            if base.endswith(suffix):
                base = base[: -len(suffix)]
        self.base_url = base
        self.token = token
        self.timeout = timeout
        self.retries = max(0, int(retries))
        self.backoff = backoff

    # -- low level -------------------------------------------------------------------------------
    def request(self, method: str, path: str, payload: Any = None) -> Any:
        """Send one JSON request with retries; return the decoded JSON body."""
        data = None if payload is None else json.dumps(payload, default=str).encode("utf-8")
        headers = {"Accept": "application/json"}
        if data is not None:
            headers["Content-Type"] = "application/json"
        if self.token:
            headers["Authorization"] = "Bearer " + self.token
        last_error: Optional[Exception] = None
        for attempt in range(self.retries + 1):
            request = urllib.request.Request(self.base_url + path, data=data, method=method, headers=headers)
            retry_after: Optional[float] = None
            try:
                with urllib.request.urlopen(request, timeout=self.timeout) as response:
                    body = response.read()
                    content_type = response.headers.get("Content-Type", "")
                    if "application/json" in content_type:
                        return json.loads(body.decode("utf-8"))
                    return body.decode("utf-8")
            except urllib.error.HTTPError as error:
                raw = error.read().decode("utf-8", "replace")
                try:
                    parsed = json.loads(raw)
                except ValueError:
                    parsed = raw
                info = parsed.get("error", {}) if isinstance(parsed, dict) else {}
                last_error = RewardServerError(
                    "reward server answered {}: {}".format(error.code, info.get("message", raw)),
                    status=error.code,
                    code=info.get("code"),
                    body=parsed,
                )
                if error.code not in _RETRY_STATUSES:
                    raise last_error
                header = error.headers.get("Retry-After") if error.headers else None
                if header:
                    try:
                        retry_after = float(header)
                    except ValueError:
                        retry_after = None
            except (urllib.error.URLError, ConnectionError, TimeoutError, OSError) as error:
                last_error = RewardServerError("reward server unreachable: {}".format(error))
            if attempt < self.retries:
                delay = retry_after if retry_after is not None else min(30.0, self.backoff * (2**attempt))
                time.sleep(delay + random.uniform(0, delay * 0.1))
        assert last_error is not None
        raise last_error

    # -- endpoints -------------------------------------------------------------------------------
    def health(self) -> Dict[str, Any]:
        """``GET /health``."""
        return self.request("GET", "/health")

    def get_reward(
        self,
        queries: Sequence[str],
        prompts: Optional[Sequence[Any]] = None,
        labels: Optional[Sequence[Any]] = None,
        responses: Optional[Sequence[str]] = None,
        metadata: Optional[Sequence[Dict[str, Any]]] = None,
    ) -> Dict[str, Any]:
        """``POST /get_reward`` (OpenRLHF shape) → ``{"rewards", "scores", "extra_logs"}``."""
        payload: Dict[str, Any] = {"query": list(queries)}
        if prompts is not None:
            payload["prompts"] = list(prompts)
        if labels is not None:
            payload["labels"] = list(labels)
        if responses is not None:
            payload["responses"] = list(responses)
        if metadata is not None:
            payload["metadata"] = list(metadata)
        return self.request("POST", "/get_reward", payload)

    def score(self, prompt: Any, response: str, label: Any = None, metadata: Optional[Dict[str, Any]] = None) -> Dict[str, Any]:
        """``POST /slime`` → ``{"score": float, "status", "flagged": bool, "missing": 0 | 1, ...log keys}``."""
        payload: Dict[str, Any] = {"prompt": prompt, "response": response}
        if label is not None:
            payload["label"] = label
        if metadata is not None:
            payload["metadata"] = metadata
        return self.request("POST", "/slime", payload)

    def group(
        self,
        prompt: Any,
        responses: Sequence[str],
        label: Any = None,
        advantage: Optional[Dict[str, Any]] = None,
        labels: Optional[Sequence[Any]] = None,
    ) -> Dict[str, Any]:
        """``POST /group`` → ``{"rewards" (None = not applicable), "advantages", "mean", "std", "flagged", ...}``."""
        payload: Dict[str, Any] = {"prompt": prompt, "responses": list(responses)}
        if label is not None:
            payload["label"] = label
        if labels is not None:
            payload["labels"] = list(labels)
        if advantage is not None:
            payload["advantage"] = advantage
        return self.request("POST", "/group", payload)


def _text(value: Any) -> str:
    """Plain text of a TRL prompt/completion: a string, or a list of chat messages."""
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        parts = []
        for message in value:
            if isinstance(message, dict):
                content = message.get("content", "")
                parts.append(content if isinstance(content, str) else json.dumps(content))
            else:
                parts.append(str(message))
        return "\n".join(parts)
    return str(value)


def make_trl_reward_func(
    url: str,
    label_key: Optional[str] = "label",
    metadata_keys: Sequence[str] = (),
    token: Optional[str] = None,
    timeout: float = 60.0,
    retries: int = 3,
    batch_size: int = 256,
    max_workers: int = 4,
    on_error: str = "none",
    flagged_as_none: bool = False,
    name: str = "trade_r1_reward",
) -> Callable[..., List[Optional[float]]]:
    """A TRL ``GRPOTrainer`` reward function backed by the server's ``/get_reward``.

    The returned ``fn(prompts, completions, **kwargs) -> list[float | None]`` sends the batch in
    chunks of ``batch_size`` (concurrently, ``max_workers`` at a time), with the dataset column
    ``label_key`` as labels and ``metadata_keys`` columns as per-sample metadata.

    Samples whose reward was ``null`` (not applicable) come back as ``None``, which TRL skips via
    ``nansum``; with ``flagged_as_none=True`` timed-out samples answered with the server's fallback
    are ``None`` too. ``on_error="none"`` turns a failed request into ``None`` for its samples
    (TRL warns and continues); ``on_error="raise"`` re-raises.
    """
    if on_error not in ("none", "raise"):
        raise ValueError("on_error must be 'none' or 'raise'")
    client = RewardClient(url, token=token, timeout=timeout, retries=retries)

    def score_chunk(
        prompts: List[str],
        completions: List[str],
        labels: Optional[List[Any]],
        metadata: Optional[List[Dict[str, Any]]],
    ) -> Dict[str, Any]:
        try:
            result = client.get_reward(
                queries=[p + c for p, c in zip(prompts, completions)],
                prompts=prompts,
                labels=labels,
                responses=completions,
                metadata=metadata,
            )
        except RewardServerError:
            if on_error == "raise":
                raise
            return {"rewards": [None] * len(prompts), "logs": {}, "failed": len(prompts)}
        logs = result.get("extra_logs", {}) or {}
        missing = logs.get("missing", [0] * len(prompts))
        flagged = logs.get("flagged", [0] * len(prompts))
        rewards: List[Optional[float]] = []
        for index, reward in enumerate(result["rewards"]):
            if missing[index] or (flagged_as_none and flagged[index]):
                rewards.append(None)
            else:
                rewards.append(float(reward))
        return {"rewards": rewards, "logs": logs, "failed": 0}

    def reward_func(prompts: Sequence[Any], completions: Sequence[Any], **kwargs: Any) -> List[Optional[float]]:
        prompt_texts = [_text(p) for p in prompts]
        completion_texts = [_text(c) for c in completions]
        labels = kwargs.get(label_key) if label_key else None
        labels = list(labels) if labels is not None else None
        metadata = None
        if metadata_keys:
            metadata = [{key: kwargs[key][i] for key in metadata_keys if key in kwargs} for i in range(len(prompt_texts))]
        starts = list(range(0, len(prompt_texts), max(1, batch_size)))

        def run(start: int) -> Dict[str, Any]:
            end = start + batch_size
            return score_chunk(
                prompt_texts[start:end],
                completion_texts[start:end],
                labels[start:end] if labels is not None else None,
                metadata[start:end] if metadata is not None else None,
            )

        if len(starts) <= 1:
            chunks = [run(0)] if starts else []
        else:
            with ThreadPoolExecutor(max_workers=max(1, max_workers)) as pool:
                chunks = list(pool.map(run, starts))
        rewards = [reward for chunk in chunks for reward in chunk["rewards"]]

        # Recent TRL passes log_extra(column, values) and log_metric(name, value): surface the server's
        # per-sample components and the share of flagged (fallback) or failed samples in TRL's logs.
        log_extra = kwargs.get("log_extra")
        log_metric = kwargs.get("log_metric")
        total = len(rewards)
        if callable(log_extra) and total > 0 and all(not chunk["failed"] for chunk in chunks):
            keys = set()
            for chunk in chunks:
                keys.update(chunk["logs"].keys())
            for key in sorted(keys):
                values: List[Any] = []
                for chunk in chunks:
                    column = chunk["logs"].get(key)
                    size = len(chunk["rewards"])
                    values.extend(column if isinstance(column, list) and len(column) == size else [None] * size)
                log_extra("{}/{}".format(name, key), values)
        if callable(log_metric) and total > 0:
            flagged = sum(sum(chunk["logs"].get("flagged", []) or []) for chunk in chunks)
            failed = sum(chunk["failed"] for chunk in chunks)
            log_metric("{}/flagged_fraction".format(name), flagged / total)
            log_metric("{}/failed_fraction".format(name), failed / total)
        return rewards

    reward_func.__name__ = name
    return reward_func


def _numeric(result: Dict[str, Any]) -> Dict[str, float]:
    """The numeric fields of an answer (booleans as 0.0/1.0): what veRL logs as reward_extra_info."""
    output: Dict[str, float] = {}
    for key, value in result.items():
        if isinstance(value, (bool, int, float)):
            output[key] = float(value)
    return output


def make_verl_compute_score(
    url: str,
    token: Optional[str] = None,
    timeout: float = 60.0,
    retries: int = 3,
    prompt_key: str = "prompt",
) -> Callable[..., Dict[str, Any]]:
    """A veRL ``compute_score(data_source, solution_str, ground_truth, extra_info=None, **kw)``.

    Calls ``/slime`` with ``response=solution_str``, ``label=ground_truth`` and the prompt from
    ``extra_info[prompt_key]`` when present; returns ``{"score": float, "flagged", "missing", ...log keys}``.
    Every answer has the same keys (the server's fixed set), as veRL needs: it builds its arrays
    from the first sample's keys.
    """
    client = RewardClient(url, token=token, timeout=timeout, retries=retries)

    def verl_compute_score(data_source: Any, solution_str: str, ground_truth: Any, extra_info: Any = None, **kwargs: Any) -> Dict[str, Any]:
        prompt = ""
        if isinstance(extra_info, dict) and prompt_key in extra_info:
            prompt = extra_info[prompt_key]
        metadata = {"data_source": data_source}
        if isinstance(extra_info, dict):
            metadata["extra_info"] = extra_info
        return _numeric(client.score(prompt, solution_str, ground_truth, metadata=metadata))

    return verl_compute_score


def make_verl_batch_compute_score(
    url: str,
    token: Optional[str] = None,
    timeout: float = 120.0,
    retries: int = 3,
    prompt_key: str = "prompt",
    batch_size: int = 512,
) -> Callable[..., List[Dict[str, Any]]]:
    """A veRL batch ``compute_score(data_sources, solution_strs, ground_truths, extra_infos, **kw)``.

    For ``reward_model.reward_manager=batch``: one ``/get_reward`` call per ``batch_size`` samples
    (responses sent explicitly, so nothing is cut from a decoded query), returning one
    ``{"score": float, "flagged", "missing", ...log keys}`` per sample, all with the same keys.
    """
    client = RewardClient(url, token=token, timeout=timeout, retries=retries)

    def verl_compute_score_batch(
        data_sources: Sequence[Any],
        solution_strs: Sequence[str],
        ground_truths: Sequence[Any],
        extra_infos: Optional[Sequence[Any]] = None,
        **kwargs: Any,
    ) -> List[Dict[str, Any]]:
        total = len(solution_strs)
        infos = list(extra_infos) if extra_infos is not None else [None] * total
        prompts = [info.get(prompt_key, "") if isinstance(info, dict) else "" for info in infos]
        outputs: List[Dict[str, Any]] = []
        for start in range(0, total, max(1, batch_size)):
            end = min(total, start + max(1, batch_size))
            metadata = [
                {"data_source": data_sources[i], **({"extra_info": infos[i]} if isinstance(infos[i], dict) else {})}
                for i in range(start, end)
            ]
            answer = client.get_reward(
                queries=list(solution_strs[start:end]),
                prompts=prompts[start:end],
                labels=list(ground_truths[start:end]),
                responses=list(solution_strs[start:end]),
                metadata=metadata,
            )
            logs = answer.get("extra_logs", {}) or {}
            for offset, reward in enumerate(answer["rewards"]):
                row: Dict[str, Any] = {"score": float(reward)}
                for key, column in logs.items():
                    row[key] = float(column[offset])
                outputs.append(row)
        return outputs

    return verl_compute_score_batch


def _env_client() -> tuple:
    url = os.environ.get("TRADE_R1_REWARD_URL")
    if not url:
        raise RewardServerError("set TRADE_R1_REWARD_URL to the reward server's base URL")
    return url, os.environ.get("TRADE_R1_REWARD_TOKEN")


def compute_score(data_source: Any, solution_str: str, ground_truth: Any, extra_info: Any = None, **kwargs: Any) -> Dict[str, Any]:
    """veRL per-sample entry point; the server URL comes from ``TRADE_R1_REWARD_URL`` (token: ``TRADE_R1_REWARD_TOKEN``)."""
    global _DEFAULT_VERL
    url = kwargs.pop("url", None) or os.environ.get("TRADE_R1_REWARD_URL")
    if not url:
        raise RewardServerError("set TRADE_R1_REWARD_URL to the reward server's base URL")
    key = (url, os.environ.get("TRADE_R1_REWARD_TOKEN"))
    if _DEFAULT_VERL is None or _DEFAULT_VERL[0] != key:
        _DEFAULT_VERL = (key, make_verl_compute_score(url, token=key[1]))
    return _DEFAULT_VERL[1](data_source, solution_str, ground_truth, extra_info)


def compute_score_batch(
    data_sources: Sequence[Any],
    solution_strs: Sequence[str],
    ground_truths: Sequence[Any],
    extra_infos: Optional[Sequence[Any]] = None,
    **kwargs: Any,
) -> List[Dict[str, Any]]:
    """veRL batch entry point (``reward_model.reward_manager=batch``); URL and token from the environment."""
    global _DEFAULT_VERL_BATCH
    key = _env_client()
    if _DEFAULT_VERL_BATCH is None or _DEFAULT_VERL_BATCH[0] != key:
        _DEFAULT_VERL_BATCH = (key, make_verl_batch_compute_score(key[0], token=key[1]))
    return _DEFAULT_VERL_BATCH[1](data_sources, solution_strs, ground_truths, extra_infos)


def _slime_client(args: Any) -> RewardClient:
    url = getattr(args, "rm_url", None) or os.environ.get("TRADE_R1_REWARD_URL")
    if not url:
        raise RewardServerError("set --rm-url (or TRADE_R1_REWARD_URL) to the reward server's URL")
    token = os.environ.get("TRADE_R1_REWARD_TOKEN")
    key = (url, token)
    global _DEFAULT_SLIME
    if _DEFAULT_SLIME is None or _DEFAULT_SLIME[0] != key:
        _DEFAULT_SLIME = (key, RewardClient(url, token=token, timeout=120.0, retries=5))
    return _DEFAULT_SLIME[1]


async def slime_rm(args: Any, sample: Any, **kwargs: Any) -> Any:
    """slime ``--custom-rm-path trade_r1_reward.slime_rm``.

    slime calls it with one ``Sample`` (``async_rm``) or with a list (``batched_async_rm``, which
    ``--group-rm`` uses to hand over a whole GRPO group). One sample → ``/slime``, its ``score``.
    A list → one ``/group`` call per prompt (a group-aware reward such as DSR sees the whole group),
    rewards in the list's order; a reward the server could not give (``None``) becomes
    ``TRADE_R1_REWARD_MISSING_VALUE`` (default 0.0), since slime turns rewards into a tensor. With
    ``inplace_set_reward_field=True`` (recent slime) each ``sample.reward`` is set too. The HTTP calls
    run in a thread, so slime's event loop keeps going.
    """
    client = _slime_client(args)
    missing = float(os.environ.get("TRADE_R1_REWARD_MISSING_VALUE", "0"))
    if not isinstance(sample, list):
        answer = await asyncio.to_thread(client.score, sample.prompt, sample.response, sample.label)
        return float(answer["score"])
    samples = sample
    by_prompt: Dict[str, List[int]] = {}
    for index, item in enumerate(samples):
        by_prompt.setdefault(json.dumps(item.prompt, sort_keys=True, default=str), []).append(index)
    rewards: List[float] = [missing] * len(samples)

    async def score_group(indices: List[int]) -> None:
        first = samples[indices[0]]
        answer = await asyncio.to_thread(
            client.group,
            first.prompt,
            [samples[i].response for i in indices],
            None,
            None,
            [samples[i].label for i in indices],
        )
        for index, reward in zip(indices, answer["rewards"]):
            rewards[index] = missing if reward is None else float(reward)

    await asyncio.gather(*(score_group(indices) for indices in by_prompt.values()))
    if kwargs.get("inplace_set_reward_field"):
        for item, reward in zip(samples, rewards):
            item.reward = reward
    return rewards


_DEFAULT_VERL: Optional[Any] = None
_DEFAULT_VERL_BATCH: Optional[Any] = None
_DEFAULT_SLIME: Optional[Any] = None
