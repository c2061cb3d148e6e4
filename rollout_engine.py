"""Rollouts for GRPO from llama.cpp, with the exact TinyLoRA delta as a LoRA adapter.

Design. TinyLoRA's update of one layer, x (U S R Vh)^T, is a rank-r LoRA: A = Vh (r x in) and B = U diag(S) R
(out x r). After every optimizer step the trainer's current v is written as ONE GGUF LoRA adapter holding A and
B for every targeted layer (fp32, alpha = r so llama.cpp's scale alpha / r is 1), and llama.cpp applies it on
top of the base GGUF: the engine decodes the same policy the trainer differentiates, up to llama.cpp's kernel
arithmetic (4-bit weights with quantized activations in the dot products). At v = 0 no adapter is loaded at
all, so the engine is exactly the base model.

A generation batch is decoded together: each distinct prompt is evaluated once and its KV cache shared by its
group (llama_memory_seq_cp in one unified cache), then every unfinished sequence advances one token per
llama_decode. Sampling happens here, in numpy, from the raw logits at the trainer's temperature (inverse CDF),
so the returned log-probs are log softmax(logits / T) of the sampled tokens: the same quantity TRL computes
for the policy, which the trainer's importance-sampling correction compares against.

The hook into TRL is GRPOTrainer's `rollout_func(prompts, trainer)`: `LlamaCppRollouts` is that callable. A
vLLM engine fits the same shape later: sync the adapter (or W + ΔW) when v changed, generate, return
prompt_ids, completion_ids and logprobs.

    python rollout_engine.py MODEL.gguf "prompt text"      # decode once with the base model, for a look
"""

import ctypes
import os
import sys
import tempfile

import numpy as np

TINY_LORA_TO_GGUF = {  # HF projection -> llama.cpp tensor of a Qwen2/Llama-style block
    "q_proj": "attn_q", "k_proj": "attn_k", "v_proj": "attn_v", "o_proj": "attn_output",
    "gate_proj": "ffn_gate", "up_proj": "ffn_up", "down_proj": "ffn_down",
}
SAMPLING_BLOCK = 1024  # tokens per first-level bucket of the sampler
SAMPLER = "inverse-cdf"  # how generate() draws, recorded by evaluate.py: other draws from the same seeds are other samples


def llama_cpp_available() -> bool:
    try:
        import llama_cpp  # noqa: F401
    except ImportError:
        return False
    return True


# --- TinyLoRA as a GGUF LoRA adapter ---------------------------------------------------------------

def lora_factors(model) -> list[tuple[str, np.ndarray, np.ndarray]]:
    """(llama.cpp tensor name, A (r x in), B (out x r)) of every TinyLoRA layer, in fp32: B A = U diag(S) R Vh."""
    import torch

    factors = []
    with torch.no_grad():
        for name, layer in model.named_modules():
            if not hasattr(layer, "mixing_matrix"):
                continue
            parts = name.split(".")
            block, projection = parts[parts.index("layers") + 1], parts[-1]
            A = layer.Vh.float().cpu()
            B = layer.U.float().cpu() @ layer.mixing_matrix().float().cpu()
            factors.append((f"blk.{block}.{TINY_LORA_TO_GGUF[projection]}.weight", A.numpy(), B.numpy()))
    return factors


def write_lora_gguf(path: str, factors: list[tuple[str, np.ndarray, np.ndarray]], architecture: str) -> None:
    """A GGUF LoRA adapter llama.cpp loads at run time, written atomically (the engine may be reading the last)."""
    import gguf

    rank = factors[0][1].shape[0]
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".adapter-", suffix=".gguf", dir=folder)
    os.close(fd)
    try:
        writer = gguf.GGUFWriter(tmp, architecture)
        writer.add_string("general.type", "adapter")
        writer.add_string("adapter.type", "lora")
        writer.add_float32("adapter.lora.alpha", float(rank))  # llama.cpp scales by alpha / rank: exactly 1
        for name, A, B in factors:
            writer.add_tensor(f"{name}.lora_a", np.ascontiguousarray(A, dtype=np.float32))
            writer.add_tensor(f"{name}.lora_b", np.ascontiguousarray(B, dtype=np.float32))
        writer.write_header_to_file()
        writer.write_kv_data_to_file()
        writer.write_tensors_to_file()
        writer.close()
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


# --- The engine ------------------------------------------------------------------------------------

class LlamaCppEngine:
    """One llama.cpp model and context; generate() decodes a batch of prompts with the current adapter."""

    def __init__(self, gguf_path: str, n_ctx: int, n_sequences: int, n_threads: int | None = None):
        import llama_cpp as C

        if not os.path.isfile(gguf_path):
            raise FileNotFoundError(f"GGUF file {gguf_path} does not exist")
        self.C = C
        self._silence = C.llama_log_callback(lambda level, text, user_data: None)  # kept alive: llama.cpp holds it
        C.llama_log_set(self._silence, ctypes.c_void_p(0))
        C.llama_backend_init()
        model_params = C.llama_model_default_params()
        self.model = C.llama_model_load_from_file(gguf_path.encode(), model_params)
        if not self.model:
            raise RuntimeError(f"llama.cpp could not load {gguf_path}")
        self.n_vocab = C.llama_vocab_n_tokens(C.llama_model_get_vocab(self.model))
        self.architecture = self._metadata("general.architecture")
        self.n_ctx, self.n_sequences = n_ctx, n_sequences
        params = C.llama_context_default_params()
        params.n_ctx, params.n_seq_max, params.kv_unified = n_ctx, n_sequences, True  # one cache: groups share prompts
        params.n_batch = params.n_ubatch = 512
        params.n_threads = params.n_threads_batch = n_threads or os.cpu_count() or 1
        self.ctx = C.llama_init_from_model(self.model, params)
        if not self.ctx:
            raise RuntimeError(f"llama.cpp could not create a context of {n_ctx} tokens for {n_sequences} sequences")
        self.memory = C.llama_get_memory(self.ctx)
        self.batch = C.llama_batch_init(max(512, n_sequences), 0, 1)
        self.adapter = None

    def _metadata(self, key: str) -> str:
        buffer = ctypes.create_string_buffer(256)
        n = self.C.llama_model_meta_val_str(self.model, key.encode(), buffer, len(buffer))
        return buffer.value.decode() if n >= 0 else ""

    def set_adapter(self, path: str | None) -> None:
        """Decode with the LoRA adapter at path from now on; None: the base model."""
        C = self.C
        adapter = None
        if path is not None:
            adapter = C.llama_adapter_lora_init(self.model, path.encode())
            if not adapter:
                raise RuntimeError(f"llama.cpp could not load the adapter {path}")
        if adapter is None:
            C.llama_set_adapters_lora(self.ctx, None, 0, None)
        else:
            C.llama_set_adapters_lora(self.ctx, (C.llama_adapter_lora_p_ctypes * 1)(adapter), 1,
                                      (ctypes.c_float * 1)(1.0))
        if self.adapter is not None:
            C.llama_adapter_lora_free(self.adapter)
        self.adapter = adapter
        C.llama_memory_clear(self.memory, True)  # nothing decoded under the old weights may be reused

    def _decode(self, tokens: list[tuple[int, int, int, bool]]) -> None:
        """One llama_decode of (token, position, sequence, wants logits) entries."""
        b = self.batch
        for i, (token, position, sequence, logits) in enumerate(tokens):
            b.token[i], b.pos[i], b.n_seq_id[i], b.logits[i] = token, position, 1, logits
            b.seq_id[i][0] = sequence
        b.n_tokens = len(tokens)
        status = self.C.llama_decode(self.ctx, b)
        if status != 0:
            raise RuntimeError(f"llama_decode failed ({status}): the context of {self.n_ctx} tokens may be too small")

    def _logits(self, index: int) -> np.ndarray:
        pointer = self.C.llama_get_logits_ith(self.ctx, index)
        return np.ctypeslib.as_array(pointer, shape=(self.n_vocab,)).astype(np.float32)

    def generate(self, prompts: list[list[int]], max_new_tokens: int, stop_ids: set[int], temperature: float,
                 rng: np.random.Generator) -> tuple[list[list[int]], list[list[float]]]:
        """Sample one completion per prompt (equal prompts share one evaluation). A completion ends after a stop
        token (which it includes) or max_new_tokens. Returns token ids and log softmax(logits / T) of each;
        temperature 0 is greedy (log-probs at T = 1)."""
        # sequence i holds completion i; the first sequence of each distinct prompt evaluates it, the rest copy
        owner = {}
        for i, prompt in enumerate(map(tuple, prompts)):
            owner.setdefault(prompt, i)
        if len(prompts) > self.n_sequences:
            raise ValueError(f"{len(prompts)} prompts but the context holds {self.n_sequences} sequences")
        needed = sum(map(len, owner)) + len(prompts) * max_new_tokens
        if needed > self.n_ctx:
            raise ValueError(f"this batch needs {needed} cache cells, the context has {self.n_ctx}")
        C = self.C
        C.llama_memory_clear(self.memory, True)
        next_logits = {}
        for prompt, sequence in owner.items():
            for start in range(0, len(prompt), 512):
                chunk = prompt[start:start + 512]
                self._decode([(t, start + j, sequence, start + j == len(prompt) - 1) for j, t in enumerate(chunk)])
            next_logits[prompt] = self._logits(len(chunk) - 1)  # the prompt's last token, in its last chunk
        for i, prompt in enumerate(map(tuple, prompts)):
            if owner[prompt] != i:
                C.llama_memory_seq_cp(self.memory, owner[prompt], i, -1, -1)
        logits = np.stack([next_logits[tuple(p)] for p in prompts])
        completions, logprobs = [[] for _ in prompts], [[] for _ in prompts]
        active = list(range(len(prompts)))
        for step in range(max_new_tokens):
            tokens, token_logprobs = self._sample(logits, temperature, rng)
            still = []
            for row, i in enumerate(active):
                completions[i].append(int(tokens[row]))
                logprobs[i].append(float(token_logprobs[row]))
                if tokens[row] not in stop_ids:
                    still.append(i)
            active = still
            if not active or step == max_new_tokens - 1:
                break
            self._decode([(completions[i][-1], len(prompts[i]) + step, i, True) for i in active])
            logits = np.stack([self._logits(row) for row in range(len(active))])
        return completions, logprobs

    @staticmethod
    def _sample(logits: np.ndarray, temperature: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        """Exact draws from softmax(logits / T) by inverse CDF, in two levels (which block of SAMPLING_BLOCK
        tokens, then which token in it) because a cumulative sum over the whole vocabulary costs more than the
        rest of the step's sampling together; and each drawn token's log softmax."""
        shifted = logits * np.float32(1.0 / (temperature if temperature > 0 else 1.0))
        shifted -= shifted.max(axis=1, keepdims=True)
        weights = np.exp(shifted)
        starts = np.arange(0, logits.shape[1], SAMPLING_BLOCK)
        block_ends = np.cumsum(np.add.reduceat(weights, starts, axis=1), axis=1, dtype=np.float64)
        totals = block_ends[:, -1]
        if temperature > 0:
            tokens = np.empty(len(logits), dtype=np.int64)
            draws = np.minimum(rng.random(len(logits)) * totals, np.nextafter(totals, 0))  # below the total, always
            for row, draw in enumerate(draws):  # the first block ending past the draw has a nonzero weight
                block = int(np.searchsorted(block_ends[row], draw, side="right"))
                within = draw - (block_ends[row, block - 1] if block else 0.0)
                block_weights = weights[row, starts[block]:starts[block] + SAMPLING_BLOCK]
                index = int(np.searchsorted(np.cumsum(block_weights, dtype=np.float64), within, side="right"))
                # rounding can land past the block's last token of nonzero probability: never draw a p = 0 token
                tokens[row] = starts[block] + min(index, int(np.flatnonzero(block_weights)[-1]))
        else:
            tokens = np.argmax(shifted, axis=1)
        return tokens, shifted[np.arange(len(tokens)), tokens] - np.log(totals)

    def close(self) -> None:
        C = self.C
        if getattr(self, "batch", None) is not None:
            C.llama_batch_free(self.batch)
            self.batch = None
        if getattr(self, "ctx", None):
            C.llama_free(self.ctx)
            self.ctx = None
        if getattr(self, "adapter", None):
            C.llama_adapter_lora_free(self.adapter)
            self.adapter = None
        if getattr(self, "model", None):
            C.llama_model_free(self.model)
            self.model = None


# --- TRL's rollout_func ----------------------------------------------------------------------------

class LlamaCppRollouts:
    """GRPOTrainer's rollout_func: the trainer's current v as the engine's adapter, then one batched decode."""

    def __init__(self, gguf_path: str, tokenizer, max_prompt_tokens: int, batch_size: int, max_new_tokens: int,
                 temperature: float, seed: int, adapter_path: str, n_threads: int | None = None):
        self.max_new_tokens, self.temperature = max_new_tokens, temperature
        self.stop_ids = set(eos_ids(tokenizer))
        # a batch holds at most batch_size distinct prompts, each evaluated once
        self.engine = LlamaCppEngine(gguf_path, batch_size * (max_prompt_tokens + max_new_tokens) + 16, batch_size,
                                     n_threads)
        self.adapter_path = adapter_path
        self.synced_v = None  # the v the engine decodes with; None: the base model (no adapter)
        self.rng = np.random.default_rng(seed)

    def sync(self, model, v) -> None:
        """Rewrite and reload the adapter when v changed since the last rollout; v = 0 runs the base GGUF itself."""
        current = v.detach().float().cpu().clone()
        if self.synced_v is not None and np.array_equal(current.numpy(), self.synced_v.numpy()):
            return
        if current.any():
            write_lora_gguf(self.adapter_path, lora_factors(model), self.engine.architecture)
            self.engine.set_adapter(self.adapter_path)
        else:
            self.engine.set_adapter(None)
        self.synced_v = current

    def __call__(self, prompts: list, trainer) -> dict:
        model = trainer.accelerator.unwrap_model(trainer.model)
        self.sync(model, next(p for p in model.parameters() if p.requires_grad))
        prompt_ids = [list(ids) for ids in trainer._tokenize_prompts(prompts)[0]]  # TRL's own chat template call
        completion_ids, logprobs = self.engine.generate(prompt_ids, self.max_new_tokens, self.stop_ids,
                                                        self.temperature, self.rng)
        return {"prompt_ids": prompt_ids, "completion_ids": completion_ids, "logprobs": logprobs}

    def close(self) -> None:
        self.engine.close()


def eos_ids(tokenizer) -> list[int]:
    """The tokens that end a completion: the tokenizer's EOS and, for Qwen chat models, both end markers."""
    ids = [tokenizer.eos_token_id]
    for token in ("<|im_end|>", "<|endoftext|>"):
        token_id = tokenizer.convert_tokens_to_ids(token)
        if isinstance(token_id, int) and token_id != tokenizer.unk_token_id:
            ids.append(token_id)
    return [i for i in dict.fromkeys(ids) if i is not None]


def main() -> int:
    if len(sys.argv) != 3:
        print("usage: python rollout_engine.py MODEL.gguf 'prompt text'", file=sys.stderr)
        return 2
    if not llama_cpp_available():
        print("error: llama-cpp-python is not installed (pip install -r requirements-cpu.txt)", file=sys.stderr)
        return 1
    path, text = sys.argv[1], sys.argv[2]
    try:
        engine = LlamaCppEngine(path, n_ctx=4096, n_sequences=1)
    except (FileNotFoundError, RuntimeError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    C = engine.C
    vocab = C.llama_model_get_vocab(engine.model)
    buffer = (C.llama_token * 4096)()
    n = C.llama_tokenize(vocab, text.encode(), len(text.encode()), buffer, 4096, True, True)
    tokens, logprobs = engine.generate([list(buffer[:n])], 128, {C.llama_vocab_eos(vocab)}, 0.0,
                                       np.random.default_rng(0))
    piece = ctypes.create_string_buffer(256)
    out = b""
    for token in tokens[0]:
        length = C.llama_token_to_piece(vocab, token, piece, len(piece), 0, False)
        out += piece.raw[:max(length, 0)]
    print(out.decode(errors="replace"))
    print(f"[{len(tokens[0])} tokens, mean log-prob {sum(logprobs[0]) / max(len(logprobs[0]), 1):.3f}]")
    engine.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
