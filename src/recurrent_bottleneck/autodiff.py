"""Gradients through the active Keras backend.

Keras 3 writes models once in ``keras.ops`` but leaves differentiation to the
backend. These helpers are the only backend-specific code in the project:
``gradient`` differentiates a scalar function of plain tensors,
``weight_gradient_norm`` gives the global norm of a model's loss gradient (what
gradient clipping would see), for logging during training, and
``layer_gradient_norms`` splits that norm by layer (how much gradient reaches the
bottom of a deep stack); ``compiled`` compiles a function of tensors with the
backend's compiler (for hand-written learning rules).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import keras
import numpy as np


def gradient(function: Callable, arguments: Sequence) -> list[np.ndarray]:
    """d function(*arguments) / d argument, for every argument, as NumPy arrays."""
    arguments = [keras.ops.convert_to_tensor(argument) for argument in arguments]
    backend = keras.backend.backend()
    if backend == "tensorflow":
        import tensorflow as tf

        with tf.GradientTape() as tape:
            for argument in arguments:
                tape.watch(argument)
            value = function(*arguments)
        gradients = tape.gradient(value, arguments)
    elif backend == "jax":
        import jax

        gradients = jax.grad(function, argnums=tuple(range(len(arguments))))(*arguments)
    else:
        raise NotImplementedError(f"gradients are not implemented for the {backend} backend")
    return [keras.ops.convert_to_numpy(g) for g in gradients]


def compiled(function: Callable) -> Callable:
    """``function`` compiled by the backend: ``tf.function`` with XLA, or ``jax.jit``."""
    backend = keras.backend.backend()
    if backend == "tensorflow":
        import tensorflow as tf

        return tf.function(function, jit_compile=True)
    if backend == "jax":
        import jax

        return jax.jit(function)
    raise NotImplementedError(f"compilation is not implemented for the {backend} backend")


def weight_gradient_norm(model: keras.Model, loss: Callable, inputs, targets) -> float:
    """Global L2 norm of d loss(targets, model(inputs)) / d trainable weights."""
    return float(np.sqrt(sum(_gradient_squares(model, loss, inputs, targets))))


def layer_gradient_norms(model: keras.Model, loss: Callable, inputs, targets) -> dict[str, float]:
    """L2 norm of d loss(targets, model(inputs)) / d weights of each top-level layer of
    the model (a weight belongs to the layer its path starts with), one backward pass."""
    squares: dict[str, float] = {}
    gradient_squares = _gradient_squares(model, loss, inputs, targets)
    for variable, square in zip(model.trainable_variables, gradient_squares, strict=True):
        layer = variable.path.split("/")[0]
        squares[layer] = squares.get(layer, 0.0) + square
    return {layer: float(np.sqrt(square)) for layer, square in squares.items()}


def _gradient_squares(model: keras.Model, loss: Callable, inputs, targets) -> list[float]:
    """Sum of squares of the loss gradient, per trainable weight. The backend's gradient
    function is compiled once per model (``tf.function`` or ``jax.jit``) and kept on the
    model, since training loops call this repeatedly."""
    compiled = getattr(model, "_recurrent_bottleneck_gradient_squares", None)
    if compiled is None:
        compiled = _compile_gradient_squares(model, loss)
        model._recurrent_bottleneck_gradient_squares = compiled
    return [float(value) for value in keras.ops.convert_to_numpy(compiled(inputs, targets))]


def loss_of_weights(model: keras.Model, loss: Callable) -> Callable:
    """loss(targets, model(inputs)) as a pure function of the weights, for JAX transforms:
    ``(trainable_values, non_trainable_values, inputs, targets) -> scalar``."""

    def function(trainable_values, non_trainable_values, inputs, targets):
        predictions, _ = model.stateless_call(
            trainable_values, non_trainable_values, inputs, training=True
        )
        return loss(targets, predictions)

    return function


def _squares(gradients):
    from keras import ops

    return ops.stack([ops.sum(ops.square(g)) for g in gradients])


def _compile_gradient_squares(model: keras.Model, loss: Callable):
    backend = keras.backend.backend()
    if backend == "tensorflow":
        import tensorflow as tf

        @tf.function(reduce_retracing=True)
        def squares(inputs, targets):
            with tf.GradientTape() as tape:
                value = loss(targets, model(inputs, training=True))
            return _squares(tape.gradient(value, model.trainable_variables))

        return squares
    if backend == "jax":
        import jax

        gradient_function = jax.jit(jax.grad(loss_of_weights(model, loss)))

        def squares(inputs, targets):
            trainable = [variable.value for variable in model.trainable_variables]
            non_trainable = [variable.value for variable in model.non_trainable_variables]
            return _squares(gradient_function(trainable, non_trainable, inputs, targets))

        return squares
    raise NotImplementedError(f"gradients are not implemented for the {backend} backend")
