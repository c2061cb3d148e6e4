"""TinyLoRALinear: exactness at v=0, the low-rank path, gradients, 4-bit NF4, save/load, bad input."""

import copy

import pytest
import torch
import torch.nn as nn
from torch.utils._python_dispatch import TorchDispatchMode
from transformers import AutoModelForCausalLM, BitsAndBytesConfig

import train_rl
from train_rl import ConfigError, TinyLoRALinear, apply_tiny_lora, load_tiny_lora, save_tiny_lora


def load(path, four_bit=False):
    if four_bit:
        quant = BitsAndBytesConfig(load_in_4bit=True, bnb_4bit_quant_type="nf4", bnb_4bit_use_double_quant=True,
                                   bnb_4bit_compute_dtype=torch.float32)
        return AutoModelForCausalLM.from_pretrained(path, quantization_config=quant)
    return AutoModelForCausalLM.from_pretrained(path, dtype=torch.float32)


def inputs():
    return torch.randint(3, 500, (2, 12), generator=torch.Generator().manual_seed(1))


def test_v_zero_is_exactly_the_base_model(tiny_model_dir):
    base = load(tiny_model_dir).eval()
    adapted = copy.deepcopy(base)
    v = nn.Parameter(torch.zeros(16))
    assert apply_tiny_lora(adapted, v) == 2 * 7  # 2 layers x q,k,v,o,gate,up,down
    with torch.no_grad():
        assert torch.equal(base(inputs()).logits, adapted(inputs()).logits)


def test_adapter_branch_equals_the_dense_formula(tiny_model_dir):
    model = load(tiny_model_dir)
    v = nn.Parameter(torch.randn(16, generator=torch.Generator().manual_seed(2)))
    apply_tiny_lora(model, v, rank=3)
    layer = model.model.layers[1].mlp.down_proj
    assert isinstance(layer, TinyLoRALinear)
    R = sum(v[i] * layer.P[i] for i in range(16)) / 4.0  # 1/sqrt(u)
    delta_w = layer.U @ torch.diag(layer.S) @ R @ layer.Vh  # materialized only here, to check
    x = torch.randn(5, layer.base.in_features)
    with torch.no_grad():
        assert torch.allclose(layer(x) - layer.base(x), x @ delta_w.T, atol=1e-5, rtol=1e-4)


def test_only_v_trains_and_gradients_reach_it(tiny_model_dir):
    model = load(tiny_model_dir)
    v = nn.Parameter(torch.zeros(8))
    apply_tiny_lora(model, v)
    trainable = [p for p in model.parameters() if p.requires_grad]
    assert len(trainable) == 1 and trainable[0] is v and train_rl.count_parameters(model)[1] == 8
    model(inputs(), labels=inputs()).loss.backward()
    assert v.grad is not None and v.grad.abs().sum() > 0 and v.dtype == torch.float32


def test_skeleton_is_the_top_singular_subspace():
    # A known, decaying spectrum (as trained weights have): lowrank must find the exact top-2 skeleton,
    # signs included. (Random-init weights have a flat spectrum where "the top 2" is ill-defined.)
    g = torch.Generator().manual_seed(3)
    left, _ = torch.linalg.qr(torch.randn(96, 32, generator=g))
    right, _ = torch.linalg.qr(torch.randn(160, 32, generator=g))
    W = left @ torch.diag(torch.logspace(1, -2, 32)) @ right.T
    U, S, Vh = train_rl.svd_skeleton(W, 2, "lowrank", niter=6)
    U0, S0, Vh0 = train_rl.svd_skeleton(W, 2, "exact")
    assert torch.allclose(S, S0, rtol=1e-5)
    assert torch.allclose(U, U0, atol=1e-5) and torch.allclose(Vh, Vh0, atol=1e-5)
    assert (U.abs().argmax(0) == (U * U.sign()).argmax(0)).all()  # sign convention: largest entry positive


def test_4bit_nf4_path_injects_and_backpropagates(tiny_model_dir):
    import bitsandbytes as bnb

    model = load(tiny_model_dir, four_bit=True)
    linear = model.model.layers[0].self_attn.q_proj
    assert isinstance(linear, bnb.nn.Linear4bit)
    dense = train_rl.dense_weight(linear)
    assert dense.shape == (linear.out_features, linear.in_features) and dense.dtype == torch.float32
    v = nn.Parameter(torch.zeros(16))
    assert apply_tiny_lora(model, v) == 14
    layer = model.model.layers[0].self_attn.q_proj
    assert isinstance(layer.base, bnb.nn.Linear4bit)  # the 4-bit layer keeps its own forward
    model(inputs(), labels=inputs()).loss.backward()
    assert v.grad.abs().sum() > 0
    assert model.tiny_lora_meta["quantized"] is True


def test_save_then_load_reproduces_logits_bit_for_bit(tiny_model_dir, tmp_path):
    model = load(tiny_model_dir).eval()
    v = nn.Parameter(torch.zeros(16))
    apply_tiny_lora(model, v, seed=7)
    with torch.no_grad():
        v.copy_(torch.randn(16) * 0.5)
        expected = model(inputs()).logits
    path = str(tmp_path / "v.pt")
    save_tiny_lora(path, model, v)
    assert [p.name for p in tmp_path.iterdir()] == ["v.pt"]  # atomic write leaves no temp file

    fresh = load(tiny_model_dir).eval()  # no adapter yet: load_tiny_lora rebuilds it from the metadata
    loaded_v = load_tiny_lora(fresh, path)
    assert torch.equal(loaded_v.detach(), v.detach())
    with torch.no_grad():
        assert torch.equal(fresh(inputs()).logits, expected)
        assert not torch.equal(load(tiny_model_dir).eval()(inputs()).logits, expected)  # v really matters


def test_loading_onto_a_mismatched_adapter_fails_clearly(tiny_model_dir, tmp_path):
    model = load(tiny_model_dir)
    v = nn.Parameter(torch.zeros(16))
    apply_tiny_lora(model, v)
    save_tiny_lora(str(tmp_path / "v.pt"), model, v)
    other = load(tiny_model_dir)
    apply_tiny_lora(other, nn.Parameter(torch.zeros(8)))
    with pytest.raises(ConfigError, match="does not fit this model.*u: saved 16 vs model 8"):
        load_tiny_lora(other, str(tmp_path / "v.pt"))
    (tmp_path / "junk.pt").write_bytes(b"not a checkpoint")
    with pytest.raises(ConfigError, match="not a readable TinyLoRA file"):
        load_tiny_lora(other, str(tmp_path / "junk.pt"))


@pytest.mark.parametrize("bad_v", [torch.zeros(0), torch.zeros(2, 2)])
def test_bad_u_is_a_clear_error(tiny_model_dir, bad_v):
    with pytest.raises(ConfigError, match="u >= 1"):
        apply_tiny_lora(load(tiny_model_dir), nn.Parameter(bad_v))


@pytest.mark.parametrize("rank", [0, -1, 2.5, True, 10_000])
def test_bad_rank_is_a_clear_error(tiny_model_dir, rank):
    with pytest.raises(ConfigError, match="rank"):
        apply_tiny_lora(load(tiny_model_dir), nn.Parameter(torch.zeros(4)), rank=rank)


class CountOps(TorchDispatchMode):
    """Every aten operation dispatched inside the block, with the dtype of its first tensor result."""

    def __init__(self):
        super().__init__()
        self.ops = []

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        out = func(*args, **(kwargs or {}))
        first = out[0] if isinstance(out, (tuple, list)) and out else out
        self.ops.append((str(func), getattr(first, "dtype", None)))
        return out


def count_ops(model, x):
    with torch.no_grad(), CountOps() as counter:
        model(x)
    return counter.ops


def test_decoding_adds_at_most_ten_aten_ops_per_layer_call(tiny_model_dir):
    base = load(tiny_model_dir).eval()
    adapted = copy.deepcopy(base)
    v = nn.Parameter(torch.zeros(16))
    layers = apply_tiny_lora(adapted, v)
    with torch.no_grad():
        v.copy_(torch.randn(16) * 0.1)
    x = inputs()[:, :1]  # one new token per sequence, as in decoding
    count_ops(adapted, x)  # the first forward after v changed builds each layer's folded matrices
    extra = (len(count_ops(adapted, x)) - len(count_ops(base, x))) / layers
    assert extra <= 10, extra
    with torch.no_grad():
        v.add_(0.5)  # the optimizer's in-place step: the next forward must rebuild, once
    rebuilt = len(count_ops(adapted, x))
    assert rebuilt > len(count_ops(adapted, x))


def test_no_grad_forward_follows_every_change_of_v(tiny_model_dir):
    model = load(tiny_model_dir).eval()
    v = nn.Parameter(torch.zeros(16))
    apply_tiny_lora(model, v, rank=3)
    layer = model.model.layers[0].mlp.up_proj
    x = torch.randn(2, 3, layer.base.in_features)

    def dense(v_now):
        R = sum(v_now[i] * layer.P[i] for i in range(16)) / 4.0
        return layer.base(x) + x @ (layer.U @ torch.diag(layer.S) @ R @ layer.Vh).T

    optimizer = torch.optim.Adam([v], lr=0.1)
    for _ in range(3):
        with torch.no_grad():
            assert torch.allclose(layer(x), dense(v), atol=1e-5, rtol=1e-4)
        layer(x).square().sum().backward()
        optimizer.step()  # in place
    with torch.no_grad():
        v.data = torch.randn(16)  # a new tensor, as TinyLoRAGRPOTrainer's fp32 cast makes
        assert torch.allclose(layer(x), dense(v), atol=1e-5, rtol=1e-4)
        layer.U.mul_(-1)  # in place, as the skeleton broadcast from rank 0 writes it
        assert torch.allclose(layer(x), dense(v), atol=1e-5, rtol=1e-4)


def test_gradient_of_v_equals_the_dense_formulas(tiny_model_dir):
    model = load(tiny_model_dir)
    v = nn.Parameter(torch.randn(16, generator=torch.Generator().manual_seed(4)) * 0.3)
    apply_tiny_lora(model, v)
    layer = model.model.layers[1].self_attn.q_proj
    x = torch.randn(2, 5, layer.base.in_features, generator=torch.Generator().manual_seed(5))
    target = torch.randn(2, 5, layer.base.out_features, generator=torch.Generator().manual_seed(6))
    with torch.no_grad():
        layer(x)  # a folded cache exists: the gradient path must not use it
    (layer(x) - target).square().sum().backward()
    got = v.grad.clone()
    # by hand: d/dv_i of ||y - t||^2 with y = base(x) + x ΔW^T is sum over tokens of 2 (y - t)^T U S P_i Vh x / sqrt(u)
    with torch.no_grad():
        R = torch.einsum("u,urs->rs", v, layer.P) / 4.0
        residual = 2 * (layer.base(x) + x @ (layer.U @ torch.diag(layer.S) @ R @ layer.Vh).T - target)
        by_hand = torch.stack([
            (residual * (x @ (layer.U @ torch.diag(layer.S) @ layer.P[i] @ layer.Vh).T)).sum() / 4.0 for i in range(16)])
    assert torch.allclose(got, by_hand, rtol=1e-4, atol=1e-5)


def test_adapter_math_stays_fp32_under_bf16_autocast(tiny_model_dir):
    model = load(tiny_model_dir).to(torch.bfloat16)
    v = nn.Parameter(torch.full((16,), 1e-3))
    apply_tiny_lora(model, v)
    layer = model.model.layers[0].self_attn.v_proj
    x = torch.randn(4, layer.base.in_features, dtype=torch.bfloat16)
    for grad in (False, True):
        with torch.set_grad_enabled(grad), torch.autocast("cpu", dtype=torch.bfloat16), CountOps() as counter:
            y = layer(x)
        matmuls = [dtype for op, dtype in counter.ops if op in ("aten.mm.default", "aten.addmm.default")]
        assert matmuls.count(torch.float32) >= 2 and torch.bfloat16 in matmuls, counter.ops  # adapter fp32, base bf16
        assert y.dtype == torch.bfloat16
    assert v.dtype == torch.float32
