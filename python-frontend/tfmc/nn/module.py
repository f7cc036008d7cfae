"""Modules and parameters, in the spirit of torch.nn, and `trace`, which
turns a module (or any function of tensors) into a tfm Graph."""
import numpy as np

from ..dtypes import NUMPY_DTYPES, BFloat16Array, dtype_of, tfm_dtype
from ..errors import TfmcError
from ..ir import Graph, TensorType, Value


class Parameter:
    """A named weight of a module: its shape, element type and data (None
    until `init_weights` or `load_state_dict` gives it one). In a traced graph
    it becomes a `tfm.weight` named by its path in the module tree."""

    def __init__(self, shape, init, dtype="f32"):
        self.shape = tuple(int(d) for d in shape)
        self.dtype = tfm_dtype(dtype)
        self.init = init        # rng, shape -> float64 array
        self.data = None
        self.name = None        # its path, "encoder.layers.0.norm1.weight", once called

    def as_value(self, graph):
        if self.data is None:
            raise TfmcError(f"parameter '{self.name}' has no value: call "
                            f"init_weights(seed) or load_state_dict() first")
        return graph.weight(self.name, self.data)

    def set(self, array, where):
        """Sets the data, converting it to the parameter's element type."""
        array = to_numpy(array)
        if isinstance(array, BFloat16Array):
            array = array.to_float32()
        array = np.asarray(array)
        if array.shape != self.shape:
            raise TfmcError(f"{where}: shape {list(array.shape)} does not match the "
                            f"parameter's {list(self.shape)}")
        if array.dtype.kind != "f":
            raise TfmcError(f"{where}: dtype {array.dtype} is not a float type")
        if self.dtype == "bf16":
            self.data = BFloat16Array.from_float32(array)
        else:
            self.data = np.ascontiguousarray(array, dtype=NUMPY_DTYPES[self.dtype])

    def __repr__(self):
        return f"Parameter({self.name or '?'}: {self.dtype} {list(self.shape)})"


def to_numpy(array):
    """A torch tensor as a numpy array (bfloat16 as a BFloat16Array); other
    values unchanged."""
    if not hasattr(array, "detach"):
        return array
    tensor = array.detach().cpu()
    if str(tensor.dtype) == "torch.bfloat16":
        import torch
        return BFloat16Array(tensor.view(torch.int16).numpy().view(np.uint16))
    return tensor.numpy()


# How many Module calls are in progress (the outermost one names parameters).
_call_depth = 0


class Module:
    """Base class of the building blocks. Subclasses create their
    Parameters and sub-Modules as attributes in `__init__` (the attribute
    names form the weight names, as in PyTorch) and compute in `forward`,
    on `Value`s, with the ops of the value's Graph."""

    def __init__(self):
        object.__setattr__(self, "_parameters", {})
        object.__setattr__(self, "_modules", {})
        object.__setattr__(self, "_path", "")

    def __setattr__(self, name, value):
        if "_parameters" not in self.__dict__:
            raise TfmcError(f"{type(self).__name__}.__init__ must call "
                            f"super().__init__() before setting attributes")
        self._parameters.pop(name, None)
        self._modules.pop(name, None)
        if isinstance(value, Parameter):
            self._parameters[name] = value
        elif isinstance(value, Module):
            self._modules[name] = value
        object.__setattr__(self, name, value)

    def forward(self, *args, **kwargs):
        raise NotImplementedError(f"{type(self).__name__} has no forward()")

    def __call__(self, *args, **kwargs):
        global _call_depth
        graph = next((a.graph for a in list(args) + list(kwargs.values())
                      if isinstance(a, Value)), None)
        if _call_depth == 0:
            # The outermost module names its parameters by their paths in it.
            self._assign_names()
        _call_depth += 1
        try:
            if graph is None:
                return self.forward(*args, **kwargs)
            # Ops built by this module point back at it (its path in the model).
            with graph.location(self._path or type(self).__name__):
                return self.forward(*args, **kwargs)
        finally:
            _call_depth -= 1

    # --- The module tree ----------------------------------------------------------

    def named_modules(self, prefix=""):
        """(path, module) for this module and every descendant, each once."""
        seen = set()

        def walk(module, path):
            if id(module) in seen:
                return
            seen.add(id(module))
            yield path, module
            for name, child in module._modules.items():
                yield from walk(child, f"{path}.{name}" if path else name)
        yield from walk(self, prefix)

    def named_parameters(self, prefix=""):
        """(name, Parameter) for every parameter, each once (a parameter
        shared by two modules, such as tied embeddings, under its first name)."""
        seen = set()
        for path, module in self.named_modules(prefix):
            for name, p in module._parameters.items():
                if id(p) not in seen:
                    seen.add(id(p))
                    yield (f"{path}.{name}" if path else name), p

    def parameters(self):
        return [p for _, p in self.named_parameters()]

    def _assign_names(self):
        for path, module in self.named_modules():
            object.__setattr__(module, "_path", path)
        for name, p in self.named_parameters():
            p.name = name

    # --- Weights ------------------------------------------------------------------

    def init_weights(self, seed=0):
        """Fills every parameter with random values drawn from a generator
        seeded with `seed` (PyTorch's default distributions: U(±1/sqrt(fan_in))
        for linear layers, N(0, 1) for embeddings, ones and zeros for norms).
        Returns self."""
        rng = np.random.default_rng(seed)
        for name, p in self.named_parameters():
            p.set(p.init(rng, p.shape), f"parameter '{name}'")
        return self

    def state_dict(self):
        """name -> numpy array (BFloat16Array for bf16) of every parameter."""
        self._assign_names()
        missing = [n for n, p in self.named_parameters() if p.data is None]
        if missing:
            raise TfmcError(f"parameter '{missing[0]}' has no value: call "
                            f"init_weights(seed) or load_state_dict() first")
        return {n: p.data for n, p in self.named_parameters()}

    def load_state_dict(self, state_dict, strict=True):
        """Sets parameters from `state_dict` (name -> numpy array or torch
        tensor): a tfmc state dict, or a PyTorch module's whose layout this
        module mirrors (e.g. torch.nn.Transformer's for nn.Transformer,
        whose packed in_proj_weight is split into q/k/v projections).
        With `strict`, missing and unexpected names are errors. Returns self."""
        entries = dict(state_dict)
        for path, module in self.named_modules():
            module._convert_torch_names(f"{path}." if path else "", entries)
        params = dict(self.named_parameters())
        missing = [n for n in params if n not in entries]
        unexpected = [n for n in entries if n not in params]
        if strict and (missing or unexpected):
            parts = []
            if missing:
                parts.append("missing: " + ", ".join(missing))
            if unexpected:
                parts.append("unexpected: " + ", ".join(unexpected))
            raise TfmcError(f"state dict does not match {type(self).__name__} "
                            f"({'; '.join(parts)})")
        for name, p in params.items():
            if name in entries:
                p.set(entries[name], f"state dict entry '{name}'")
        return self

    def _convert_torch_names(self, prefix, entries):
        """Renames the entries under `prefix` that PyTorch's equivalent of
        this module names differently (hook for subclasses)."""


class ModuleList(Module):
    """A list of modules, named 0, 1, ... (torch.nn.ModuleList)."""

    def __init__(self, modules=()):
        super().__init__()
        for i, m in enumerate(modules):
            setattr(self, str(i), m)

    def __iter__(self):
        return iter(self._modules.values())

    def __len__(self):
        return len(self._modules)

    def __getitem__(self, i):
        return list(self._modules.values())[i]


def rename_entries(entries, old_prefix, new_prefix):
    """Moves every entry named old_prefix* to new_prefix*."""
    for name in [n for n in entries if n.startswith(old_prefix)]:
        entries[new_prefix + name[len(old_prefix):]] = entries.pop(name)


def _input_type(name, spec):
    if isinstance(spec, TensorType):
        return spec
    if isinstance(spec, tuple) and len(spec) == 2 and isinstance(spec[1], str):
        return TensorType(spec[0], spec[1])
    if isinstance(spec, BFloat16Array) or hasattr(spec, "shape"):
        return TensorType(spec.shape, dtype_of(to_numpy(spec)))
    raise TfmcError(f"input '{name}': give a TensorType, a (shape, dtype) pair or "
                    f"an example array, not {type(spec).__name__}")


def trace(fn, inputs, output_names=None):
    """Builds the Graph of `fn` (a Module or a function of Values) on the
    given inputs: name -> TensorType, (shape, dtype) or an example array,
    passed to `fn` positionally in this order.

    `fn` returns a Value, a tuple of Values or a dict name -> Value; outputs
    are named by the dict keys, or by `output_names` (default "output", or
    "output0", "output1", ... for a tuple)."""
    graph = Graph()
    args = [graph.input(name, _input_type(name, spec).shape,
                        _input_type(name, spec).dtype)
            for name, spec in inputs.items()]
    result = fn(*args)
    if isinstance(result, dict):
        outputs = list(result.items())
    else:
        values = list(result) if isinstance(result, (tuple, list)) else [result]
        if output_names is None:
            output_names = (["output"] if len(values) == 1
                            else [f"output{i}" for i in range(len(values))])
        if len(output_names) != len(values):
            raise TfmcError(f"{len(output_names)} output names for "
                            f"{len(values)} outputs")
        outputs = list(zip(output_names, values))
    for name, value in outputs:
        if not isinstance(value, Value):
            raise TfmcError(f"output '{name}' is {type(value).__name__}, not a "
                            f"tensor of the traced graph")
        graph.output(name, value)
    return graph
