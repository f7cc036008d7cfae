"""The Python code of docs/tutorial.md runs as written, in order, and gives
what the text says it gives."""
import os
import re

import numpy as np
import pytest

TUTORIAL = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "docs",
                        "tutorial.md")

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning",
                                        "ignore::torch.jit.TracerWarning")


def test_tutorial_code_runs(tmp_path, monkeypatch):
    with open(TUTORIAL, encoding="utf-8") as f:
        blocks = re.findall(r"```python\n(.*?)```", f.read(), re.S)
    assert len(blocks) >= 5
    monkeypatch.chdir(tmp_path)
    namespace = {}
    for block in blocks:
        exec(compile(block, TUTORIAL, "exec"), namespace)
    assert namespace["probs"].shape == (2, 9, 120)
    np.testing.assert_allclose(namespace["probs"].sum(-1), 1, rtol=1e-5)
    assert os.path.isfile(tmp_path / "transformer" / "model.safetensors")
    np.testing.assert_allclose(namespace["y"], namespace["encoder"](namespace["x"])
                               .detach().numpy(), rtol=1e-4, atol=1e-5)
