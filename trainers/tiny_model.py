"""Randomly initialised vision-language models, built offline, for tests and experiments.

No machine of this project can download weights, so the trainers and evaluators are tested on
models built here: a byte-level BPE tokenizer trained on mmpriv-generated text (fictitious
biographies and questions), a chat template, and a LLaVA- or Qwen2-VL-style model from its config.
The weights are RANDOM: a model knows nothing until it is trained (which is the point when
measuring memorization and unlearning from scratch).

    mmpriv tiny-model --arch llava --size tiny --out models/tiny-llava
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path

from mmpriv_data.core.atomic import atomic_folder, check_folder_target
from mmpriv_data.core.errors import MmprivError

ARCHES = ("llava", "qwen2-vl")
RANDOM_WEIGHTS_NOTE = "weights are RANDOM (randomly initialised, untrained): not a pretrained model"
UNK, BOS, EOS, PAD, IMAGE = "<unk>", "<s>", "</s>", "<pad>", "<image>"
QWEN_SPECIALS = (
    "<|im_start|>",
    "<|im_end|>",
    "<|vision_start|>",
    "<|vision_end|>",
    "<|image_pad|>",
)


@dataclass(frozen=True)
class ModelSize:
    """Dimensions of one size preset; the vision tower is kept small (portraits are simple)."""

    vocab: int
    hidden: int
    layers: int
    heads: int
    intermediate: int
    vision_hidden: int
    vision_layers: int
    vision_heads: int
    image_size: int  # LLaVA input side; Qwen2-VL resizes to about this many pixels a side
    patch: int


SIZES: dict[str, ModelSize] = {
    # ~0.3M parameters: CPU tests in well under a second per step.
    "tiny": ModelSize(1000, 64, 2, 4, 128, 64, 2, 4, 32, 8),
    # ~6M: quick CPU/GPU experiments.
    "small": ModelSize(4000, 256, 4, 4, 704, 128, 2, 4, 64, 16),
    # ~105M: trained from scratch on a GPU, it memorizes a few hundred profiles.
    "base": ModelSize(8000, 768, 12, 12, 2048, 384, 4, 6, 112, 16),
}

# LLaVA-1.5 conversation shape ("USER: <image>\n... ASSISTANT: ...</s>"). The {% generation %}
# block marks assistant tokens, so `return_assistant_tokens_mask` finds the loss positions.
LLAVA_CHAT_TEMPLATE = (
    "{{ bos_token }}"
    "{% for message in messages %}"
    "{% if message['role'] == 'user' %}USER: "
    "{% if message['content'] is string %}{{ message['content'] }}"
    "{% else %}{% for item in message['content'] %}"
    "{% if item['type'] == 'image' %}<image>\n"
    "{% elif item['type'] == 'text' %}{{ item['text'] }}{% endif %}"
    "{% endfor %}{% endif %} "
    "{% elif message['role'] == 'assistant' %}ASSISTANT: {% generation %}"
    "{% if message['content'] is string %}{{ message['content'] }}"
    "{% else %}{% for item in message['content'] %}"
    "{% if item['type'] == 'text' %}{{ item['text'] }}{% endif %}"
    "{% endfor %}{% endif %}{{ eos_token }}{% endgeneration %}"
    "{% elif message['role'] == 'system' %}"
    "{% if message['content'] is string %}{{ message['content'] }}"
    "{% else %}{{ message['content'][0]['text'] }}{% endif %} "
    "{% endif %}{% endfor %}"
    "{% if add_generation_prompt %}ASSISTANT:{% endif %}"
)

QWEN2_VL_CHAT_TEMPLATE = (
    "{% for message in messages %}<|im_start|>{{ message['role'] }}\n"
    "{% if message['role'] == 'assistant' %}{% generation %}"
    "{% if message['content'] is string %}{{ message['content'] }}"
    "{% else %}{% for item in message['content'] %}"
    "{% if item['type'] == 'text' %}{{ item['text'] }}{% endif %}"
    "{% endfor %}{% endif %}<|im_end|>{% endgeneration %}\n"
    "{% else %}"
    "{% if message['content'] is string %}{{ message['content'] }}"
    "{% else %}{% for item in message['content'] %}"
    "{% if item['type'] == 'image' %}<|vision_start|><|image_pad|><|vision_end|>"
    "{% elif item['type'] == 'text' %}{{ item['text'] }}{% endif %}"
    "{% endfor %}{% endif %}<|im_end|>\n"
    "{% endif %}{% endfor %}"
    "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)


def default_texts(num_people: int = 200, seed: int = 0) -> list[str]:
    """mmpriv text to train the tokenizer on: biographies, facts and every question template."""
    from mmpriv_data.content import identities
    from mmpriv_data.content.questions import person_questions
    from mmpriv_data.core.seeding import stream

    people = identities.make_people(seed, num_people)
    texts: list[str] = []
    for index, person in enumerate(people):
        others = [people[(index + k) % num_people] for k in range(1, 5)]
        rng = stream(seed, "tiny-model", "tokenizer-questions", index)
        texts.append(person["biography"])
        for paraphrase in (False, True):
            for q in person_questions(person, others, rng, paraphrase=paraphrase):
                texts.append(" ".join([q["question"], *q["options"], q["answer"]]))
    # The chat template's own words, so "USER:" and "ASSISTANT:" become single tokens.
    # Weighted like the conversations they wrap (one pair per question).
    texts += ["USER: ASSISTANT: user assistant system"] * len(texts)
    texts.append("Just give ONE letter representing the answer directly. A B C D")
    return texts


def embedding_rows(tokenizer) -> int:
    """The tokenizer's size rounded up to a multiple of 64 (as Megatron pads its vocabulary):
    an LM head of, say, 7,437 rows is misaligned for tensor cores and falls back to slow GEMM
    kernels (about 5% of a 1B LoRA step on an H200). The spare rows are never a token; an id
    past the tokenizer decodes to nothing."""
    return -(-len(tokenizer) // 64) * 64


def train_tokenizer(texts: Iterable[str], vocab_size: int, arch: str):
    """A byte-level BPE tokenizer (HF `tokenizers`) wrapped as a PreTrainedTokenizerFast."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    specials = [UNK, BOS, EOS, PAD, IMAGE, *(QWEN_SPECIALS if arch == "qwen2-vl" else ())]
    tokenizer = Tokenizer(models.BPE(unk_token=UNK))
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tokenizer.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        special_tokens=specials,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tokenizer.train_from_iterator(texts, trainer=trainer)
    extra = {"image_token": IMAGE}
    if arch == "qwen2-vl":
        extra = {
            "image_token": "<|image_pad|>",
            "vision_start_token": "<|vision_start|>",
            "vision_end_token": "<|vision_end|>",
        }
    fast = PreTrainedTokenizerFast(
        tokenizer_object=tokenizer,
        unk_token=UNK,
        bos_token=BOS,
        eos_token="<|im_end|>" if arch == "qwen2-vl" else EOS,
        pad_token=PAD,
        extra_special_tokens=extra,
        model_max_length=4096,
        padding_side="right",
    )
    return fast


def _llava(size: ModelSize, tokenizer):
    from transformers import (
        CLIPImageProcessor,
        CLIPVisionConfig,
        LlamaConfig,
        LlavaConfig,
        LlavaForConditionalGeneration,
        LlavaProcessor,
    )

    vision = CLIPVisionConfig(
        hidden_size=size.vision_hidden,
        intermediate_size=size.vision_hidden * 4,
        num_hidden_layers=size.vision_layers,
        num_attention_heads=size.vision_heads,
        image_size=size.image_size,
        patch_size=size.patch,
        projection_dim=size.vision_hidden,
    )
    text = LlamaConfig(
        vocab_size=embedding_rows(tokenizer),
        hidden_size=size.hidden,
        intermediate_size=size.intermediate,
        num_hidden_layers=size.layers,
        num_attention_heads=size.heads,
        num_key_value_heads=size.heads,
        max_position_embeddings=2048,
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
        tie_word_embeddings=False,
    )
    config = LlavaConfig(
        vision_config=vision,
        text_config=text,
        image_token_id=tokenizer.convert_tokens_to_ids(IMAGE),
        vision_feature_select_strategy="default",
        vision_feature_layer=-1,
    )
    model = LlavaForConditionalGeneration(config)
    image_processor = CLIPImageProcessor(
        size={"shortest_edge": size.image_size},
        crop_size={"height": size.image_size, "width": size.image_size},
    )
    processor = LlavaProcessor(
        image_processor=image_processor,
        tokenizer=tokenizer,
        patch_size=size.patch,
        vision_feature_select_strategy="default",
        num_additional_image_tokens=1,
        chat_template=LLAVA_CHAT_TEMPLATE,
    )
    return model, processor


def _qwen2_vl(size: ModelSize, tokenizer):
    import importlib.util

    # Qwen2VLProcessor always builds its video processor, which needs torchvision.
    if importlib.util.find_spec("torchvision") is None:
        raise MmprivError("--arch qwen2-vl needs torchvision (pip install torchvision)")
    from transformers import (
        Qwen2VLConfig,
        Qwen2VLForConditionalGeneration,
        Qwen2VLImageProcessor,
        Qwen2VLProcessor,
        Qwen2VLVideoProcessor,
    )

    ids = tokenizer.convert_tokens_to_ids
    head_dim = size.hidden // size.heads
    # mrope sections split head_dim/2 rotary frequencies into (temporal, height, width).
    half = head_dim // 2
    mrope = [half - 2 * (half // 4), half // 4, half // 4]
    config = Qwen2VLConfig(
        text_config={
            "vocab_size": embedding_rows(tokenizer),
            "hidden_size": size.hidden,
            "intermediate_size": size.intermediate,
            "num_hidden_layers": size.layers,
            "num_attention_heads": size.heads,
            "num_key_value_heads": size.heads,
            "max_position_embeddings": 4096,
            "rope_parameters": {"rope_type": "default", "mrope_section": mrope},
            "bos_token_id": tokenizer.bos_token_id,
            "eos_token_id": tokenizer.eos_token_id,
            "pad_token_id": tokenizer.pad_token_id,
            "tie_word_embeddings": False,
        },
        vision_config={
            "depth": size.vision_layers,
            "embed_dim": size.vision_hidden,
            "hidden_size": size.hidden,
            "num_heads": size.vision_heads,
            "mlp_ratio": 4,
            "patch_size": 14,
            "spatial_merge_size": 2,
            "temporal_patch_size": 2,
        },
        image_token_id=ids("<|image_pad|>"),
        vision_start_token_id=ids("<|vision_start|>"),
        vision_end_token_id=ids("<|vision_end|>"),
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
    )
    model = Qwen2VLForConditionalGeneration(config)
    pixels = max(size.image_size, 56) ** 2
    image_processor = Qwen2VLImageProcessor(
        min_pixels=pixels, max_pixels=pixels, patch_size=14, merge_size=2, temporal_patch_size=2
    )
    # Unused by mmpriv (images only), but the processor requires one.
    video_processor = Qwen2VLVideoProcessor(patch_size=14, merge_size=2, temporal_patch_size=2)
    processor = Qwen2VLProcessor(
        image_processor=image_processor,
        tokenizer=tokenizer,
        video_processor=video_processor,
        chat_template=QWEN2_VL_CHAT_TEMPLATE,
    )
    return model, processor


def build_tiny_model(
    arch: str = "llava",
    size: str = "tiny",
    out: Path | str = Path("tiny-model"),
    texts: Iterable[str] | None = None,
    seed: int = 0,
) -> Path:
    """Build a randomly initialised model + processor and save both to `out`.

    The folder loads with `AutoModelForImageTextToText.from_pretrained(out)` and
    `AutoProcessor.from_pretrained(out)`; `out/mmpriv_tiny_model.json` records that the
    weights are random, the arch, size and parameter count.

    >>> from trainers.tiny_model import build_tiny_model
    >>> path = build_tiny_model("llava", "tiny", "/tmp/tiny-llava")  # doctest: +SKIP
    """
    import torch

    if arch not in ARCHES:
        raise MmprivError(f"--arch {arch}: expected one of {', '.join(ARCHES)}")
    if size not in SIZES:
        raise MmprivError(f"--size {size}: expected one of {', '.join(SIZES)}")
    out = check_folder_target(out, "tiny-model")
    dims = SIZES[size]
    tokenizer = train_tokenizer(texts if texts is not None else default_texts(), dims.vocab, arch)
    torch.manual_seed(seed)  # the model's random init; the lone global draw, by design
    model, processor = (_llava if arch == "llava" else _qwen2_vl)(dims, tokenizer)
    model.generation_config.pad_token_id = tokenizer.pad_token_id
    model.generation_config.eos_token_id = tokenizer.eos_token_id
    num_params = sum(p.numel() for p in model.parameters())
    record = {
        "note": RANDOM_WEIGHTS_NOTE,
        "arch": arch,
        "size": size,
        "seed": seed,
        "parameters": num_params,
        "dims": asdict(dims),
        "tokenizer_size": len(tokenizer),
        "vocab_size": embedding_rows(tokenizer),
    }
    with atomic_folder(out, "tiny-model") as staging:
        model.save_pretrained(staging)
        processor.save_pretrained(staging)
        (staging / "mmpriv_tiny_model.json").write_text(json.dumps(record, indent=2) + "\n")
    return out


def model_record(path: Path | str) -> dict | None:
    """The record `build_tiny_model` wrote, or None for a model from elsewhere."""
    record = Path(path) / "mmpriv_tiny_model.json"
    return json.loads(record.read_text()) if record.exists() else None
