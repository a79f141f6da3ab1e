"""NF4 with double-quantised absmax, as QLoRA / bitsandbytes define it,
written in numpy independently of Hone's Go (backend/model/nf4.go):

- the weight, flattened row-major, in blocks of 64; absmax per block;
- scaled = clip(x * float32(1 / max(absmax, 1e-38)), -1, 1), then the code
  is the number of float32 midpoints between neighbouring NF4 codes that lie
  strictly below it (torch.bucketize, right=False: bitsandbytes' CPU
  quantize_4bit); two codes a byte, the first in the high nibble;
- double quantisation: offset = mean(absmax) (float64 mean, rounded to
  float32); absmax - offset in blocks of 256, each divided by its block's
  max |.| (absmax2) and mapped to the nearest code of bitsandbytes' signed
  dynamic map, ties to the lower index (bitsandbytes' CUDA kernel; its
  native CPU kernel is one code off near midpoints on ~0.3% of values);
- w = NF4[code] * (DYNAMIC_MAP[qabsmax] * absmax2 + offset), float32.

If bitsandbytes is installed, check_bitsandbytes asserts that the 4-bit
codes and absmax equal its quantize_4bit's."""

import numpy as np
import torch

NF4 = np.array([
    -1.0, -0.6961928009986877, -0.5250730514526367, -0.39491748809814453,
    -0.28444138169288635, -0.18477343022823334, -0.09105003625154495, 0.0,
    0.07958029955625534, 0.16093020141124725, 0.24611230194568634, 0.33791524171829224,
    0.44070982933044434, 0.5626170039176941, 0.7229568362236023, 1.0], dtype=np.float32)
MIDS = ((NF4[:-1] + NF4[1:]) / np.float32(2)).astype(np.float32)


def dynamic_map(max_exponent_bits=7, total_bits=8):
    """bitsandbytes.functional.create_dynamic_map(signed=True), sorted."""
    data = []
    non_sign_bits = total_bits - 1
    for i in range(max_exponent_bits):
        items = int(2 ** (i + non_sign_bits - max_exponent_bits) + 1)
        bounds = torch.linspace(0.1, 1, items, dtype=torch.float32)
        means = (bounds[:-1] + bounds[1:]) / 2.0
        data += ((10 ** (-(max_exponent_bits - 1) + i)) * means).tolist()
        data += (-(10 ** (-(max_exponent_bits - 1) + i)) * means).tolist()
    data += [0, 1.0]
    assert len(data) == 2 ** total_bits
    return np.sort(np.array(data, dtype=np.float32))


DYNAMIC_MAP = dynamic_map()


def quantise(w):
    x = np.ascontiguousarray(w, dtype=np.float32).reshape(-1)
    assert x.size % 64 == 0, "the tiny models' linears are whole blocks"
    blocks = x.reshape(-1, 64)
    absmax = np.abs(blocks).max(axis=1)
    recip = (np.float32(1) / np.maximum(absmax, np.float32(1e-38))).astype(np.float32)
    scaled = np.clip(blocks * recip[:, None], -1, 1).astype(np.float32).reshape(-1)
    codes = np.searchsorted(MIDS, scaled, side="left").astype(np.uint8)
    packed = (codes[0::2] << 4) | codes[1::2]
    offset = np.float32(absmax.astype(np.float64).mean())
    qabsmax, absmax2 = [], []
    for b in range(0, absmax.size, 256):
        a = (absmax[b:b + 256] - offset).astype(np.float32)
        am = np.float32(np.abs(a).max())
        v = (a / am).astype(np.float32) if am > 0 else np.zeros_like(a)
        qabsmax.append(np.abs(v[:, None] - DYNAMIC_MAP[None, :]).argmin(axis=1))  # first minimum: ties go low
        absmax2.append(am)
    return dict(shape=w.shape, packed=packed, qabsmax=np.concatenate(qabsmax).astype(np.uint8),
                absmax2=np.array(absmax2, dtype=np.float32), offset=offset, absmax=absmax)


def dequantise(st):
    n = st["packed"].size * 2
    codes = np.empty(n, dtype=np.uint8)
    codes[0::2], codes[1::2] = st["packed"] >> 4, st["packed"] & 15
    am = (DYNAMIC_MAP[st["qabsmax"]] * np.repeat(st["absmax2"], 256)[:st["qabsmax"].size]).astype(np.float32)
    am = (am + st["offset"]).astype(np.float32)
    return (NF4[codes] * np.repeat(am, 64)).astype(np.float32).reshape(st["shape"])


def check_bitsandbytes(w, st):
    try:
        import bitsandbytes.functional as F
    except ImportError:
        return
    q, s = F.quantize_4bit(w.float().contiguous(), blocksize=64, quant_type="nf4", compress_statistics=False)
    assert np.array_equal(q.numpy().reshape(-1), st["packed"]), "4-bit codes differ from bitsandbytes"
    assert np.array_equal(s.absmax.numpy(), st["absmax"]), "absmax differs from bitsandbytes"
    assert np.array_equal(F.create_dynamic_map(signed=True).float().numpy(), DYNAMIC_MAP), "dynamic map differs"
