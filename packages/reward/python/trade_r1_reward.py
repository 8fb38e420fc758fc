"""Python client for the @trade-r1/reward HTTP server (standard library only).

Copy this file next to your training script (it ships in the npm package under
``python/trade_r1_reward.py``) and call the TypeScript reward server from any Python
RL trainer:

TRL (GRPOTrainer)::

    from trade_r1_reward import make_trl_reward_func
    reward_fn = make_trl_reward_func("http://127.0.0.1:8000", label_key="label")
    trainer = GRPOTrainer(model=..., reward_funcs=[reward_fn], ...)

veRL (custom_reward_function.path=trade_r1_reward.py, custom_reward_function.name=compute_score)::

    export TRADE_R1_REWARD_URL=http://127.0.0.1:8000
    # compute_score(data_source, solution_str, ground_truth, extra_info=None) -> {"score": ..., ...}

OpenRLHF needs no client: it speaks the server's protocol natively::

    --reward.remote_url http://host:8000/get_reward           # older releases: --remote_rm_url
    --reward.remote_url http://a:8000/get_reward,http://b:8000/get_reward   # several servers

slime: ``--rm-type remote_rm --rm-url http://host:8000/slime --reward-key score``
"""

from __future__ import annotations

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
    "compute_score",
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
        """``POST /slime`` → ``{"score": float | None, ...components, "flagged": bool}``."""
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
    ) -> Dict[str, Any]:
        """``POST /group`` → ``{"rewards", "advantages", "mean", "std", "flagged", ...}``."""
        payload: Dict[str, Any] = {"prompt": prompt, "responses": list(responses)}
        if label is not None:
            payload["label"] = label
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


def make_verl_compute_score(
    url: str,
    token: Optional[str] = None,
    timeout: float = 60.0,
    retries: int = 3,
    prompt_key: str = "prompt",
) -> Callable[..., Dict[str, Any]]:
    """A veRL ``compute_score(data_source, solution_str, ground_truth, extra_info=None, **kw)``.

    Calls ``/slime`` with ``response=solution_str``, ``label=ground_truth`` and the prompt from
    ``extra_info[prompt_key]`` when present; returns ``{"score": float, ...components}`` (veRL logs
    the extra keys as ``reward_extra_info``). A ``null`` score becomes 0.0 with ``missing=1``.
    """
    client = RewardClient(url, token=token, timeout=timeout, retries=retries)

    def verl_compute_score(data_source: Any, solution_str: str, ground_truth: Any, extra_info: Any = None, **kwargs: Any) -> Dict[str, Any]:
        prompt = ""
        if isinstance(extra_info, dict) and prompt_key in extra_info:
            prompt = extra_info[prompt_key]
        metadata = {"data_source": data_source}
        if isinstance(extra_info, dict):
            metadata["extra_info"] = extra_info
        result = client.score(prompt, solution_str, ground_truth, metadata=metadata)
        output: Dict[str, Any] = {}
        for key, value in result.items():
            if isinstance(value, bool):
                output[key] = float(value)
            elif isinstance(value, (int, float)):
                output[key] = float(value)
        score = result.get("score")
        output["score"] = 0.0 if score is None else float(score)
        output["missing"] = 1.0 if score is None else 0.0
        return output

    return verl_compute_score


def compute_score(data_source: Any, solution_str: str, ground_truth: Any, extra_info: Any = None, **kwargs: Any) -> Dict[str, Any]:
    """veRL entry point reading the server URL from ``TRADE_R1_REWARD_URL`` (token: ``TRADE_R1_REWARD_TOKEN``)."""
    url = kwargs.pop("url", None) or os.environ.get("TRADE_R1_REWARD_URL")
    if not url:
        raise RewardServerError("set TRADE_R1_REWARD_URL to the reward server's base URL")
    global _DEFAULT_VERL
    key = (url, os.environ.get("TRADE_R1_REWARD_TOKEN"))
    if _DEFAULT_VERL is None or _DEFAULT_VERL[0] != key:
        _DEFAULT_VERL = (key, make_verl_compute_score(url, token=key[1]))
    return _DEFAULT_VERL[1](data_source, solution_str, ground_truth, extra_info)


_DEFAULT_VERL: Optional[Any] = None
