"""Table 1 of Vaswani et al. (2017), measured: what a layer costs against the sequence length.

For a sequence of n vectors of width d, the paper compares layer types by

- work per layer: recurrent O(n·d²), self-attention O(n²·d), convolution O(k·n·d²);
- sequential operations, the longest chain of steps that must run one after another:
  O(n) for the recurrent layer (h_t needs h_{t-1}), O(1) for attention and convolution;
- maximum path length between two positions, the number of steps a signal from
  position 0 crosses to reach position n-1: O(n) recurrent, O(1) attention,
  O(n/k) contiguous convolutions (O(log_k n) dilated).

Each is measured here rather than taken from the table:

- ``timing``: wall-clock seconds of one training step (forward, backward, SGD update)
  of a single layer on a batch, against n at fixed d and against d at fixed n; run once
  per thread count, so the report can show which layer parallel hardware speeds up;
- ``structure`` (JAX backend): the critical path of the layer's forward computation,
  counted in primitive operations on the longest dependency chain of its jaxpr (a loop
  over time counts its body once per step), XLA's scratch memory for the training step,
  and the path length: for attention and convolution the number of stacked layers
  before y_{n-1} first depends on x_0 (found by pushing a tangent at x_0 through the
  stack), for the recurrent layer the number of recurrent steps between them, read from
  the gradient of a linear recurrence h_t = ρ·h_{t-1} + x_t, which is exactly ρ^steps.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

LAYER_KINDS = ("recurrent", "self_attention", "convolution")


def single_layer(
    kind: str, width: int, heads: int, kernel_size: int, dilation: int = 1, padding: str = "same"
):
    """One layer of a kind, mapping (batch, n, width) -> (batch, n, width)."""
    import keras

    if kind == "recurrent":
        return keras.layers.LSTM(width, return_sequences=True, name="recurrent")
    if kind == "self_attention":
        from recurrent_bottleneck.models.self_attention import SelfAttention

        return SelfAttention(width, heads, name="self_attention")
    if kind == "convolution":
        return keras.layers.Conv1D(
            width, kernel_size, padding=padding, dilation_rate=dilation, name="convolution"
        )
    raise ValueError(f"layer kind must be one of {LAYER_KINDS}, got {kind!r}")


def layer_model(kind: str, length: int, width: int, heads: int, kernel_size: int):
    """Input (n, d) -> the layer, compiled for training with plain SGD.

    Without XLA: on the CPU, XLA's loop over time copies the stored activations at every
    step, so its LSTM step time grows faster than n (measured here: 1.1 s against 0.5 s
    at n = 2048); the framework's own graph keeps them in place.
    """
    import keras

    inputs = keras.Input(shape=(length, width))
    model = keras.Model(inputs, single_layer(kind, width, heads, kernel_size)(inputs))
    # no XLA on TensorFlow (its compiled loop copies the activations every step); JAX
    # always traces the step into one program (without jit it would run op by op)
    model.compile(
        optimizer=keras.optimizers.SGD(1e-3),
        loss="mean_squared_error",
        jit_compile=keras.backend.backend() != "tensorflow",
    )
    return model


def sweep_points(settings: dict) -> list[tuple[str, int, int]]:
    """(sweep, n, d): n varies at the fixed width, then d varies at the fixed length."""
    points = [("length", length, settings["width"]) for length in settings["lengths"]]
    points += [("width", settings["length"], width) for width in settings["widths"]]
    return points


def timing(settings: dict, tensorboard_directory) -> dict:
    """Seconds per training step of each layer kind over the (n, d) sweeps."""
    import keras

    from recurrent_bottleneck.milestones.step_cost import seconds_per_training_step
    from recurrent_bottleneck.runtime import seed_everything
    from recurrent_bottleneck.tensorboard_log import RunWriter

    seed_everything(0)
    random = np.random.default_rng(0)
    batch = settings["batch_size"]
    rows = []
    with RunWriter(Path(tensorboard_directory)) as writer:
        for kind in settings["layers"]:
            for sweep, length, width in sweep_points(settings):
                model = layer_model(kind, length, width, settings["heads"], settings["kernel_size"])
                inputs = random.normal(size=(batch, length, width)).astype("float32")
                targets = random.normal(size=(batch, length, width)).astype("float32")
                seconds = seconds_per_training_step(model, inputs, targets, settings["repeats"])
                rows.append(
                    {
                        "layer": kind,
                        "sweep": sweep,
                        "length": length,
                        "width": width,
                        "seconds_per_step": seconds,
                        "tokens_per_second": batch * length / seconds,
                    }
                )
                step = length if sweep == "length" else width
                writer.scalar(f"seconds_per_step_against_{sweep}/{kind}", seconds, step=step)
                print(f"{kind} n={length} d={width}: {1000 * seconds:.2f} ms per step", flush=True)
                keras.backend.clear_session()
    return {
        "milestone": "attention",
        "measurement": "layer_timing",
        "settings": settings,
        "rows": rows,
    }


# ----------------------------------------------------------------------------------
# structure: sequential operations, memory, path length (JAX backend)

CALL_PARAMETERS = ("jaxpr", "call_jaxpr", "fun_jaxpr")


def built_weights(layer, input_shape) -> tuple[list, list]:
    """Build the layer for the input shape; its (trainable, non-trainable) weight values,
    as ``stateless_call`` takes them."""
    layer.build(input_shape)
    return (
        [variable.value for variable in layer.trainable_variables],
        [variable.value for variable in layer.non_trainable_variables],
    )


def critical_path_length(jaxpr) -> int:
    """Primitive operations on the longest dependency chain of a jaxpr.

    Every equation takes one step after the latest of its inputs is ready; a ``scan``
    (a loop over time) takes ``length`` times its body's chain; calls and branches
    take their inner chain. A ``while`` loop's trip count is unknown before it runs,
    so it is refused rather than guessed.
    """
    from jax.extend.core import Literal

    ready: dict = {}

    def depth_of(variable) -> int:
        return 0 if isinstance(variable, Literal) else ready.get(variable, 0)

    for equation in jaxpr.eqns:
        start = max((depth_of(variable) for variable in equation.invars), default=0)
        cost = _equation_cost(equation)
        for variable in equation.outvars:
            ready[variable] = start + cost
    return max((depth_of(variable) for variable in jaxpr.outvars), default=0)


def _inner(jaxpr_like):
    return getattr(jaxpr_like, "jaxpr", jaxpr_like)


def _equation_cost(equation) -> int:
    name, parameters = equation.primitive.name, equation.params
    if name == "scan":
        return parameters["length"] * critical_path_length(_inner(parameters["jaxpr"]))
    if name == "while":
        raise ValueError("a while loop's trip count is not known: cannot count its steps")
    if name == "cond":
        return max(critical_path_length(_inner(branch)) for branch in parameters["branches"])
    for key in CALL_PARAMETERS:
        if key in parameters:
            return critical_path_length(_inner(parameters[key]))
    return 1


def sequential_operations(kind: str, length: int, settings: dict) -> int:
    """The critical path of one layer's forward pass on a (1, n, d) input."""
    import jax

    layer = single_layer(kind, settings["width"], settings["heads"], settings["kernel_size"])
    inputs = np.zeros((1, length, settings["width"]), dtype="float32")
    trainable, non_trainable = built_weights(layer, inputs.shape)

    def forward(trainable, non_trainable, inputs):
        return layer.stateless_call(trainable, non_trainable, inputs)[0]

    closed = jax.make_jaxpr(forward)(trainable, non_trainable, inputs)
    return critical_path_length(closed.jaxpr)


def training_step_bytes(kind: str, length: int, settings: dict) -> int:
    """XLA's scratch (temporary) bytes for one compiled gradient step of the layer."""
    import jax

    layer = single_layer(kind, settings["width"], settings["heads"], settings["kernel_size"])
    shape = (settings["batch_size"], length, settings["width"])
    trainable, non_trainable = built_weights(layer, shape)

    def loss(trainable, non_trainable, inputs):
        outputs = layer.stateless_call(trainable, non_trainable, inputs)[0]
        return jax.numpy.mean(outputs**2)

    inputs = jax.ShapeDtypeStruct(shape, "float32")
    compiled = jax.jit(jax.grad(loss)).lower(trainable, non_trainable, inputs).compile()
    return int(compiled.memory_analysis().temp_size_in_bytes)


def stacked_path_length(kind: str, length: int, settings: dict, dilated: bool = False) -> int:
    """Layers of a kind stacked until y_{n-1} first depends on x_0.

    A tangent (a perturbation of x_0 alone) is pushed through the same layer again and
    again with forward-mode differentiation (which positions depend on x_0 does not
    depend on the weights); the answer is the first depth at which it
    reaches position n-1. Convolutions are causal here (y_t sees x_t … x_{t-k+1}, as in
    the convolutional decoders the paper cites), so one layer carries a signal at most
    k-1 positions on: contiguous kernels need about n/(k-1) layers; dilated ones, whose
    dilation grows as k^l with the depth l, about log_k n.
    """
    import jax

    width, kernel = settings["path_width"], settings["kernel_size"]
    random = np.random.default_rng(0)
    point = random.normal(size=(1, length, width)).astype("float32")
    tangent = np.zeros_like(point)
    tangent[0, 0, :] = 1.0
    pushes = {}  # dilation -> compiled (point, tangent) -> (layer(point), its tangent)
    for depth in range(1, length + 1):
        dilation = kernel ** (depth - 1) if dilated else 1
        if dilation not in pushes:
            layer = single_layer(kind, width, settings["path_heads"], kernel, dilation, "causal")
            trainable, non_trainable = built_weights(layer, point.shape)

            def forward(inputs, layer=layer, trainable=trainable, non_trainable=non_trainable):
                return layer.stateless_call(trainable, non_trainable, inputs)[0]

            pushes[dilation] = jax.jit(
                lambda point, tangent, forward=forward: jax.jvp(forward, (point,), (tangent,))
            )
        point, tangent = (np.asarray(array) for array in pushes[dilation](point, tangent))
        # only where the tangent is non-zero matters: keep it 0/1 so that a long stack
        # cannot underflow it (products of many small weights) into a false zero
        tangent = (tangent != 0.0).astype("float32")
        point = point / (np.std(point) + 1e-12)
        if np.any(tangent[0, -1, :]):
            return depth
    raise RuntimeError(f"{kind}: position {length - 1} never depends on position 0")


def recurrent_path_length(length: int, radius: float) -> float:
    """Recurrent steps between x_0 and y_{n-1}, read from d y_{n-1} / d x_0 = ρ^steps.

    The linear recurrence h_t = ρ·h_{t-1} + x_t (one unit, scanned over time) multiplies
    the signal by ρ at every step it crosses.
    """
    import jax

    def last_output(inputs):
        def step(state, value):
            state = radius * state + value
            return state, state

        _, outputs = jax.lax.scan(step, 0.0, inputs)
        return outputs[-1]

    gradient = jax.grad(last_output)(np.zeros(length, dtype="float32"))
    return float(math.log(float(gradient[0])) / math.log(radius))


def structure(settings: dict, tensorboard_directory) -> dict:
    """Sequential operations, training-step memory and path length per layer and n."""
    import keras

    if keras.backend.backend() != "jax":
        raise RuntimeError("the structure measurement reads jaxprs: run it with --backend jax")
    from recurrent_bottleneck.tensorboard_log import RunWriter

    rows = []
    with RunWriter(Path(tensorboard_directory)) as writer:
        for kind in settings["layers"]:
            for length in settings["lengths"]:
                row = {
                    "layer": kind,
                    "length": length,
                    "sequential_operations": sequential_operations(kind, length, settings),
                    "temporary_bytes": training_step_bytes(kind, length, settings),
                }
                if length <= settings["path_max_length"]:
                    if kind == "recurrent":
                        row["path_length"] = recurrent_path_length(length, settings["path_radius"])
                    else:
                        row["path_length"] = stacked_path_length(kind, length, settings)
                    if kind == "convolution":
                        row["dilated_path_length"] = stacked_path_length(
                            kind, length, settings, dilated=True
                        )
                rows.append(row)
                for key in ("sequential_operations", "temporary_bytes", "path_length"):
                    if key in row:
                        writer.scalar(f"{key}/{kind}", row[key], step=length)
                print(f"{kind} n={length}: {row}", flush=True)
                keras.backend.clear_session()
    return {
        "milestone": "attention",
        "measurement": "layer_structure",
        "settings": settings,
        "rows": rows,
    }
