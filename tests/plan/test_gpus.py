"""GPU model names as people write them, and the fast rule-out before the patterns run."""

from __future__ import annotations

import re

import pytest

from kubealign.transform.plan.gpus import GPU_MODELS, NEEDLES, GpuModel, find_models


@pytest.mark.parametrize("model", GPU_MODELS, ids=lambda m: m.id)
def test_every_spelling_a_pattern_accepts_contains_a_needle(model: GpuModel) -> None:
    # The needles rule a text out before any pattern runs: a model whose name holds none of
    # them would never be found. Each pattern's literal core (its id, display name and
    # the spellings below) must hold one.
    spellings = {model.id, model.display, model.display.replace(" ", "-"),
                 model.display.replace(" ", "")}
    for spelling in spellings:
        if model.pattern.search(spelling):
            assert any(n in spelling.lower() for n in NEEDLES), spelling


def test_models_are_found_with_their_counts_and_nothing_in_plain_text() -> None:
    found = find_models("# Lambda: 1x GH200 96GB, then 8x A100 and an RTX-6000 Ada box")
    assert [(m.id, c) for m, c in found] == [("gh200", 1), ("a100", 8), ("rtx6000", None)]
    assert find_models("services:\n  web:\n    image: nginx:1.27 # port 8080") == []
    assert [m.id for m, _ in find_models("gpu=A10G")] == ["a10"]
    assert [m.id for m, _ in find_models("NODE=t4-pool")] == ["t4"]


def test_the_rule_out_agrees_with_the_patterns_on_text_without_needles() -> None:
    text = "deploy the api with docker stack deploy -c docker-compose.cloud.yml sophia"
    assert not any(n in text.lower() for n in NEEDLES)
    assert not any(re.search(m.pattern, text) for m in GPU_MODELS)


def test_a_pool_node_is_a_word_written_as_a_machine() -> None:
    """Real (Sophia): every hyphenated word on a line naming GH200 became a node to label:
    the region `us-east-3`, the SSH key `lynn-sophia-key-fixed`, the prose word
    `executive-grade`, the label value `large-inference`."""
    from kubealign.transform.plan.pools import hostnames, is_host_on_line

    row = "| sophia-ai-core | 192.222.58.232 | GH200 (96GB) | us-east-3 | AI/ML processing |"
    assert [h for h in hostnames(row) if is_host_on_line(h, row)] == ["sophia-ai-core"]
    label = "kubectl label node sophia-ai-core gpu=gh200 workload=training,large-inference"
    assert [h for h in hostnames(label) if is_host_on_line(h, label)] == ["sophia-ai-core"]
    for text in ('"instance_type_name": "gpu_1x_gh200", "ssh_key_names": ["lynn-sophia-key"]',
                 "We need executive-grade visibility on the GH200 deployment."):
        assert [h for h in hostnames(text) if is_host_on_line(h, text)] == []
    assert is_host_on_line("gpu-box-1", "ssh ubuntu@gpu-box-1 nvidia-smi  # A100")
    assert is_host_on_line("gpu-box-1", "INSTANCE=gpu-box-1 (A100)")
    assert not is_host_on_line("gpu-box-1", "gpu-box-1 trains on an A100")
    assert is_host_on_line("gpu-box-1", "instance: gpu-box-1 (A100)")
