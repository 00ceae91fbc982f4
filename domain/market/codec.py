"""JSON codec for market results kept in Redis: exact float round trips,
DataFrames with their index, dtypes and time zones, and the model dataclasses.

No pickle: a cache shared by every process must not be able to run code.
"""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

import numpy as np
import pandas as pd

from domain.market import models

# The JSON codec. Every JSON object it writes has one key, a tag naming the type.
_MODELS = {
    name: cls
    for name, cls in vars(models).items()
    if isinstance(cls, type) and dataclasses.is_dataclass(cls)
}


def dumps(value: Any) -> str:
    """JSON for a model (and the frames, series, tuples and dates inside it)."""
    return json.dumps(_enc(value), allow_nan=False, separators=(",", ":"))


def loads(raw: str | bytes) -> Any:
    return _dec(json.loads(raw))


def _enc(v: Any) -> Any:
    if isinstance(v, np.generic):
        v = v.item()
    if v is None or isinstance(v, bool | int | str):
        return v
    if isinstance(v, float):
        return v if math.isfinite(v) else {"float": repr(v)}
    if v is pd.NaT or v is pd.NA:
        return {"missing": "NaT" if v is pd.NaT else "NA"}
    if isinstance(v, pd.Timestamp):
        return {"timestamp": [v.isoformat(), v.unit]}
    if isinstance(v, datetime | date):
        return {"datetime" if isinstance(v, datetime) else "date": v.isoformat()}
    if isinstance(v, list):
        return [_enc(x) for x in v]
    if isinstance(v, tuple):
        return {"tuple": [_enc(x) for x in v]}
    if isinstance(v, dict):
        return {"dict": [[_enc(k), _enc(x)] for k, x in v.items()]}
    if isinstance(v, pd.DataFrame):
        data = [_enc_array(v.iloc[:, i]) for i in range(v.shape[1])]
        return {"frame": [_enc_index(v.index), _enc_index(v.columns), data]}
    if isinstance(v, pd.Series):
        return {"series": [_enc(v.name), _enc_index(v.index), _enc_array(v)]}
    if _MODELS.get(type(v).__name__) is type(v):
        fields = {f.name: _enc(getattr(v, f.name)) for f in dataclasses.fields(v)}
        return {"model": [type(v).__name__, fields]}
    raise TypeError(f"cannot encode {type(v).__name__} as cache JSON")


def _dec(v: Any) -> Any:
    if isinstance(v, list):
        return [_dec(x) for x in v]
    if not isinstance(v, dict):
        return v
    ((tag, body),) = v.items()
    return _DECODERS[tag](body)


def _dec_frame(body: list) -> pd.DataFrame:
    index, columns, data = body
    arrays = {i: _dec_array(array) for i, array in enumerate(data)}
    frame = pd.DataFrame(arrays, index=_dec_index(index))
    frame.columns = _dec_index(columns)
    return frame


def _dec_model(body: list) -> Any:
    name, fields = body
    return _MODELS[name](**{field: _dec(value) for field, value in fields.items()})


_DECODERS: dict[str, Callable[[Any], Any]] = {
    "float": float,
    "missing": lambda b: pd.NaT if b == "NaT" else pd.NA,
    "timestamp": lambda b: pd.Timestamp(b[0]).as_unit(b[1]),
    "datetime": datetime.fromisoformat,
    "date": date.fromisoformat,
    "tuple": lambda b: tuple(_dec(x) for x in b),
    "dict": lambda b: {_dec(k): _dec(x) for k, x in b},
    "frame": _dec_frame,
    "series": lambda b: pd.Series(_dec_array(b[2]), index=_dec_index(b[1]), name=_dec(b[0])),
    "model": _dec_model,
}


def _enc_index(index: pd.Index) -> dict[str, Any]:
    if isinstance(index, pd.MultiIndex):
        raise TypeError("cannot encode a MultiIndex as cache JSON")
    if isinstance(index, pd.RangeIndex):
        return {"name": _enc(index.name), "range": [index.start, index.stop, index.step]}
    freq = index.freqstr if isinstance(index, pd.DatetimeIndex) else None
    return {"name": _enc(index.name), "values": _enc_array(index), "freq": freq}


def _dec_index(body: dict[str, Any]) -> pd.Index:
    name = _dec(body["name"])
    if "range" in body:
        return pd.RangeIndex(*body["range"], name=name)
    values = _dec_array(body["values"])
    if body["freq"]:
        return pd.DatetimeIndex(values, name=name, freq=body["freq"])
    return pd.Index(values, name=name)


def _is_datetime(dtype: Any) -> bool:
    if isinstance(dtype, pd.DatetimeTZDtype):
        return True
    return isinstance(dtype, np.dtype) and dtype.kind == "M"


def _enc_array(values: pd.Series | pd.Index) -> dict[str, Any]:
    """A column's dtype and values; floats as JSON numbers (exact), non-finite as text."""
    dtype, kind = values.dtype, getattr(values.dtype, "kind", "O")
    items = values.tolist()
    if isinstance(dtype, np.dtype) and kind == "f":
        data = [x if math.isfinite(x) else repr(x) for x in items]
    elif isinstance(dtype, np.dtype) and kind in "iub":
        data = items
    elif _is_datetime(dtype):
        data = [None if x is pd.NaT else x.isoformat() for x in items]
    else:
        data = [_enc(x) for x in items]
    return {"dtype": str(dtype), "data": data}


def _dec_array(body: dict[str, Any]) -> Any:
    dtype = pd.api.types.pandas_dtype(body["dtype"])
    data = body["data"]
    if isinstance(dtype, np.dtype) and dtype.kind in "fiub":
        return np.array([float(x) if isinstance(x, str) else x for x in data], dtype=dtype)
    if _is_datetime(dtype):
        return pd.array([pd.NaT if x is None else pd.Timestamp(x) for x in data], dtype=dtype)
    items = [_dec(x) for x in data]
    if dtype == np.dtype(object):
        out = np.empty(len(items), dtype=object)
        for i, item in enumerate(items):
            out[i] = item
        return out
    return pd.array(items, dtype=dtype)
