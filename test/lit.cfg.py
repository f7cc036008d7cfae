# -*- Python -*-
# lit configuration for tfmc's FileCheck tests.
import os

import lit.formats
from lit.llvm import llvm_config

config.name = "TFMC"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir", ".test"]
config.excludes = ["Inputs", "CMakeLists.txt", "lit.cfg.py", "lit.site.cfg.py"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.tfmc_obj_root, "test")

config.substitutions.append(("%PATH%", config.environment["PATH"]))
llvm_config.with_system_environment(["HOME", "TMP", "TEMP"])
llvm_config.use_default_substitutions()

# Our tools first, then LLVM's (FileCheck, not, count, split-file).
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)
llvm_config.with_environment("PATH", config.tfmc_tools_dir, append_path=True)
llvm_config.add_tool_substitutions(["tfmc-opt", "tfmc-compile"],
                                   [config.tfmc_tools_dir])
config.substitutions.append(("%python", config.python_executable))
config.substitutions.append(("%cc", config.c_compiler))

# vulkan-device: tests that run Vulkan executables need a device (lavapipe
# here); elsewhere lit lists them as unsupported.
import subprocess
_vulkan_probe = os.path.join(config.tfmc_obj_root, "test", "Runtime",
                             "tfmrt-vulkan-test")
if os.path.exists(_vulkan_probe) and subprocess.run(
        [_vulkan_probe, "--has-device"], capture_output=True).returncode == 0:
    config.available_features.add("vulkan-device")
