# ===- test_executable_cli.py - the executable's command line -------------===#
# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
# ===----------------------------------------------------------------------===#
"""End-to-end tests of the command line every tfmc executable has.

The contract is docs/executable.md. Each fake_model_*.c stands in for an
object from tfmc-compile and is linked with libtfmrt.a; CMake passes the
executables' paths in TFMRT_FAKE_<MODEL> variables:

  add           a f32 [2,3], b f32 [2,3]            -> sum f32 [2,3]
  ids           ids i64 [2,4] (index_bound 10), mask i1 [2,4], offset i32 []
                                                    -> features f32 [2,4,3]
                (features[b,s,:] = ids, offset, mask: the inputs echoed)
  multi_output  x f16 [3], y bf16 [2,2]
                -> "x/doubled" f16 [3], "y negated" bf16 [2,2], total f32 []
  gather        positions i64 [3] (no bound)        -> gathered f32 [3]
                (reports out-of-range positions with tfmrt_index_error)
  no_inputs     (none) -> "a/b" i32 [2], "a:b" i32 [2]
  bad_abi       claims the next ABI version

Run with ctest, or: TFMRT_FAKE_ADD=... /usr/bin/python3 -m pytest THIS_FILE
"""

import ast
import os
import re
import struct
import subprocess

import numpy as np
import pytest

IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


def exe(model):
    var = "TFMRT_FAKE_" + model.upper()
    path = os.environ.get(var)
    if not path:
        pytest.fail(f"{var} is not set; run these tests through ctest "
                    "(ctest -R runtime/) so CMake passes the executables")
    return path


def run(model, *args, cwd=None):
    return subprocess.run([exe(model), *map(str, args)], capture_output=True,
                          text=True, errors="replace", timeout=120, cwd=cwd)


def describe(proc):
    return (f"exit {proc.returncode}\nstdout:\n{proc.stdout}\n"
            f"stderr:\n{proc.stderr}")


def assert_ok(proc):
    assert proc.returncode == 0, describe(proc)
    return proc.stdout.splitlines()


def assert_error(proc, code, *fragments):
    """The run failed with `code` and exactly one 'error: ' line on stderr,
    containing every fragment, and printed nothing on stdout."""
    assert proc.returncode == code, describe(proc)
    lines = proc.stderr.splitlines()
    assert len(lines) == 1, describe(proc)
    assert lines[0].startswith("error: "), describe(proc)
    for fragment in fragments:
        assert fragment in lines[0], describe(proc)
    assert proc.stdout == "", describe(proc)
    return lines[0]


def save(path, array):
    np.save(path, array, allow_pickle=False)
    return path


def write_raw_npy(path, header, data=b"", version=(1, 0)):
    """A .npy file with a hand-written header dict (no padding rules)."""
    text = header.encode("latin1")
    length = struct.pack("<H" if version[0] == 1 else "<I", len(text))
    with open(path, "wb") as f:
        f.write(b"\x93NUMPY" + bytes(version) + length + text + data)
    return path


def bf16_bits(values):
    """bfloat16 bit patterns (uint16) of float32 values, by truncation."""
    f32 = np.asarray(values, dtype=np.float32)
    return (f32.view(np.uint32) >> 16).astype(np.uint16)


def bf16_values(bits):
    return (np.asarray(bits, dtype=np.uint16).astype(np.uint32) << 16).view(
        np.float32)


def add_inputs(tmp_path, a=None, b=None):
    a = np.arange(6, dtype=np.float32).reshape(2, 3) if a is None else a
    b = np.ones((2, 3), dtype=np.float32) if b is None else b
    return save(tmp_path / "a.npy", a), save(tmp_path / "b.npy", b)


def b_input(tmp_path):
    """Only b of the add model, so a test's own a.npy survives."""
    return save(tmp_path / "b.npy", np.ones((2, 3), dtype=np.float32))


def ids_inputs(tmp_path, ids=None, mask=None, offset=7):
    ids = np.array([[1, 2, 3, 9], [0, 5, 5, 8]], dtype=np.int64) \
        if ids is None else ids
    mask = np.array([[1, 1, 0, 1], [0, 1, 1, 1]], dtype=bool) \
        if mask is None else mask
    return [
        "--input", f"ids={save(tmp_path / 'ids.npy', ids)}",
        "--input", f"mask={save(tmp_path / 'mask.npy', mask)}",
        "--input",
        f"offset={save(tmp_path / 'offset.npy', np.array(offset, np.int32))}",
    ]


def multi_inputs(tmp_path, x=(0.5, -1.25, 3.0), y=(1.0, -2.0, 0.5, 8.0)):
    x = np.array(x, dtype=np.float16)
    y = bf16_bits(np.array(y, dtype=np.float32).reshape(2, 2))
    return ["--input", f"x={save(tmp_path / 'x.npy', x)}",
            "--input", f"y={save(tmp_path / 'y.npy', y)}"], x, y


class TestInfo:
    def test_info_lists_inputs_then_outputs_for_add_model(self):
        proc = run("add", "--info")
        assert assert_ok(proc) == [
            "input a f32 [2,3]", "input b f32 [2,3]", "output sum f32 [2,3]"]
        assert proc.stderr == ""

    def test_info_shows_integer_bool_and_scalar_tensors(self):
        assert assert_ok(run("ids", "--info")) == [
            "input ids i64 [2,4]", "input mask i1 [2,4]",
            "input offset i32 []", "output features f32 [2,4,3]"]

    def test_info_shows_half_types_and_names_as_the_model_spells_them(self):
        assert assert_ok(run("multi_output", "--info")) == [
            "input x f16 [3]", "input y bf16 [2,2]",
            "output x/doubled f16 [3]", "output y negated bf16 [2,2]",
            "output total f32 []"]

    def test_info_of_model_without_inputs(self):
        assert assert_ok(run("no_inputs", "--info")) == [
            "output a/b i32 [2]", "output a:b i32 [2]"]

    def test_help_prints_usage_with_every_flag(self):
        for flag in ("--help", "-h"):
            proc = run("add", flag)
            assert proc.returncode == 0 and proc.stderr == "", describe(proc)
            for name in ("--info", "--input NAME=FILE.npy", "--output FILE.npy",
                         "--output-dir DIR", "--random-inputs", "--seed N",
                         "--bench N", "--threads N", "--help", "Exit status"):
                assert name in proc.stdout, name


class TestRun:
    def test_summary_line_per_output_without_output_flags(self, tmp_path):
        a, b = add_inputs(tmp_path)
        proc = run("add", "--input", f"a={a}", "--input", f"b={b}")
        assert assert_ok(proc) == [
            "output sum f32 [2,3] min=1 max=6 mean=3.5"]
        assert proc.stderr == ""

    def test_output_file_holds_exact_sum(self, tmp_path):
        rng = np.random.default_rng(1)
        a = rng.standard_normal((2, 3)).astype(np.float32)
        b = rng.standard_normal((2, 3)).astype(np.float32)
        a_path, b_path = add_inputs(tmp_path, a, b)
        out = tmp_path / "sum.npy"
        proc = run("add", "--input", f"a={a_path}", "--input", f"b={b_path}",
                   "--output", out)
        assert assert_ok(proc) == [] and proc.stderr == ""
        result = np.load(out, allow_pickle=False)
        assert result.dtype == np.float32 and result.shape == (2, 3)
        np.testing.assert_array_equal(result, a + b)

    def test_written_file_is_npy_1_0_with_data_aligned_to_64(self, tmp_path):
        a, b = add_inputs(tmp_path)
        out = tmp_path / "sum.npy"
        assert_ok(run("add", "--input", f"a={a}", "--input", f"b={b}",
                      "--output", out))
        raw = out.read_bytes()
        assert raw[:8] == b"\x93NUMPY\x01\x00"
        header_len = struct.unpack("<H", raw[8:10])[0]
        assert (10 + header_len) % 64 == 0
        header = raw[10:10 + header_len].decode("latin1")
        assert header.endswith("\n")
        assert ast.literal_eval(header) == {
            "descr": "<f4", "fortran_order": False, "shape": (2, 3)}
        assert len(raw) == 10 + header_len + 6 * 4

    def test_flag_equals_value_spelling(self, tmp_path):
        a, b = add_inputs(tmp_path)
        out = tmp_path / "sum.npy"
        assert_ok(run("add", f"--input=a={a}", f"--input=b={b}",
                      f"--output={out}"))
        np.testing.assert_array_equal(np.load(out), np.arange(1, 7).reshape(
            2, 3))

    def test_ids_mask_and_scalar_reach_the_model_unchanged(self, tmp_path):
        args = ids_inputs(tmp_path, offset=-4)
        out = tmp_path / "features.npy"
        assert_ok(run("ids", *args, "--output", out))
        features = np.load(out)
        assert features.shape == (2, 4, 3) and features.dtype == np.float32
        np.testing.assert_array_equal(features[..., 0],
                                      [[1, 2, 3, 9], [0, 5, 5, 8]])
        np.testing.assert_array_equal(features[..., 1], -4)
        np.testing.assert_array_equal(features[..., 2],
                                      [[1, 1, 0, 1], [0, 1, 1, 1]])

    def test_f16_and_bf16_inputs_and_outputs_round_trip(self, tmp_path):
        args, x, y = multi_inputs(tmp_path)
        out = tmp_path / "out"
        assert_ok(run("multi_output", *args, "--output-dir", out))
        doubled = np.load(out / "x_doubled.npy")
        assert doubled.dtype == np.float16 and doubled.shape == (3,)
        np.testing.assert_array_equal(doubled, 2 * x)
        negated = np.load(out / "y_negated.npy")
        assert negated.dtype == np.uint16 and negated.shape == (2, 2)
        np.testing.assert_array_equal(negated, y ^ 0x8000)
        total = np.load(out / "total.npy")
        assert total.dtype == np.float32 and total.shape == ()
        assert total == pytest.approx(x.astype(np.float32).sum()
                                      + bf16_values(y).sum())

    def test_summary_of_half_bf16_and_scalar_outputs(self, tmp_path):
        args, _, _ = multi_inputs(tmp_path)
        assert assert_ok(run("multi_output", *args)) == [
            "output x/doubled f16 [3] min=-2.5 max=6 mean=1.5",
            "output y negated bf16 [2,2] min=-8 max=2 mean=-1.875",
            "output total f32 [] min=9.75 max=9.75 mean=9.75"]

    def test_integer_summary_has_integer_min_max(self):
        assert assert_ok(run("no_inputs")) == [
            "output a/b i32 [2] min=-3 max=7 mean=2",
            "output a:b i32 [2] min=1 max=2 mean=1.5"]

    @pytest.mark.parametrize("version", [(1, 0), (2, 0), (3, 0)])
    def test_reads_npy_format_versions(self, tmp_path, version):
        a = np.full((2, 3), 2.5, dtype=np.float32)
        path = tmp_path / "a.npy"
        with open(path, "wb") as f:
            np.lib.format.write_array(f, a, version=version)
        b = b_input(tmp_path)
        assert assert_ok(run("add", "--input", f"a={path}", "--input",
                             f"b={b}")) == [
            "output sum f32 [2,3] min=3.5 max=3.5 mean=3.5"]

    @pytest.mark.parametrize("header", [
        "{'shape': (2, 3), 'fortran_order': False, 'descr': '<f4'}",
        '{"descr":"<f4","fortran_order":False,"shape":(2,3)}',
        "{ 'descr' : '=f4' ,\n 'fortran_order' : False ,\n "
        "'shape' : ( 2 , 3 , ) , }      \n",
        "{'descr': '<f4', 'fortran_order': False, 'shape': (2L, 3L)}",
    ], ids=["key-order", "double-quotes", "spacing-native-order", "py2-long"])
    def test_accepts_header_spellings(self, tmp_path, header):
        data = np.arange(6, dtype=np.float32).tobytes()
        a = write_raw_npy(tmp_path / "a.npy", header, data)
        b = b_input(tmp_path)
        assert assert_ok(run("add", "--input", f"a={a}", "--input",
                             f"b={b}")) == [
            "output sum f32 [2,3] min=1 max=6 mean=3.5"]

    def test_fortran_order_is_fine_when_layout_is_the_same(self, tmp_path):
        # For one dimension Fortran and C order are the same bytes.
        x = write_raw_npy(
            tmp_path / "x.npy",
            "{'descr': '<f2', 'fortran_order': True, 'shape': (3,)}",
            np.array([1, 2, 3], np.float16).tobytes())
        y = save(tmp_path / "y.npy", bf16_bits(np.zeros((2, 2))))
        lines = assert_ok(run("multi_output", "--input", f"x={x}", "--input",
                              f"y={y}"))
        assert lines[0] == "output x/doubled f16 [3] min=2 max=6 mean=4"

    def test_model_without_inputs_runs_without_flags(self):
        assert len(assert_ok(run("no_inputs"))) == 2

    def test_nan_output_is_reported_as_nan(self, tmp_path):
        a = np.zeros((2, 3), np.float32)
        a[1, 2] = np.nan
        a_path, b_path = add_inputs(tmp_path, a=a)
        assert assert_ok(run("add", "--input", f"a={a_path}", "--input",
                             f"b={b_path}")) == [
            "output sum f32 [2,3] min=nan max=nan mean=nan"]


class TestOutputFiles:
    def test_output_dir_is_created_with_parents(self, tmp_path):
        args, _, _ = multi_inputs(tmp_path)
        out = tmp_path / "a" / "b" / "c"
        proc = run("multi_output", *args, "--output-dir", out)
        assert assert_ok(proc) == [] and proc.stderr == ""
        assert sorted(os.listdir(out)) == [
            "total.npy", "x_doubled.npy", "y_negated.npy"]

    def test_output_dir_may_exist_and_files_are_overwritten(self, tmp_path):
        args, x, _ = multi_inputs(tmp_path)
        out = tmp_path / "out"
        out.mkdir()
        (out / "x_doubled.npy").write_bytes(b"stale")
        assert_ok(run("multi_output", *args, "--output-dir", f"{out}/"))
        np.testing.assert_array_equal(np.load(out / "x_doubled.npy"), 2 * x)

    def test_relative_output_dir(self, tmp_path):
        args, _, _ = multi_inputs(tmp_path)
        assert_ok(run("multi_output", *args, "--output-dir", "rel/out",
                      cwd=tmp_path))
        assert (tmp_path / "rel" / "out" / "total.npy").is_file()

    def test_output_names_are_sanitized(self, tmp_path):
        args, _, _ = multi_inputs(tmp_path)
        out = tmp_path / "o"
        assert_ok(run("multi_output", *args, "--output-dir", out))
        # "x/doubled" must not create a directory x/, and the space goes too.
        assert not (out / "x").exists()
        assert (out / "x_doubled.npy").is_file()
        assert (out / "y_negated.npy").is_file()

    def test_names_that_sanitize_alike_are_refused(self, tmp_path):
        out = tmp_path / "clash"
        assert_error(run("no_inputs", "--output-dir", out), 1,
                     "outputs 'a/b' and 'a:b' would both be written to",
                     "a_b.npy")
        assert not out.exists()

    def test_output_file_of_single_output_model(self, tmp_path):
        args = ids_inputs(tmp_path)
        out = tmp_path / "f.npy"
        assert_ok(run("ids", *args, "--output", out))
        assert np.load(out).shape == (2, 4, 3)


class TestRandomInputs:
    def random_sum(self, tmp_path, name, *args):
        out = tmp_path / f"{name}.npy"
        assert_ok(run("add", "--random-inputs", *args, "--output", out))
        return np.load(out)

    def test_same_seed_gives_same_values(self, tmp_path):
        first = self.random_sum(tmp_path, "s1", "--seed", "42")
        again = self.random_sum(tmp_path, "s2", "--seed", "42")
        other = self.random_sum(tmp_path, "s3", "--seed", "43")
        np.testing.assert_array_equal(first, again)
        assert not np.array_equal(first, other)

    def test_default_seed_is_zero(self, tmp_path):
        np.testing.assert_array_equal(
            self.random_sum(tmp_path, "d", ),
            self.random_sum(tmp_path, "z", "--seed", "0"))

    def test_given_inputs_are_used_and_do_not_shift_the_others(self,
                                                               tmp_path):
        zeros = save(tmp_path / "zeros.npy", np.zeros((2, 3), np.float32))
        ones = save(tmp_path / "ones.npy", np.ones((2, 3), np.float32))
        b = self.random_sum(tmp_path, "z", "--input", f"a={zeros}", "--seed",
                            "9")
        b_plus_one = self.random_sum(tmp_path, "o", "--input", f"a={ones}",
                                     "--seed", "9")
        np.testing.assert_array_equal(b + 1, b_plus_one)

    def test_floats_are_uniform_in_minus_one_to_one(self, tmp_path):
        zeros = save(tmp_path / "zeros.npy", np.zeros((2, 3), np.float32))
        values = np.concatenate([
            self.random_sum(tmp_path, f"r{seed}", "--input", f"a={zeros}",
                            "--seed", seed).ravel() for seed in range(40)])
        assert values.min() >= -1 and values.max() < 1
        assert values.min() < -0.8 and values.max() > 0.8
        assert abs(values.mean()) < 0.15
        assert len(np.unique(values)) > 200

    def test_half_precision_inputs_stay_below_one(self, tmp_path):
        xs, ys = [], []
        for seed in range(40):
            out = tmp_path / f"h{seed}"
            assert_ok(run("multi_output", "--random-inputs", "--seed", seed,
                          "--output-dir", out))
            xs.append(np.load(out / "x_doubled.npy").astype(np.float32) / 2)
            ys.append(-bf16_values(np.load(out / "y_negated.npy")))
        xs, ys = np.concatenate(xs), np.concatenate(ys).ravel()
        for values in (xs, ys):
            assert values.min() >= -1 and values.max() < 1
            assert values.min() < -0.5 and values.max() > 0.5

    def test_index_inputs_below_bound_other_ints_below_100_bools_0_1(
            self, tmp_path):
        ids, offsets, masks = [], [], []
        for seed in range(30):
            out = tmp_path / f"f{seed}.npy"
            assert_ok(run("ids", "--random-inputs", "--seed", seed,
                          "--output", out))
            features = np.load(out)
            ids.append(features[..., 0].ravel())
            offsets.append(features[0, 0, 1])
            masks.append(features[..., 2].ravel())
        ids, masks = np.concatenate(ids), np.concatenate(masks)
        assert set(np.unique(ids)) == set(range(10))
        assert set(np.unique(masks)) == {0, 1}
        assert all(0 <= o < 100 for o in offsets)
        assert len(set(offsets)) > 10

    def test_random_and_given_inputs_combine_in_ids_model(self, tmp_path):
        ids = save(tmp_path / "ids.npy", np.full((2, 4), 3, np.int64))
        out = tmp_path / "f.npy"
        assert_ok(run("ids", "--input", f"ids={ids}", "--random-inputs",
                      "--output", out))
        np.testing.assert_array_equal(np.load(out)[..., 0], 3)

    def test_seed_without_random_inputs_is_a_usage_error(self, tmp_path):
        a, b = add_inputs(tmp_path)
        assert_error(run("add", "--input", f"a={a}", "--input", f"b={b}",
                         "--seed", "1"), 1,
                     "flag '--seed' only applies with --random-inputs")

    @pytest.mark.parametrize("seed", ["-1", "abc", "1.5",
                                      "18446744073709551616"])
    def test_bad_seed_is_a_usage_error(self, seed):
        assert_error(run("add", "--random-inputs", "--seed", seed), 1,
                     "flag '--seed' expects an integer", f"got '{seed}'")

    def test_largest_seed_is_accepted(self):
        assert_ok(run("add", "--random-inputs", "--seed",
                      "18446744073709551615"))


LATENCY = re.compile(r"^latency_ms min=(\d+\.\d{3}) median=(\d+\.\d{3}) "
                     r"max=(\d+\.\d{3}) runs=(\d+)$")


class TestBenchAndThreads:
    def test_bench_prints_exactly_one_latency_line(self):
        proc = run("add", "--random-inputs", "--bench", "7")
        lines = assert_ok(proc)
        assert len(lines) == 1 and proc.stderr == "", describe(proc)
        match = LATENCY.match(lines[0])
        assert match, lines[0]
        low, median, high = map(float, match.groups()[:3])
        assert 0 <= low <= median <= high
        assert match.group(4) == "7"

    def test_bench_with_output_writes_file_and_still_one_line(self, tmp_path):
        a, b = add_inputs(tmp_path)
        out = tmp_path / "sum.npy"
        lines = assert_ok(run("add", "--input", f"a={a}", "--input", f"b={b}",
                              "--bench", "3", "--output", out))
        assert len(lines) == 1 and LATENCY.match(lines[0])
        np.testing.assert_array_equal(np.load(out),
                                      np.arange(1, 7).reshape(2, 3))

    @pytest.mark.parametrize("count", ["0", "-1", "abc", "", "10000001"])
    def test_bench_rejects_bad_run_counts(self, count):
        assert_error(run("add", "--random-inputs", "--bench", count), 1,
                     "flag '--bench'")

    def test_threads_above_one_prints_note_and_runs(self):
        proc = run("add", "--random-inputs", "--threads", "4")
        assert proc.returncode == 0, describe(proc)
        assert proc.stderr == ("note: this model was compiled without "
                               "threading; running on 1 thread\n")
        assert len(proc.stdout.splitlines()) == 1

    def test_threads_one_is_silent(self):
        proc = run("add", "--random-inputs", "--threads", "1")
        assert proc.returncode == 0 and proc.stderr == "", describe(proc)

    @pytest.mark.parametrize("count", ["0", "x", "-2"])
    def test_threads_rejects_non_positive_counts(self, count):
        assert_error(run("add", "--random-inputs", "--threads", count), 1,
                     "flag '--threads' expects an integer")


class TestBadInput:
    def test_unknown_input_name(self, tmp_path):
        a, _ = add_inputs(tmp_path)
        assert assert_error(run("add", "--input", f"foo={a}"), 1) == (
            "error: unknown input name 'foo' (the model's inputs are: a, b)")

    def test_missing_input(self, tmp_path):
        a, _ = add_inputs(tmp_path)
        assert assert_error(run("add", "--input", f"a={a}"), 1) == (
            "error: missing input 'b' (give --input b=FILE.npy or "
            "--random-inputs)")

    def test_several_missing_inputs_are_all_named(self):
        assert_error(run("ids"), 1, "missing inputs 'ids', 'mask', 'offset'")

    def test_input_given_twice(self, tmp_path):
        a, b = add_inputs(tmp_path)
        assert_error(run("add", "--input", f"a={a}", "--input", f"a={b}"), 1,
                     "input 'a' is given twice")

    @pytest.mark.parametrize("spec,message", [
        ("a", "flag '--input' expects NAME=FILE.npy, got 'a'"),
        ("=x.npy", "unknown input name ''"),
        ("a=", "flag '--input a=' has no file name after '='"),
    ], ids=["no-equals", "no-name", "no-file"])
    def test_malformed_input_spec(self, spec, message):
        assert_error(run("add", "--input", spec), 1, message)

    def test_wrong_dtype_names_file_and_expected_descr(self, tmp_path):
        a = save(tmp_path / "a.npy", np.zeros((2, 3), np.float64))
        b = b_input(tmp_path)
        assert assert_error(run("add", "--input", f"a={a}", "--input",
                                f"b={b}"), 1) == (
            f"error: input 'a': file '{a}' has dtype <f8 but the model "
            "expects f32 ('<f4')")

    def test_big_endian_float_is_refused(self, tmp_path):
        a = save(tmp_path / "a.npy", np.zeros((2, 3), ">f4"))
        b = b_input(tmp_path)
        assert_error(run("add", "--input", f"a={a}", "--input", f"b={b}"), 1,
                     "has dtype >f4 but the model expects f32 ('<f4')")

    def test_bf16_input_given_as_float32_explains_uint16(self, tmp_path):
        args, _, _ = multi_inputs(tmp_path)
        y = save(tmp_path / "yf.npy", np.zeros((2, 2), np.float32))
        assert_error(run("multi_output", *args[:2], "--input", f"y={y}"), 1,
                     "input 'y'", "has dtype <f4", "expects bf16 ('<u2'",
                     "uint16")

    def test_wrong_shape(self, tmp_path):
        a = save(tmp_path / "a.npy", np.zeros((2, 2), np.float32))
        b = b_input(tmp_path)
        assert assert_error(run("add", "--input", f"a={a}", "--input",
                                f"b={b}"), 1) == (
            "error: input 'a': shape [2,2] does not match the model's [2,3] "
            f"(file '{a}')")

    def test_scalar_where_tensor_expected(self, tmp_path):
        a = save(tmp_path / "a.npy", np.float32(1))
        b = b_input(tmp_path)
        assert_error(run("add", "--input", f"a={a}", "--input", f"b={b}"), 1,
                     "shape [] does not match the model's [2,3]")

    def test_truncated_file(self, tmp_path):
        a, b = add_inputs(tmp_path)
        raw = a.read_bytes()
        a.write_bytes(raw[:-4])
        assert assert_error(run("add", "--input", f"a={a}", "--input",
                                f"b={b}"), 1) == (
            f"error: '{a}' is truncated: header promises 24 bytes of data, "
            "file has 20")

    def test_truncated_inside_header(self, tmp_path):
        a, b = add_inputs(tmp_path)
        a.write_bytes(a.read_bytes()[:40])
        assert_error(run("add", "--input", f"a={a}", "--input", f"b={b}"), 1,
                     f"'{a}' is truncated")

    def test_trailing_bytes_after_data(self, tmp_path):
        a, b = add_inputs(tmp_path)
        a.write_bytes(a.read_bytes() + b"\0\0")
        assert_error(run("add", "--input", f"a={a}", "--input", f"b={b}"), 1,
                     f"'{a}' has 2 unexpected bytes after its data")

    def test_file_that_is_not_npy(self, tmp_path):
        a = tmp_path / "x.txt"
        a.write_text("1, 2, 3, 4, 5, 6\n")
        b = b_input(tmp_path)
        assert assert_error(run("add", "--input", f"a={a}", "--input",
                                f"b={b}"), 1) == (
            f"error: '{a}' is not a .npy file (bad magic)")

    def test_npz_archive_is_not_npy(self, tmp_path):
        a = tmp_path / "a.npz"
        np.savez(a, a=np.zeros((2, 3), np.float32))
        b = b_input(tmp_path)
        assert_error(run("add", "--input", f"a={a}", "--input", f"b={b}"), 1,
                     "is not a .npy file (bad magic)")

    def test_empty_file(self, tmp_path):
        a = tmp_path / "a.npy"
        a.write_bytes(b"")
        b = b_input(tmp_path)
        assert_error(run("add", "--input", f"a={a}", "--input", f"b={b}"), 1,
                     f"'{a}' is empty, not a .npy file")

    def test_malformed_header(self, tmp_path):
        a = write_raw_npy(tmp_path / "a.npy",
                          "{'descr': '<f4', 'shape': (2, 3)}", bytes(24))
        b = b_input(tmp_path)
        assert_error(run("add", "--input", f"a={a}", "--input", f"b={b}"), 1,
                     f"'{a}' has a bad .npy header",
                     "no 'fortran_order' key")

    def test_unsupported_format_version(self, tmp_path):
        a = write_raw_npy(
            tmp_path / "a.npy",
            "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3)}",
            bytes(24), version=(9, 0))
        b = b_input(tmp_path)
        assert_error(run("add", "--input", f"a={a}", "--input", f"b={b}"), 1,
                     "format version 9.0")

    def test_fortran_order(self, tmp_path):
        a = save(tmp_path / "a.npy",
                 np.asfortranarray(np.zeros((2, 3), np.float32)))
        b = b_input(tmp_path)
        assert_error(run("add", "--input", f"a={a}", "--input", f"b={b}"), 1,
                     "input 'a'", f"'{a}' is stored in Fortran")

    def test_missing_file(self, tmp_path):
        b = b_input(tmp_path)
        missing = tmp_path / "nope.npy"
        assert assert_error(run("add", "--input", f"a={missing}", "--input",
                                f"b={b}"), 1) == (
            f"error: input 'a': cannot open '{missing}': No such file or "
            "directory")

    def test_directory_as_input(self, tmp_path):
        b = b_input(tmp_path)
        assert_error(run("add", "--input", f"a={tmp_path}", "--input",
                         f"b={b}"), 1, f"'{tmp_path}' is a directory")

    def test_out_of_range_index_input(self, tmp_path):
        ids = np.array([[1, 2, 3, 4], [5, 6, 12, 7]], np.int64)
        args = ids_inputs(tmp_path, ids=ids)
        assert assert_error(run("ids", *args), 1) == (
            "error: input 'ids': value 12 at index [1,2] is out of range "
            f"[0, 10) (file '{tmp_path / 'ids.npy'}')")

    def test_negative_index_input(self, tmp_path):
        ids = np.array([[-1, 2, 3, 4], [5, 6, 7, 8]], np.int64)
        assert_error(run("ids", *ids_inputs(tmp_path, ids=ids)), 1,
                     "input 'ids': value -1 at index [0,0] is out of range "
                     "[0, 10)")

    def test_bool_input_with_value_other_than_0_or_1(self, tmp_path):
        args = ids_inputs(tmp_path)
        mask = write_raw_npy(
            tmp_path / "mask.npy",
            "{'descr': '|b1', 'fortran_order': False, 'shape': (2, 4)}",
            bytes([1, 0, 1, 0, 2, 0, 0, 0]))
        args[3] = f"mask={mask}"
        assert_error(run("ids", *args), 1,
                     "input 'mask': value 2 at index [1,0] is not a boolean")

    def test_output_dir_under_a_regular_file(self, tmp_path):
        a, b = add_inputs(tmp_path)
        target = f"{a}/sub"
        assert assert_error(run("add", "--input", f"a={a}", "--input",
                                f"b={b}", "--output-dir", target), 1) == (
            f"error: cannot create output directory '{target}': Not a "
            "directory")

    def test_output_file_in_missing_directory(self, tmp_path):
        a, b = add_inputs(tmp_path)
        target = tmp_path / "no" / "such" / "sum.npy"
        assert_error(run("add", "--input", f"a={a}", "--input", f"b={b}",
                         "--output", target), 1, "flag '--output'",
                     f"'{target}'", "No such file or directory")

    def test_output_file_that_is_a_directory(self, tmp_path):
        a, b = add_inputs(tmp_path)
        assert_error(run("add", "--input", f"a={a}", "--input", f"b={b}",
                         "--output", tmp_path), 1, "is a directory")

    @pytest.mark.skipif(IS_ROOT, reason="root ignores directory permissions")
    def test_output_dir_without_permission(self, tmp_path):
        a, b = add_inputs(tmp_path)
        locked = tmp_path / "locked"
        locked.mkdir(mode=0o500)
        try:
            assert assert_error(run("add", "--input", f"a={a}", "--input",
                                    f"b={b}", "--output-dir",
                                    locked / "out"), 1) == (
                f"error: cannot create output directory '{locked / 'out'}': "
                "Permission denied")
            assert_error(run("add", "--input", f"a={a}", "--input", f"b={b}",
                             "--output", locked / "x.npy"), 1,
                         "Permission denied")
        finally:
            locked.chmod(0o700)

    def test_unknown_flag(self):
        assert assert_error(run("add", "--foo"), 1) == (
            "error: unknown flag '--foo' (see --help)")

    def test_unknown_flag_with_value(self):
        assert_error(run("add", "--gpu=1"), 1, "unknown flag '--gpu'")

    def test_device_on_a_cpu_model(self):
        assert_error(run("add", "--device=1"), 1,
                     "--device: model 'add' runs on the CPU, not on a Vulkan "
                     "device")

    def test_positional_argument(self, tmp_path):
        assert_error(run("add", "a.npy"), 1, "unexpected argument 'a.npy'")

    def test_flag_without_its_value(self):
        assert_error(run("add", "--input"), 1,
                     "flag '--input' needs a value (--input NAME=FILE.npy)")
        assert_error(run("add", "--output", "--random-inputs"), 1,
                     "flag '--output' needs a value")

    def test_value_given_to_a_flag_without_one(self):
        assert_error(run("add", "--info=yes"), 1,
                     "flag '--info' takes no value")

    def test_single_valued_flag_given_twice(self, tmp_path):
        assert_error(run("add", "--random-inputs", "--bench", "1", "--bench",
                         "2"), 1, "flag '--bench' is given twice")

    def test_output_with_multi_output_model(self, tmp_path):
        args, _, _ = multi_inputs(tmp_path)
        assert assert_error(run("multi_output", *args, "--output",
                                tmp_path / "o.npy"), 1) == (
            "error: flag '--output' needs a single-output model, but this "
            "model has 3 outputs (x/doubled, y negated, total): use "
            "--output-dir DIR")
        assert not (tmp_path / "o.npy").exists()

    def test_output_and_output_dir_together(self, tmp_path):
        assert_error(run("add", "--random-inputs", "--output", tmp_path / "o",
                         "--output-dir", tmp_path), 1,
                     "'--output' and '--output-dir' cannot be combined")

    def test_newline_in_file_name_keeps_error_on_one_line(self, tmp_path):
        b = b_input(tmp_path)
        assert_error(run("add", "--input", f"a={tmp_path}/x\ny.npy",
                         "--input", f"b={b}"), 1, "x?y.npy")


class TestRunErrors:
    def test_index_error_during_run_is_bad_input(self, tmp_path):
        positions = save(tmp_path / "p.npy", np.array([0, 7, 1], np.int64))
        assert assert_error(run("gather", "--input", f"positions={positions}"),
                            1) == (
            'error: index 7 out of range [0, 5) in tfm.gather at '
            '"model.mlir":7:10')

    def test_later_index_errors_are_counted(self, tmp_path):
        positions = save(tmp_path / "p.npy", np.array([9, 7, -8], np.int64))
        assert_error(run("gather", "--input", f"positions={positions}"), 1,
                     "index 9 out of range [0, 5)",
                     "(and 2 more errors in this run)")

    def test_in_range_and_wrapped_negative_indices_run(self, tmp_path):
        positions = save(tmp_path / "p.npy", np.array([-1, 0, 4], np.int64))
        out = tmp_path / "g.npy"
        assert_ok(run("gather", "--input", f"positions={positions}",
                      "--output", out))
        np.testing.assert_array_equal(np.load(out), [50, 10, 50])

    def test_no_output_is_written_after_an_index_error(self, tmp_path):
        positions = save(tmp_path / "p.npy", np.array([0, 5, 1], np.int64))
        out = tmp_path / "out"
        assert_error(run("gather", "--input", f"positions={positions}",
                         "--output-dir", out), 1, "index 5 out of range")
        assert not (out / "gathered.npy").exists()

    def test_index_error_during_bench_warm_up(self, tmp_path):
        positions = save(tmp_path / "p.npy", np.array([6, 0, 0], np.int64))
        assert_error(run("gather", "--input", f"positions={positions}",
                         "--bench", "5"), 1, "index 6 out of range")

    def test_model_from_mismatched_compiler_is_a_runtime_failure(self):
        for args in ([], ["--info"], ["--random-inputs"]):
            assert_error(run("bad_abi", *args), 2,
                         "model 'bad_abi' was compiled for runtime ABI "
                         "version 3, but this runtime implements version 2")
