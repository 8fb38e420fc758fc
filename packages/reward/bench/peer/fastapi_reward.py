"""The benchmark peer: FastAPI + uvicorn (uvloop, httptools, no access log) serving the same market + DSR reward as
market-dsr-reward.ts on POST /slime, with pydantic validation of the same fields. Run by peer.ts with Debian's
python3-fastapi, python3-uvicorn (and python3-uvloop, python3-httptools when present):

    /usr/bin/python3 fastapi_reward.py PORT
"""
import importlib.util
import sys
from typing import Any

import uvicorn
from fastapi import FastAPI
from pydantic import BaseModel, confloat

ONE_WAY_COST = 0.0015  # Trade-R1's one-way cost, as TRADE_R1_ONE_WAY_COST


class Label(BaseModel):
    entryPrice: confloat(gt=0)  # type: ignore[valid-type]
    exitPrice: confloat(gt=0)  # type: ignore[valid-type]
    benchmarkReturn: float
    s: confloat(ge=0, le=1)  # type: ignore[valid-type]


class SlimeRequest(BaseModel):
    prompt: Any
    response: str
    label: Label


app = FastAPI()


@app.get("/health")
async def health() -> dict:
    return {"status": "ok"}


@app.post("/slime")
async def slime(request: SlimeRequest) -> dict:
    label = request.label
    # marketReward: exposure 1, excess return over the benchmark, round-trip cost; then DSR.
    r = (label.exitPrice / label.entryPrice - 1) - label.benchmarkReturn - 2 * ONE_WAY_COST
    s = label.s
    score = r * (0.5 + s) if r > 0 else r * (2 - s)
    return {"r": r, "s": s, "score": score, "status": "ok", "flagged": False}


if __name__ == "__main__":
    has = lambda name: importlib.util.find_spec(name) is not None  # noqa: E731
    uvicorn.run(
        app,
        host="127.0.0.1",
        port=int(sys.argv[1]),
        loop="uvloop" if has("uvloop") else "asyncio",
        http="httptools" if has("httptools") else "h11",
        access_log=False,
        log_level="warning",
    )
